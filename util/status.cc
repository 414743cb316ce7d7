#include "util/status.h"

#include "util/enum_names.h"

namespace util {

std::string_view StatusCodeName(StatusCode code) {
  static constexpr util::EnumNames<StatusCode::kUnavailable> kNames(
      {"OK", "not found", "invalid argument", "IO error", "corruption", "unavailable"}, "unknown");
  return kNames.Name(code);
}

std::string Status::ToString() const {
  if (ok()) return "OK";
  std::string out(StatusCodeName(code_));
  out += ": ";
  out += msg_;
  return out;
}

}  // namespace util
