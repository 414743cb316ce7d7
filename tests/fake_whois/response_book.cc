#include "response_book.h"

#include <errno.h>
#include <iconv.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace fake_whois {
namespace {

std::string Lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

std::string Upper(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  return out;
}

std::optional<std::string> ReadFile(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void ReplaceAll(std::string* s, std::string_view from, std::string_view to) {
  size_t pos = 0;
  while ((pos = s->find(from, pos)) != std::string::npos) {
    s->replace(pos, from.size(), to);
    pos += to.size();
  }
}

}  // namespace

std::optional<std::string> ResponseBook::Load(const std::string& path) {
  if (path.empty()) return std::nullopt;
  namespace fs = std::filesystem;
  std::error_code ec;
  if (fs::is_directory(path, ec)) {
    for (const auto& entry : fs::directory_iterator(path, ec)) {
      if (!entry.is_regular_file()) continue;
      std::string name = entry.path().filename().string();
      std::optional<std::string> text = ReadFile(entry.path());
      if (!text) return "cannot read " + entry.path().string();
      if (name == "_default") {
        default_ = std::move(*text);
      } else {
        by_query_[Lower(name)] = std::move(*text);
      }
    }
    if (ec) return "cannot list " + path + ": " + ec.message();
    return std::nullopt;
  }
  std::optional<std::string> text = ReadFile(path);
  if (!text) return "cannot read responses from " + path + " (not a directory or readable file)";
  default_ = std::move(*text);
  return std::nullopt;
}

std::string ResponseBook::Answer(std::string_view query) const {
  auto it = by_query_.find(Lower(query));
  if (it != by_query_.end()) return ExpandTemplate(it->second, query);
  if (default_) return ExpandTemplate(*default_, query);
  return ExpandTemplate("No match for \"{QUERY}\".\r\n", query);
}

std::string ExpandTemplate(std::string_view templ, std::string_view query) {
  std::string out(templ);
  ReplaceAll(&out, "{query}", query);
  ReplaceAll(&out, "{QUERY}", Upper(query));
  return out;
}

std::optional<std::string> EncodeFromUtf8(std::string_view text, std::string_view charset) {
  std::string name = Lower(charset);
  if (name.empty() || name == "utf-8" || name == "utf8") return std::string(text);
  iconv_t cd = iconv_open(name.c_str(), "UTF-8");
  if (cd == reinterpret_cast<iconv_t>(-1)) return std::nullopt;
  std::string out;
  char* in = const_cast<char*>(text.data());
  size_t in_left = text.size();
  char buf[4096];
  for (;;) {
    char* dst = buf;
    size_t dst_left = sizeof(buf);
    size_t rc = in_left > 0 ? iconv(cd, &in, &in_left, &dst, &dst_left)
                            : iconv(cd, nullptr, nullptr, &dst, &dst_left);
    out.append(buf, static_cast<size_t>(dst - buf));
    if (rc != static_cast<size_t>(-1)) {
      if (in_left == 0 && dst != buf) continue;  // flushed something; flush again until empty
      if (in_left == 0) break;
      continue;
    }
    if (errno == E2BIG) continue;
    if (in_left == 0) break;
    // A character the charset lacks (EILSEQ) or a cut sequence (EINVAL): skip the UTF-8
    // character and write '?'.
    out.push_back('?');
    do {
      ++in;
      --in_left;
    } while (in_left > 0 && (static_cast<unsigned char>(*in) & 0xC0) == 0x80);
  }
  iconv_close(cd);
  return out;
}

}  // namespace fake_whois
