#include "cli/name_lines.h"

#include <variant>

namespace cli {
namespace {

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

}  // namespace

NameLine ParseNameLine(std::string_view line, const whois::DomainNormalizer& names) {
  for (size_t i = 0; i < line.size(); ++i) {
    if (line[i] == '#' && (i == 0 || line[i - 1] == ' ' || line[i - 1] == '\t')) {
      line = line.substr(0, i);
      break;
    }
  }
  while (!line.empty() && IsSpace(line.front())) line.remove_prefix(1);
  while (!line.empty() && IsSpace(line.back())) line.remove_suffix(1);
  NameLine out;
  if (line.empty()) return out;
  for (char c : line) {
    if (IsSpace(c)) {
      out.kind = NameLine::Kind::kBad;
      out.reason = "more than one word (one name per line)";
      return out;
    }
  }
  auto result = names.Normalize(line);
  if (result.ok()) {
    out.kind = NameLine::Kind::kName;
    out.name = result->domain;
  } else {
    out.kind = NameLine::Kind::kBad;
    out.reason = result.status().message();
  }
  return out;
}

}  // namespace cli
