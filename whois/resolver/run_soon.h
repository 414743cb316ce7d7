// Runs a closure on a later iteration of a libuv loop. Callback contracts in whois/ promise never
// to call back from inside the call that was given the callback; this keeps that promise where
// an answer is known at once.
#pragma once

#include <uv.h>

#include <functional>

namespace whois {

void RunSoon(uv_loop_t* loop, std::function<void()> fn);

}  // namespace whois
