// Dates as WHOIS servers write them, normalised to ISO 8601 UTC.
//
// Pure: no clock, no locale, no time zone database. Work is linear in the input and the input is
// capped at kMaxWhoisDateLength characters.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace whois {

// How an all-numeric date with the year last ("01/02/2024") is read. It is a property of the
// registry that wrote it, chosen by its rule set, and never guessed from the digits of one date.
enum class DateOrder { kDayFirst, kMonthFirst };

inline constexpr size_t kMaxWhoisDateLength = 128;

// Parses one date value such as "2024-01-31T12:00:00Z", "2024-01-31T12:00:00.0Z",
// "2024-01-31 12:00:00+02:00", "2024-01-31", "31-Jan-2024", "31.01.2024", "2024/01/31",
// "20240131", "January 31 2024", "Wed Jan 31 12:00:00 GMT 2024" or "2024-01-31 12:00 (UTC+8)".
// Returns "YYYY-MM-DDTHH:MM:SSZ" in UTC (midnight when no time is given; a time without a zone is
// taken as UTC). Returns nullopt when the text holds no complete, valid calendar date (e.g.
// "before Aug-1996", "N/A").
std::optional<std::string> ParseWhoisDate(std::string_view text, DateOrder order);

}  // namespace whois
