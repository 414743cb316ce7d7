// Splits a WHOIS reply into (section, key, value) entries, the shape every format family shares
// once its layout is undone: "Key: Value", "Key.......: Value", "[Key] value", "a. [Key] value",
// a header line ("Registrant:", "[Tech-C]", "Registrant") whose section or values follow on
// more-indented lines, and RIPE-style objects separated by blank lines.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace whois {

// Lines longer than this are cut; keys longer than kMaxKeyLength are not keys.
inline constexpr size_t kMaxLineLength = 4096;
inline constexpr size_t kMaxKeyLength = 60;

// Views into the text given to SplitReply, which must outlive the entries.
struct ReplyEntry {
  std::string_view section;  // header text the entry sits under, as written (may be empty)
  std::string_view key;      // as written, without the colon or brackets; "" for a keyless line
  std::string_view value;    // trimmed, never empty
  int object = 0;            // index of the blank-line separated block the entry is in
  bool continued = false;    // a keyless line read as the value of the key above it
};

// Comment lines ('%', '#', ">>>") are skipped, except that a comment naming what follows ("%
// Registrar:") opens a section. A header's own line yields no entry; lines under it without a
// key yield entries with key = the header text. A short keyless line followed by a keyed line of
// the same indentation ("Holder" then "name.....: ...") is a header too. "Key<TAB>value" lines
// are split at the tab; with `column_keys`, a line without a "key:" is split at its first run of
// two or more blanks ("Domain-name         example.sk"). Other lines yield entries with an empty
// key. A key loses an explanation in parentheses ("Name Server (DB)" -> "Name Server"). RIPE
// objects end at a blank line or after "source:". Linear in text.size().
std::vector<ReplyEntry> SplitReply(std::string_view text, bool column_keys = false);

// Lower case ASCII, every run of characters other than [a-z0-9] one space, trimmed:
// "Registrant E-mail" -> "registrant e mail", "nic-hdl" -> "nic hdl".
std::string NormalizeKey(std::string_view key);

}  // namespace whois
