#include "tests/fuzz/whois_reply_invariants.h"

#include <exception>
#include <string>
#include <variant>
#include <vector>

#include "tests/fuzz/text_predicates.h"
#include "whois/parser/reply_classifier.h"
#include "whois/parser/reply_parser.h"
#include "whois/parser/whois_date.h"
#include "whois/record/record.h"

namespace fuzz {
namespace {

using whois::ReplyKind;

// Lines of a hop fed to ParseWhoisDate, whole and after their first colon.
constexpr size_t kDateLinesPerHop = 48;

std::string KindName(ReplyKind k) { return std::string(whois::ReplyKindName(k)); }

// True when `part` is a view into `whole`.
bool Within(std::string_view part, std::string_view whole) {
  return part.data() >= whole.data() && part.data() + part.size() <= whole.data() + whole.size();
}

bool Trimmed(std::string_view s) {
  auto blank = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
  return s.empty() || (!blank(s.front()) && !blank(s.back()));
}

void CheckDates(const whois::WhoisRecord& r, const std::string& who, Violations* v) {
  for (const std::string* d : {&r.created, &r.updated, &r.expires}) {
    FUZZ_EXPECT(v, d->empty() || IsIsoUtcTime(*d), who + " date " + Shown(*d));
  }
}

void CheckNameservers(const whois::WhoisRecord& r, const std::string& who, Violations* v) {
  for (const std::string& ns : r.nameservers) {
    FUZZ_EXPECT(v, !HasAsciiUpper(ns), who + " nameserver " + Shown(ns));
    FUZZ_EXPECT(v, ns.empty() || ns.back() != '.', who + " nameserver " + Shown(ns));
  }
}

// A record with a domain and a status must survive the JSON schema: ToJson's output is accepted
// by RecordFromJson, and serialising what came back gives the same bytes.
void CheckJsonRoundTrip(const whois::WhoisRecord& r, const std::string& who, Violations* v) {
  const std::string json = whois::ToJson(r);
  auto back = whois::RecordFromJson(json);
  if (!back.ok()) {
    FUZZ_EXPECT(v, false,
                who + " ToJson output rejected by RecordFromJson: " + back.status().message() +
                    "; json " + Shown(json));
    return;
  }
  const std::string again = whois::ToJson(back.value());
  FUZZ_EXPECT(v, again == json,
              who + " ToJson not stable: " + Shown(json) + " then " + Shown(again));
}

void CheckClassifier(std::string_view text, ReplyKind kind, Violations* v) {
  const std::string_view refusal = whois::RefusalLine(text);
  const std::string_view not_found = whois::NotFoundLine(text);
  FUZZ_EXPECT(v, kind != ReplyKind::kRefused || !refusal.empty(), "refused without RefusalLine");
  FUZZ_EXPECT(v, kind != ReplyKind::kNotFound || !not_found.empty(),
              "not_found without NotFoundLine");
  FUZZ_EXPECT(v, refusal.empty() || Within(refusal, text), "RefusalLine not a view into text");
  FUZZ_EXPECT(v, not_found.empty() || Within(not_found, text), "NotFoundLine not a view into text");
  FUZZ_EXPECT(v, Trimmed(refusal), "RefusalLine " + Shown(refusal));
  FUZZ_EXPECT(v, Trimmed(not_found), "NotFoundLine " + Shown(not_found));
  const std::optional<int64_t> retry = whois::RetryAfterSeconds(text);
  FUZZ_EXPECT(v, !retry || *retry >= 0, "RetryAfterSeconds " + std::to_string(*retry));
}

void CheckParsedReply(std::string_view host, std::string_view text, ReplyKind classified,
                      Violations* v) {
  const whois::ParsedReply p = whois::ParseReply(host, text);
  const std::string who = "ParseReply(" + Shown(host) + ")";
  // kind is the classifier's answer, refined only in the ways reply_parser.h lists.
  const bool allowed = p.kind == classified ||
                       (classified == ReplyKind::kRecord && p.kind == ReplyKind::kEmpty) ||
                       (classified == ReplyKind::kEmpty && p.kind == ReplyKind::kRecord) ||
                       (classified == ReplyKind::kNotFound && p.kind == ReplyKind::kRecord);
  FUZZ_EXPECT(v, allowed, who + " kind " + KindName(p.kind) + " from " + KindName(classified));
  FUZZ_EXPECT(v, !p.retry_after || p.kind == ReplyKind::kRefused,
              who + " retry_after on a " + KindName(p.kind) + " reply");
  FUZZ_EXPECT(v, !p.retry_after || *p.retry_after >= 0, who + " negative retry_after");
  const whois::WhoisRecord& f = p.fields;
  FUZZ_EXPECT(v, f.status.empty() && f.reason.empty() && !f.retry_after, who + " set status");
  FUZZ_EXPECT(v, f.source_protocol.empty() && f.source_servers.empty() && f.fetched_at.empty(),
              who + " set source");
  FUZZ_EXPECT(v, !HasAsciiUpper(f.domain), who + " domain " + Shown(f.domain));
  CheckDates(f, who, v);
  CheckNameservers(f, who, v);
  if (!f.domain.empty()) {
    whois::WhoisRecord r = f;
    r.status = std::string(whois::kStatusRegistered);
    CheckJsonRoundTrip(r, who, v);
  }
}

void CheckDate(std::string_view text, Violations* v) {
  for (whois::DateOrder order : {whois::DateOrder::kDayFirst, whois::DateOrder::kMonthFirst}) {
    const std::optional<std::string> d = whois::ParseWhoisDate(text, order);
    if (!d) continue;
    FUZZ_EXPECT(v, IsIsoUtcTime(*d), "ParseWhoisDate(" + Shown(text) + ") = " + Shown(*d));
    const std::optional<std::string> again = whois::ParseWhoisDate(*d, order);
    FUZZ_EXPECT(v, again == d,
                "ParseWhoisDate not idempotent on " + Shown(*d) + " from " + Shown(text));
  }
}

void CheckDateLines(std::string_view text, Violations* v) {
  for (size_t n = 0; n < kDateLinesPerHop && !text.empty(); ++n) {
    const size_t nl = text.find('\n');
    const std::string_view line = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
    CheckDate(line, v);
    const size_t colon = line.find(':');
    if (colon != std::string_view::npos) CheckDate(line.substr(colon + 1), v);
  }
}

void CheckChain(const std::vector<whois::ChainReply>& chain, Violations* v) {
  const whois::WhoisRecord r = whois::BuildRecord("", chain);
  const std::string who = "BuildRecord";
  FUZZ_EXPECT(v,
              r.status.empty() || r.status == whois::kStatusRegistered ||
                  r.status == whois::kStatusNotFound || r.status == whois::kStatusFallback,
              who + " status " + Shown(r.status));
  FUZZ_EXPECT(v, r.status == whois::kStatusFallback || (r.reason.empty() && !r.retry_after),
              who + " reason/retry_after on a non-fallback record");
  FUZZ_EXPECT(v,
              r.status != whois::kStatusFallback ||
                  r.reason == whois::FallbackReasonName(whois::FallbackReason::kRefused),
              who + " fallback reason " + Shown(r.reason));
  FUZZ_EXPECT(v, r.source_servers.size() == chain.size(), who + " source_servers");
  FUZZ_EXPECT(v,
              r.registrant.country.empty() || (r.country == r.registrant.country &&
                                               r.country_source == whois::kCountryFromRegistrant),
              who + " country " + Shown(r.country));
  CheckDates(r, who, v);
  CheckNameservers(r, who, v);
  if (!r.domain.empty() && !r.status.empty()) CheckJsonRoundTrip(r, who, v);
}

}  // namespace

void CheckWhoisReply(std::string_view input, Violations* v) {
  std::vector<whois::ChainReply> chain;
  while (!input.empty() || chain.empty()) {
    size_t end = chain.size() + 1 < kMaxHops ? input.find(kHopSeparator) : std::string_view::npos;
    std::string_view hop = input.substr(0, end);
    input = end == std::string_view::npos ? std::string_view() : input.substr(end + 1);
    const size_t nl = hop.find('\n');
    whois::ChainReply reply;
    reply.server = std::string(hop.substr(0, nl));
    reply.query = "example.com";
    if (nl != std::string_view::npos) reply.text = std::string(hop.substr(nl + 1));
    chain.push_back(std::move(reply));
  }
  ExpectNoException(v, [&] {
    for (const whois::ChainReply& hop : chain) {
      const ReplyKind classified = whois::ClassifyReply(hop.text);
      CheckClassifier(hop.text, classified, v);
      CheckParsedReply(hop.server, hop.text, classified, v);
      CheckDateLines(hop.text, v);
    }
    CheckChain(chain, v);
  });
}

}  // namespace fuzz
