// Small helpers the end-to-end resolution tests share: replies as text, INFO fields, polling
// with a deadline (never a fixed sleep).
#pragma once

#include <gtest/gtest.h>
#include <hiredis/hiredis.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "fake_whois_process.h"
#include "one_registry_test.h"
#include "proxy_process.h"

namespace resolver_test {

// A string, status or error reply's text; empty for anything else.
inline std::string Text(const test_support::Reply& r) {
  return r && r->str &&
                 (r->type == REDIS_REPLY_STRING || r->type == REDIS_REPLY_STATUS ||
                  r->type == REDIS_REPLY_ERROR)
             ? std::string(r->str, r->len)
             : std::string();
}

// Polls `ok` every 20 ms until it holds or `limit` passes; returns its last value.
inline bool Eventually(const std::function<bool()>& ok,
                       std::chrono::milliseconds limit = std::chrono::seconds(20)) {
  auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    if (ok()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return ok();
}

// An integer field of INFO's # Whois section; -1 if absent.
inline int64_t WhoisInfo(redisContext* c, const std::string& field) {
  std::string info = Text(test_support::Command(c, {"INFO", "whois"}));
  size_t at = info.find("\r\n" + field + ":");
  if (at == std::string::npos) return -1;
  return std::stoll(info.substr(at + field.size() + 3));
}

// The process helpers every end-to-end resolution test uses, named here once for the tests
// that live in this namespace.
using fake_whois::FakeWhoisProcess;
using test_support::Command;
using test_support::OneRegistryTest;
using test_support::ProxyProcess;

}  // namespace resolver_test
