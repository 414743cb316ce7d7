#pragma once

namespace server {

inline constexpr const char* kProxyVersion = "0.1.0";
// What HELLO and INFO report as redis_version: clients and tools gate features on it, and this
// server implements the Redis 7.2 protocol behaviours they expect.
inline constexpr const char* kRedisCompatVersion = "7.2.4";

}  // namespace server
