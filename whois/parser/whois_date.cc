#include "whois/parser/whois_date.h"

#include <array>
#include <cstdint>
#include <cstdio>
#include <vector>

namespace whois {
namespace {

enum class TokenType { kNumber, kWord, kSymbol };

struct Token {
  TokenType type;
  int64_t number = 0;  // kNumber: value of the first 17 digits
  int digits = 0;      // kNumber: how many digits were written
  std::string word;    // kWord: lower case
  char symbol = 0;     // kSymbol
  bool used = false;   // consumed by the time/zone pass
};

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
char Lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

std::vector<Token> Tokenize(std::string_view text) {
  std::vector<Token> tokens;
  size_t i = 0;
  while (i < text.size()) {
    char c = text[i];
    if (IsDigit(c)) {
      Token t{TokenType::kNumber};
      while (i < text.size() && IsDigit(text[i])) {
        if (t.digits < 18) t.number = t.number * 10 + (text[i] - '0');
        ++t.digits;
        ++i;
      }
      tokens.push_back(std::move(t));
    } else if (IsAlpha(c)) {
      Token t{TokenType::kWord};
      while (i < text.size() && IsAlpha(text[i])) t.word.push_back(Lower(text[i++]));
      tokens.push_back(std::move(t));
    } else {
      if (c != ' ' && c != '\t') {
        Token t{TokenType::kSymbol};
        t.symbol = c;
        tokens.push_back(std::move(t));
      } else if (!tokens.empty() && tokens.back().type != TokenType::kSymbol) {
        Token t{TokenType::kSymbol};
        t.symbol = ' ';
        tokens.push_back(std::move(t));
      }
      ++i;
    }
  }
  return tokens;
}

// Returns 1..12 for an English month name or its usual abbreviation, else 0.
int MonthFromWord(const std::string& w) {
  static constexpr std::array<std::string_view, 12> kNames = {
      "january", "february", "march",     "april",   "may",      "june",
      "july",    "august",   "september", "october", "november", "december"};
  if (w.size() < 3) return 0;
  for (size_t m = 0; m < kNames.size(); ++m) {
    if (w.size() <= kNames[m].size() && kNames[m].substr(0, w.size()) == w) {
      return static_cast<int>(m) + 1;
    }
  }
  if (w == "sept") return 9;
  return 0;
}

// Minutes east of UTC for the zone abbreviations registries actually print; ambiguous ones (CST,
// IST) are left out on purpose and read as UTC.
std::optional<int> ZoneOffset(const std::string& w) {
  struct Zone {
    std::string_view name;
    int minutes;
  };
  // The last seven are South America's and South-East Asia's (.cl "CLST", .br "BRST", .id
  // "WIB", .my "MYT", .th "ICT").
  static constexpr std::array<Zone, 37> kZones = {{
      {"z", 0},      {"utc", 0},     {"gmt", 0},    {"ut", 0},      {"wet", 0},    {"west", 60},
      {"bst", 60},   {"cet", 60},    {"cest", 120}, {"met", 60},    {"mest", 120}, {"eet", 120},
      {"eest", 180}, {"msk", 180},   {"wat", 60},   {"cat", 120},   {"eat", 180},  {"jst", 540},
      {"kst", 540},  {"hkt", 480},   {"sgt", 480},  {"awst", 480},  {"aest", 600}, {"aedt", 660},
      {"nzst", 720}, {"nzdt", 780},  {"est", -300}, {"edt", -240},  {"pst", -480}, {"pdt", -420},
      {"clt", -240}, {"clst", -180}, {"brt", -180}, {"brst", -120}, {"wib", 420},  {"myt", 480},
      {"ict", 420},
  }};
  for (const Zone& z : kZones) {
    if (z.name == w) return z.minutes;
  }
  if (w == "mst") return -420;
  if (w == "mdt") return -360;
  return std::nullopt;
}

bool IsSymbol(const std::vector<Token>& t, size_t i, char c) {
  return i < t.size() && t[i].type == TokenType::kSymbol && t[i].symbol == c;
}
bool IsNumber(const std::vector<Token>& t, size_t i) {
  return i < t.size() && t[i].type == TokenType::kNumber;
}

struct TimeOfDay {
  int hour = 0, minute = 0, second = 0;
  int offset_minutes = 0;
};

// Parses "+02:00", "+0200", "-7", "+05:30" starting at tokens[i]; consumes on success.
bool ParseOffset(std::vector<Token>& t, size_t i, int* minutes) {
  if (!(IsSymbol(t, i, '+') || IsSymbol(t, i, '-')) || !IsNumber(t, i + 1)) return false;
  int sign = t[i].symbol == '-' ? -1 : 1;
  const Token& n = t[i + 1];
  int total;
  size_t end = i + 2;
  if (n.digits == 4) {
    total = static_cast<int>(n.number / 100) * 60 + static_cast<int>(n.number % 100);
  } else if (n.digits <= 2) {
    total = static_cast<int>(n.number) * 60;
    if (IsSymbol(t, end, ':') && IsNumber(t, end + 1) && t[end + 1].digits == 2) {
      total += static_cast<int>(t[end + 1].number);
      end += 2;
    }
  } else {
    return false;
  }
  if (total > 14 * 60) return false;
  for (size_t k = i; k < end; ++k) t[k].used = true;
  *minutes = sign * total;
  return true;
}

// Finds "H:MM[:SS[.fff]]" with an optional zone after it and marks those tokens used.
std::optional<TimeOfDay> ExtractTime(std::vector<Token>& t, bool* invalid) {
  for (size_t i = 0; i + 2 < t.size(); ++i) {
    if (!IsNumber(t, i) || t[i].digits > 2 || !IsSymbol(t, i + 1, ':') || !IsNumber(t, i + 2) ||
        t[i + 2].digits != 2) {
      continue;
    }
    TimeOfDay tod;
    tod.hour = static_cast<int>(t[i].number);
    tod.minute = static_cast<int>(t[i + 2].number);
    size_t end = i + 3;
    if (IsSymbol(t, end, ':') && IsNumber(t, end + 1) && t[end + 1].digits == 2) {
      tod.second = static_cast<int>(t[end + 1].number);
      end += 2;
      if ((IsSymbol(t, end, '.') || IsSymbol(t, end, ',')) && IsNumber(t, end + 1)) end += 2;
    }
    if (tod.hour > 23 || tod.minute > 59 || tod.second > 60) {
      *invalid = true;
      return std::nullopt;
    }
    if (tod.second == 60) tod.second = 59;
    for (size_t k = i; k < end; ++k) t[k].used = true;
    // Zone: "Z", "UTC", "+02:00", "UTC+8", "(GMT+01:00)", possibly after a space or bracket.
    size_t j = end;
    while (j < t.size() && t[j].type == TokenType::kSymbol &&
           (t[j].symbol == ' ' || t[j].symbol == '(' || t[j].symbol == '[')) {
      ++j;
    }
    if (j < t.size() && t[j].type == TokenType::kWord) {
      if (auto off = ZoneOffset(t[j].word)) {
        tod.offset_minutes = *off;
        t[j].used = true;
        ++j;
      }
    }
    int minutes = 0;
    if (ParseOffset(t, j, &minutes)) tod.offset_minutes = minutes;
    return tod;
  }
  return std::nullopt;
}

bool IsLeap(int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

int DaysInMonth(int64_t y, int m) {
  static constexpr std::array<int, 12> kDays = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && IsLeap(y) ? 29 : kDays[m - 1];
}

// Howard Hinnant's days_from_civil / civil_from_days.
int64_t DaysFromCivil(int64_t y, int m, int d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const int64_t yoe = y - era * 400;
  const int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

void CivilFromDays(int64_t z, int64_t* y, int* m, int* d) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const int64_t doe = z - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  *d = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  *m = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  *y = yoe + era * 400 + (*m <= 2);
}

int64_t ExpandYear(const Token& t) {
  if (t.digits == 2) return t.number < 70 ? 2000 + t.number : 1900 + t.number;
  return t.number;
}

struct Ymd {
  int64_t year = 0;
  int month = 0, day = 0;
};

std::optional<Ymd> ExtractDate(const std::vector<Token>& t, DateOrder order) {
  int month_word = 0;
  std::vector<const Token*> nums;
  for (const Token& tok : t) {
    if (tok.used) continue;
    if (tok.type == TokenType::kWord && month_word == 0) {
      month_word = MonthFromWord(tok.word);
    } else if (tok.type == TokenType::kNumber && nums.size() < 3) {
      nums.push_back(&tok);
    }
  }
  Ymd r;
  if (month_word != 0) {
    if (nums.size() < 2) return std::nullopt;
    r.month = month_word;
    const Token* a = nums[0];
    const Token* b = nums[1];
    if (a->digits == 4 || a->number > 31) std::swap(a, b);  // "2024-Jan-31"
    if (a->digits > 2 || (b->digits != 4 && b->digits != 2)) return std::nullopt;
    r.day = static_cast<int>(a->number);
    r.year = ExpandYear(*b);
  } else if (!nums.empty() && nums.back()->digits == 14) {  // "0-UANIC 20020903000000"
    int64_t n = nums.back()->number / 1000000;
    r.year = n / 10000;
    r.month = static_cast<int>(n / 100 % 100);
    r.day = static_cast<int>(n % 100);
  } else if (!nums.empty() && nums[0]->digits == 8) {  // "20240131"
    r.year = nums[0]->number / 10000;
    r.month = static_cast<int>(nums[0]->number / 100 % 100);
    r.day = static_cast<int>(nums[0]->number % 100);
  } else {
    if (nums.size() < 3) return std::nullopt;
    if (nums[0]->digits == 4) {
      r.year = nums[0]->number;
      r.month = static_cast<int>(nums[1]->number);
      r.day = static_cast<int>(nums[2]->number);
    } else if (nums[2]->digits == 4 || nums[2]->digits == 2) {
      r.year = ExpandYear(*nums[2]);
      const Token* first = nums[0];
      const Token* second = nums[1];
      if (first->digits > 2 || second->digits > 2) return std::nullopt;
      if (order == DateOrder::kDayFirst) {
        r.day = static_cast<int>(first->number);
        r.month = static_cast<int>(second->number);
      } else {
        r.month = static_cast<int>(first->number);
        r.day = static_cast<int>(second->number);
      }
    } else {
      return std::nullopt;
    }
  }
  if (r.year < 1900 || r.year > 2999 || r.month < 1 || r.month > 12 || r.day < 1 ||
      r.day > DaysInMonth(r.year, r.month)) {
    return std::nullopt;
  }
  return r;
}

}  // namespace

std::optional<std::string> ParseWhoisDate(std::string_view text, DateOrder order) {
  if (text.size() > kMaxWhoisDateLength) text = text.substr(0, kMaxWhoisDateLength);
  std::vector<Token> tokens = Tokenize(text);
  bool bad_time = false;
  std::optional<TimeOfDay> tod = ExtractTime(tokens, &bad_time);
  std::optional<Ymd> ymd = ExtractDate(tokens, order);
  if (!ymd || bad_time) return std::nullopt;
  TimeOfDay t = tod.value_or(TimeOfDay{});
  if (!tod) {
    for (const Token& tok : tokens) {
      if (tok.type == TokenType::kNumber && tok.digits == 14) {  // YYYYMMDDhhmmss
        int64_t hms = tok.number % 1000000;
        t.hour = static_cast<int>(hms / 10000);
        t.minute = static_cast<int>(hms / 100 % 100);
        t.second = static_cast<int>(hms % 100);
        if (t.hour > 23 || t.minute > 59 || t.second > 59) t = TimeOfDay{};
      }
    }
  }
  int64_t seconds = DaysFromCivil(ymd->year, ymd->month, ymd->day) * 86400 + t.hour * 3600 +
                    t.minute * 60 + t.second - static_cast<int64_t>(t.offset_minutes) * 60;
  int64_t days = seconds >= 0 ? seconds / 86400 : (seconds - 86399) / 86400;
  int64_t rem = seconds - days * 86400;
  int64_t y;
  int m, d;
  CivilFromDays(days, &y, &m, &d);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04lld-%02d-%02dT%02d:%02d:%02dZ", static_cast<long long>(y), m,
                d, static_cast<int>(rem / 3600), static_cast<int>(rem / 60 % 60),
                static_cast<int>(rem % 60));
  return std::string(buf);
}

}  // namespace whois
