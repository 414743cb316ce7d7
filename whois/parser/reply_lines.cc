#include "whois/parser/reply_lines.h"

#include <algorithm>

namespace whois {
namespace {

struct Line {
  std::string_view text;  // trimmed
  int indent = 0;
};

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r')) {
    s.remove_prefix(1);
  }
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) {
    s.remove_suffix(1);
  }
  return s;
}

// Entries SplitReply makes room for at once (a thick registrar reply has 30 to 60).
constexpr size_t kReservedEntries = 128;

bool IsAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }

std::vector<Line> SplitLines(std::string_view text) {
  std::vector<Line> lines;
  lines.reserve(static_cast<size_t>(std::count(text.begin(), text.end(), '\n')) + 1);
  size_t pos = 0;
  while (pos < text.size()) {
    size_t nl = text.find('\n', pos);
    if (nl == std::string_view::npos) nl = text.size();
    std::string_view raw = text.substr(pos, std::min(nl - pos, kMaxLineLength));
    pos = nl + 1;
    Line line;
    size_t i = 0;
    while (i < raw.size() && (raw[i] == ' ' || raw[i] == '\t')) ++i;
    line.indent = static_cast<int>(i);
    line.text = Trim(raw);
    lines.push_back(line);
  }
  return lines;
}

bool IsComment(std::string_view t) {
  return t.starts_with('%') || t.starts_with('#') || t.starts_with(">>>") || t.starts_with("--");
}

// Longest heading line ("Owner Contact", "Organization Using Domain Name", "% Registrant:").
constexpr size_t kMaxHeadingLength = 40;

bool IsHeadingText(std::string_view t) {
  if (t.empty() || t.size() > kMaxHeadingLength || !IsAlpha(t.front())) return false;
  for (char c : t) {
    if (!(IsAlpha(c) || c == ' ' || c == '-' || c == '\'' || c == '/' || c == '&')) return false;
  }
  return true;
}

// A comment that names the object after it (.ua: "% Registrar:", "% Registrant:"): the text
// without its comment marks and colon, or "" when the comment is something else.
std::string_view CommentHeading(std::string_view t) {
  while (!t.empty() && (t.front() == '%' || t.front() == '#' || t.front() == ' ')) {
    t.remove_prefix(1);
  }
  if (!t.ends_with(':')) return {};
  t.remove_suffix(1);
  return IsHeadingText(t) ? t : std::string_view();
}

// "a. [Domain Name]  GOOGLE.JP" -> "[Domain Name]  GOOGLE.JP".
// "1a.        Domain Name : example.gov.za" -> "Domain Name : example.gov.za";
// "c [Record Created]  13-MAY-2009" -> "[Record Created]  13-MAY-2009".
std::string_view StripListMarker(std::string_view t) {
  if (t.size() > 3 && IsAlpha(t[0]) && t[1] == ' ' && t[2] == '[') return t.substr(2);  // MYNIC
  size_t i = 0;
  while (i < t.size() && i < 3 && (IsAlpha(t[i]) || (t[i] >= '0' && t[i] <= '9'))) ++i;
  if (i == 0 || i + 1 >= t.size() || t[i] != '.' || (t[i + 1] != ' ' && t[i + 1] != '\t')) {
    return t;
  }
  std::string_view rest = t.substr(i + 1);
  while (!rest.empty() && (rest.front() == ' ' || rest.front() == '\t')) rest.remove_prefix(1);
  return rest.empty() ? t : rest;
}

// Strips ". . . ." or "......" padding some registries put between key and value.
std::string_view StripPadding(std::string_view v) {
  v = Trim(v);
  if (v.starts_with("..") || v.starts_with(". .")) {
    while (!v.empty() && (v.front() == '.' || v.front() == ' ' || v.front() == '\t')) {
      v.remove_prefix(1);
    }
  }
  return v;
}

// Longest explanation a key may carry in parentheses ("Company English Name (It should be the
// same as the registered/corporation name on your Business Register Certificate or relevant
// documents):").
constexpr size_t kMaxKeyExplanation = 200;

// Returns the position of the colon that ends a key, or npos.
size_t KeyColon(std::string_view t) {
  size_t colon = t.find(':');
  if (colon != std::string_view::npos && colon > kMaxKeyLength) {
    // A key whose explanation makes it long: the part before the parenthesis is the key.
    size_t open = t.find('(');
    size_t close = t.rfind(')', colon);
    if (open == std::string_view::npos || open == 0 || open > kMaxKeyLength ||
        close == std::string_view::npos || close < open || colon > open + kMaxKeyExplanation ||
        t.substr(close + 1, colon - close - 1).find_first_not_of(" \t") != std::string_view::npos) {
      return std::string_view::npos;
    }
  }
  if (colon == std::string_view::npos || colon == 0) return std::string_view::npos;
  // A colon inside parentheses or brackets belongs to the value ("DSANY.SGNIC.SG
  // (120.29.253.11, 2001:dcd:7::11)").
  std::string_view before = t.substr(0, colon);
  for (auto [open, close] : {std::pair{'(', ')'}, std::pair{'[', ']'}}) {
    size_t at = before.rfind(open);  // "ns2.example.pl. [192.0.2.1][2001:db8::1]" too
    if (at != std::string_view::npos && before.find(close, at) == std::string_view::npos) {
      return std::string_view::npos;
    }
  }
  // A colon between digits belongs to a time ("Registered on 30th April 2003 at 00:00:00"),
  // not to a key.
  if (IsDigit(t[colon - 1]) && colon + 1 < t.size() && IsDigit(t[colon + 1])) {
    return std::string_view::npos;
  }
  if (t.substr(colon).starts_with("://")) return std::string_view::npos;
  bool letter = false;
  for (size_t i = 0; i < colon; ++i) letter = letter || IsAlpha(t[i]);
  return letter ? colon : std::string_view::npos;
}

// The key without padding, and without an explanation in parentheses ("Name Server (DB)",
// "Company English Name (It should be ...)"): the explanation is for people.
// Where a second "Key: value" pair starts in `value` (after a tab or three blanks, a key of
// words, a colon and something), or npos.
size_t SecondPair(std::string_view value) {
  for (size_t i = 0; i < value.size(); ++i) {
    bool tab = value[i] == '\t';
    bool gap = value.substr(i, 3) == "   ";
    if (!tab && !gap) continue;
    size_t start = value.find_first_not_of(" \t", i);
    if (start == std::string_view::npos) return std::string_view::npos;
    std::string_view rest = value.substr(start);
    size_t colon = rest.find(':');
    if (colon != std::string_view::npos && colon > 0 && IsHeadingText(rest.substr(0, colon)) &&
        rest.substr(colon + 1).find_first_not_of(" \t") != std::string_view::npos &&
        !rest.substr(colon).starts_with("://")) {
      return i;
    }
    i = start;
  }
  return std::string_view::npos;
}

std::string_view KeyText(std::string_view key) {
  key = Trim(key);
  if (size_t open = key.find('(');
      open != std::string_view::npos && open > 0 && key.find(')', open) != std::string_view::npos) {
    std::string_view before = Trim(key.substr(0, open));
    if (!before.empty()) key = before;
  }
  while (!key.empty() && (key.back() == '.' || key.back() == ' ' || key.back() == '\t')) {
    key.remove_suffix(1);
  }
  return key;
}

// The ASCII letter a Latin-1 letter (U+00C0..U+00FF, UTF-8 "\xC3" then `second`) is written
// with, or 0: keys in Spanish, Portuguese and French ("Fecha de creación", "Data de expiração",
// "Dernière modification") match their unaccented aliases.
char FoldLatin1(unsigned char second) {
  static constexpr std::string_view kFold =
      "aaaaaaaceeeeiiiidnooooo\0ouuuuy\0saaaaaaaceeeeiiiidnooooo\0ouuuuy\0y";
  if (second < 0x80 || second > 0xBF) return 0;
  return kFold[second - 0x80];
}

}  // namespace

std::string NormalizeKey(std::string_view key) {
  // Built in a buffer first: every line's key is normalised, and appending character by
  // character to a std::string cost more than the rest of this function.
  char buffer[kMaxKeyLength];
  size_t n = 0;
  bool space = false;
  key = key.substr(0, kMaxKeyLength);
  for (size_t i = 0; i < key.size(); ++i) {
    char c = key[i];
    if (static_cast<unsigned char>(c) == 0xC3 && i + 1 < key.size()) {
      if (char folded = FoldLatin1(static_cast<unsigned char>(key[i + 1])); folded != 0) {
        c = folded;
        ++i;
      }
    }
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
      if (space && n > 0) buffer[n++] = ' ';
      space = false;
      buffer[n++] = c;
    } else {
      space = true;
    }
  }
  return std::string(buffer, n);
}

std::vector<ReplyEntry> SplitReply(std::string_view text, bool column_keys) {
  std::vector<Line> lines = SplitLines(text);
  std::vector<ReplyEntry> out;
  // Most lines are entries; the cap keeps a reply of blank lines from reserving a lot for nothing.
  out.reserve(std::min<size_t>(lines.size(), kReservedEntries));
  std::string_view section, pending_key;
  int header_indent = -1;
  bool header_just_seen = false;
  // True from a header until the first blank line or keyed line after its values: lines without
  // a key in this block are the header's values even when they are not indented (.ch, .kg).
  bool header_block = false;
  int object = 0;
  auto open_header = [&](std::string_view name, int indent) {
    section = name;
    pending_key = name;
    header_indent = indent;
    header_just_seen = true;
    header_block = true;
  };
  auto emit = [&](std::string_view key, std::string_view value) {
    if (!value.empty()) out.push_back({section, key, value, object});
  };
  // Whether lines[n] is "Key: value" or "[Key] value" (for headings without a colon).
  auto keyed = [&](size_t n) {
    if (n >= lines.size() || lines[n].text.empty()) return false;
    std::string_view t = StripListMarker(lines[n].text);
    return KeyColon(t) != std::string_view::npos ||
           (t.front() == '[' && t.find(']') != std::string_view::npos);
  };
  for (size_t n = 0; n < lines.size(); ++n) {
    const Line& line = lines[n];
    std::string_view t = line.text;
    if (t.empty()) {
      ++object;
      if (!header_just_seen) {
        section = {};
        pending_key = {};
        header_indent = -1;
        header_block = false;
      }
      continue;
    }
    if (IsComment(t)) {
      // "% Registrar:" names the object that follows (.ua).
      if (std::string_view heading = CommentHeading(t); !heading.empty()) {
        section = heading;
        pending_key = {};
        header_indent = -1;
        header_block = false;
      }
      continue;
    }
    bool was_header = header_just_seen;
    header_just_seen = false;
    t = StripListMarker(t);
    if (t.front() == '[') {
      size_t close = t.find(']');
      if (close != std::string_view::npos && close > 1 && close <= kMaxKeyLength) {
        std::string_view key = KeyText(t.substr(1, close - 1));
        std::string_view value = StripPadding(t.substr(close + 1));
        if (value.empty()) {
          open_header(key, line.indent);
        } else {
          emit(key, value);
          header_block = false;
        }
        continue;
      }
    }
    size_t colon = KeyColon(t);
    bool continuation =
        !pending_key.empty() && (line.indent > header_indent || was_header || header_block);
    if (colon != std::string_view::npos) {
      std::string_view key = KeyText(t.substr(0, colon));
      std::string_view value = StripPadding(t.substr(colon + 1));
      if (value.empty()) {
        open_header(key, line.indent);
        continue;
      }
      // Two pairs on one line, apart by a tab or a wide gap ("Domain name: example.com.fj\t
      // Status: Active", "Created: 2001-01-02   Expires: 2011-01-02"): the second is read too.
      std::string_view second_key, second_value;
      if (size_t gap = SecondPair(value); gap != std::string_view::npos) {
        std::string_view rest = Trim(value.substr(gap));
        size_t c = KeyColon(rest);
        second_key = KeyText(rest.substr(0, c));
        second_value = StripPadding(rest.substr(c + 1));
        value = Trim(value.substr(0, gap));
      }
      emit(key, value);
      if (!second_value.empty()) emit(second_key, second_value);
      header_block = false;
      // RIPE-style objects end with "source:" even where no blank line follows (nic.at).
      if (NormalizeKey(key) == "source") ++object;
      if (section.empty() || line.indent <= header_indent) {
        // "nameservers: ns1.example.pl." may go on over more-indented lines without a key.
        pending_key = key;
        header_indent = line.indent;
      }
      continue;
    }
    size_t tab = t.find('\t');
    if (column_keys) {
      size_t gap = std::min(t.find("  "), tab);
      if (gap != std::string_view::npos && gap <= kMaxKeyLength) {
        emit(KeyText(t.substr(0, gap)), StripPadding(t.substr(gap)));
        continue;
      }
    }
    if (continuation) {
      emit(pending_key, t);
      if (!out.empty() && out.back().value.data() == t.data()) out.back().continued = true;
      continue;
    }
    // "Key<TAB>value" without a colon: a key of words, then tabs.
    if (tab != std::string_view::npos && IsHeadingText(Trim(t.substr(0, tab)))) {
      emit(KeyText(t.substr(0, tab)), StripPadding(t.substr(tab)));
      pending_key = {};
      continue;
    }
    // A short line without a key heads a section when a more-indented line (.it "Registrant",
    // then "  Organization: ...") or a keyed line (.fi "Holder", then "name.....: ...") follows.
    if (t.size() <= kMaxKeyLength && n + 1 < lines.size() && !lines[n + 1].text.empty() &&
        (lines[n + 1].indent > line.indent ||
         (IsHeadingText(t) && lines[n + 1].indent == line.indent && keyed(n + 1)))) {
      open_header(KeyText(t), line.indent);
      continue;
    }
    // Any other line is kept without a key: "Record expires on 2026-11-09" and "Domain
    // EXAMPLE.KG" carry a key in their first words (reply_parser.cc reads them).
    emit("", t);
    pending_key = {};
  }
  return out;
}

}  // namespace whois
