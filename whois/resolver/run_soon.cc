#include "whois/resolver/run_soon.h"

#include <utility>

#include "util/uv_timer.h"

namespace whois {

void RunSoon(uv_loop_t* loop, std::function<void()> fn) {
  // The timer owns itself until it fires, then is destroyed inside its own callback (which
  // UvTimer allows: the running callback and its captures live until it returns).
  auto* timer = new util::UvTimer(loop);
  timer->Start(0, [timer, fn = std::move(fn)] {
    fn();
    delete timer;
  });
}

}  // namespace whois
