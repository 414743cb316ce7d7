// Tells what kind of answer a WHOIS server gave, from its text alone.
//
// Pure and bounded: only the first kMaxClassifiedBytes bytes are looked at, in linear time.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace whois {

enum class ReplyKind {
  kRecord,    // the reply describes a registered object
  kNotFound,  // the server says the name is not registered (free / no match)
  kRefused,   // rate limit, quota, access denied, server busy, query rejected: ask again later
  kEmpty,     // nothing usable: empty, only a disclaimer, or a format nothing here understands
};

inline constexpr size_t kMaxClassifiedBytes = 1 << 20;

// Stable lower-case name for logs and tests: "record", "not_found", "refused", "empty".
std::string_view ReplyKindName(ReplyKind kind);

// Refusals are checked first, because some servers append a not-found line to a refusal (AFNIC:
// "%% Too many requests..." then "%% No entries found"). Phrases that only appear in refusals
// ("too many requests", "quota exceeded") always count; phrases that disclaimers also use
// ("excessive querying", "access denied", "% Error:") count only in a reply with no not-found
// line and fewer than five data lines. whois.registro.br's "Query rate limit exceeded. Reduced
// information." announces a partial answer: it is a refusal whatever follows (a partial record
// must not be cached as the record, nor a partial not-found as "not found").
// A reply that is neither refused nor not-found is kRecord when it holds at least two
// "key: value" / "[key] value" lines, kEmpty otherwise.
ReplyKind ClassifyReply(std::string_view text);

// The line of `text` that made ClassifyReply answer kRefused, trimmed; empty when none.
std::string_view RefusalLine(std::string_view text);

// The line of `text` that made ClassifyReply answer kNotFound (or would have, had no refusal been
// seen), trimmed; empty when none.
std::string_view NotFoundLine(std::string_view text);

// Seconds the server asks us to wait, when a refusal states it ("wait 7 seconds", "replenished in
// 50 seconds", "Try again after: 24h0m0s", "per hour"); nullopt when the text gives no figure.
std::optional<int64_t> RetryAfterSeconds(std::string_view text);

}  // namespace whois
