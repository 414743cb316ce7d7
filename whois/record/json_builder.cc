#include "whois/record/json_builder.h"

namespace whois {
namespace {

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD

// How many bytes at s[i] (a byte >= 0x80) form a well-formed UTF-8 sequence or the start of one
// (RFC 3629: no overlongs, no surrogates, nothing above U+10FFFF), and how long the sequence
// must be. Valid when *needed == the return value; otherwise the return value is the "maximal
// subpart" that one U+FFFD replaces (at least 1), as nlohmann's replace handler does.
size_t Utf8PrefixAt(std::string_view s, size_t i, size_t* needed) {
  const unsigned char c = static_cast<unsigned char>(s[i]);
  unsigned char lo = 0x80, hi = 0xBF;  // allowed range of the second byte
  if (c >= 0xC2 && c <= 0xDF) {
    *needed = 2;
  } else if (c >= 0xE0 && c <= 0xEF) {
    *needed = 3;
    if (c == 0xE0) lo = 0xA0;
    if (c == 0xED) hi = 0x9F;
  } else if (c >= 0xF0 && c <= 0xF4) {
    *needed = 4;
    if (c == 0xF0) lo = 0x90;
    if (c == 0xF4) hi = 0x8F;
  } else {
    *needed = 0;
    return 1;
  }
  size_t n = 1;
  while (n < *needed && i + n < s.size()) {
    const unsigned char b = static_cast<unsigned char>(s[i + n]);
    if (n == 1 ? (b < lo || b > hi) : (b < 0x80 || b > 0xBF)) break;
    ++n;
  }
  return n;
}

}  // namespace

void AppendJsonString(std::string* out, std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  out->push_back('"');
  size_t run = 0;  // start of bytes not yet copied
  for (size_t i = 0; i < s.size();) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c != '"' && c != '\\' && c < 0x80) {
      ++i;
      continue;
    }
    size_t needed = 0, have = 0;
    if (c >= 0x80) {
      have = Utf8PrefixAt(s, i, &needed);
      if (have == needed) {
        i += have;
        continue;
      }
    }
    out->append(s.substr(run, i - run));
    // The characters JSON escapes by a letter (RFC 8259 section 7), and those letters.
    static constexpr std::string_view kEscaped = "\"\\\b\f\n\r\t", kLetters = "\"\\bfnrt";
    if (const size_t k = kEscaped.find(static_cast<char>(c)); k != std::string_view::npos) {
      out->push_back('\\');
      out->push_back(kLetters[k]);
    } else if (c < 0x20) {
      out->append("\\u00");
      out->push_back(kHex[c >> 4]);
      out->push_back(kHex[c & 0xF]);
    } else {
      out->append(kReplacement);
      i += have;
      run = i;
      continue;
    }
    ++i;
    run = i;
  }
  out->append(s.substr(run));
  out->push_back('"');
}

JsonObjectBuilder::JsonObjectBuilder(std::string* out) : out_(out) {
  levels_.push_back({out_->size()});
  out_->push_back('{');
}

void JsonObjectBuilder::Key(std::string_view key) {
  Level& level = levels_.back();
  if (level.any) out_->push_back(',');
  level.any = true;
  AppendJsonString(out_, key);
  out_->push_back(':');
}

void JsonObjectBuilder::String(std::string_view key, std::string_view value) {
  if (value.empty()) return;
  Key(key);
  AppendJsonString(out_, value);
}

void JsonObjectBuilder::Integer(std::string_view key, int64_t value) {
  Key(key);
  out_->append(std::to_string(value));
}

void JsonObjectBuilder::True(std::string_view key) {
  Key(key);
  out_->append("true");
}

void JsonObjectBuilder::Strings(std::string_view key, const std::vector<std::string>& values) {
  bool first = true;
  for (const std::string& v : values) {
    if (v.empty()) continue;
    if (first) {
      Key(key);
      out_->push_back('[');
      first = false;
    } else {
      out_->push_back(',');
    }
    AppendJsonString(out_, v);
  }
  if (!first) out_->push_back(']');
}

void JsonObjectBuilder::BeginObject(std::string_view key) {
  const size_t rollback = out_->size();
  const bool parent_had_any = levels_.back().any;
  Key(key);
  out_->push_back('{');
  // If this object stays empty, the parent must look as it did before: remember whether it
  // had members through the rollback point (the comma is cut with the key).
  levels_.back().any = parent_had_any;
  levels_.push_back({rollback});
}

void JsonObjectBuilder::EndObject() {
  const Level level = levels_.back();
  levels_.pop_back();
  if (!level.any) {
    out_->resize(level.rollback);
    return;
  }
  out_->push_back('}');
  levels_.back().any = true;
}

void JsonObjectBuilder::Finish() { out_->push_back('}'); }

}  // namespace whois
