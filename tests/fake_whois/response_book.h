// Which text the fake WHOIS server answers to a query.
//
// Sources, first match wins:
//  1. a directory: the file named like the query, lower-cased ("example.com", "domain
//     example.com"); queries that are not safe file names skip this step;
//  2. that directory's `_default` file, or a single file given instead of a directory, or an
//     inline template (--response-text);
//  3. a built-in "No match" answer.
// Every template may contain `{query}` (the query as sent) and `{QUERY}` (upper-cased), so one
// `_default` gives thousands of domains distinct, plausible records.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace fake_whois {

class ResponseBook {
 public:
  // Loads every regular file of `path` (a directory) or the single file `path`. Empty `path`
  // loads nothing. Returns an error message, or std::nullopt.
  std::optional<std::string> Load(const std::string& path);
  void set_default_template(std::string text) { default_ = std::move(text); }

  // The UTF-8 answer for `query`.
  std::string Answer(std::string_view query) const;

  size_t size() const { return by_query_.size(); }

 private:
  std::map<std::string, std::string, std::less<>> by_query_;  // lower-cased query -> template
  std::optional<std::string> default_;
};

// Replaces `{query}` and `{QUERY}` in `templ`.
std::string ExpandTemplate(std::string_view templ, std::string_view query);

// Converts UTF-8 `text` to `charset` with iconv (characters the charset lacks become '?').
// "utf-8" or empty returns the text unchanged; an unknown charset yields std::nullopt.
std::optional<std::string> EncodeFromUtf8(std::string_view text, std::string_view charset);

}  // namespace fake_whois
