// The Redis-style `loglevel` names mapped to spdlog's levels (start-up and CONFIG SET).
#pragma once

#include <spdlog/spdlog.h>

#include <string_view>

namespace server {

inline spdlog::level::level_enum LogLevel(std::string_view name) {
  if (name == "debug") return spdlog::level::debug;
  if (name == "verbose") return spdlog::level::info;
  if (name == "warning") return spdlog::level::warn;
  if (name == "nothing") return spdlog::level::off;
  return spdlog::level::info;  // notice
}

}  // namespace server
