#include "whois/directory/query_format.h"

#include <utility>

namespace whois {
namespace {

// Printable for an error message: control and non-ASCII bytes become '?', long text is cut.
std::string Shown(std::string_view text) {
  std::string out;
  for (char c : text.substr(0, 64)) out.push_back(c >= 0x20 && c < 0x7f ? c : '?');
  if (text.size() > 64) out += "...";
  return out;
}

}  // namespace

util::Status CheckQueryFormat(std::string_view format) {
  if (format.size() > kMaxQueryFormatLength) {
    return util::Status::InvalidArgument("query format is longer than " +
                                         std::to_string(kMaxQueryFormatLength) + " bytes");
  }
  size_t placeholders = 0;
  for (size_t i = 0; i < format.size(); ++i) {
    char c = format[i];
    if (c < 0x20 || c > 0x7e) {
      return util::Status::InvalidArgument("query format '" + Shown(format) +
                                           "' may hold printable ASCII only");
    }
    if (c != '%') continue;
    if (i + 1 < format.size() && format[i + 1] == 's') {
      ++placeholders;
      ++i;
      continue;
    }
    return util::Status::InvalidArgument("query format '" + Shown(format) +
                                         "' may hold no '%' other than one %s");
  }
  if (placeholders != 1) {
    return util::Status::InvalidArgument("query format '" + Shown(format) +
                                         "' must contain %s exactly once");
  }
  return util::Status::OK();
}

util::StatusOr<std::string> FormatQuery(std::string_view format, std::string_view domain) {
  if (util::Status st = CheckQueryFormat(format); !st.ok()) return st;
  if (domain.empty()) return util::Status::InvalidArgument("empty domain");
  for (char c : domain) {
    if ((c < 'a' || c > 'z') && (c < '0' || c > '9') && c != '.' && c != '-') {
      return util::Status::InvalidArgument("domain '" + Shown(domain) +
                                           "' is not a normalised name ([a-z0-9.-])");
    }
  }
  size_t at = format.find("%s");
  std::string line;
  line.reserve(format.size() + domain.size());
  line.append(format.substr(0, at)).append(domain).append(format.substr(at + 2));
  return line;
}

}  // namespace whois
