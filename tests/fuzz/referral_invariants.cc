#include "tests/fuzz/referral_invariants.h"

#include <exception>
#include <optional>
#include <string>

#include "tests/fuzz/text_predicates.h"
#include "whois/directory/referral.h"

namespace fuzz {
namespace {

void CheckOutcome(const std::optional<whois::Referral>& r, const std::string& reason,
                  const std::string& who, Violations* v) {
  if (!r) {
    FUZZ_EXPECT(v, !HasControl(reason), who + " reason " + Shown(reason));
    return;
  }
  const std::string& host = r->host;
  FUZZ_EXPECT(v, !host.empty() && OnlyLowerAlnumOr(host, ".-"), who + " host " + Shown(host));
  FUZZ_EXPECT(v, host.find('.') != std::string::npos, who + " host without a dot " + Shown(host));
  FUZZ_EXPECT(v, host.back() != '.', who + " trailing dot " + Shown(host));
  FUZZ_EXPECT(v, !HasControl(host), who + " control byte in " + Shown(host));
  FUZZ_EXPECT(v, whois::IsValidServerHostName(host), who + " invalid host " + Shown(host));
  FUZZ_EXPECT(v, r->port >= 1, who + " port 0");

  // What came out is itself an acceptable referral value naming the same server.
  const std::string spelled = (r->rwhois ? "rwhois://" : "") + host + ":" + std::to_string(r->port);
  const util::StatusOr<whois::Referral> again = whois::ParseReferralValue(spelled);
  FUZZ_EXPECT(
      v, again.ok() && again->host == host && again->port == r->port && again->rwhois == r->rwhois,
      who + " does not parse back: " + Shown(spelled));
}

}  // namespace

void CheckReferral(std::string_view input, Violations* v) {
  ExpectNoException(v, [&] {
    const util::StatusOr<std::optional<whois::Referral>> extracted = whois::ExtractReferral(input);
    std::optional<whois::Referral> r = extracted.value_or(std::nullopt);
    std::string reason = extracted.ok() ? std::string() : extracted.status().message();
    CheckOutcome(r, reason, "ExtractReferral", v);
    FUZZ_EXPECT(v, extracted.ok() || !reason.empty(), "ExtractReferral rejected without a reason");

    const std::string_view first_line = input.substr(0, input.find('\n'));
    util::StatusOr<whois::Referral> parsed = whois::ParseReferralValue(first_line);
    r = parsed.ok() ? std::optional<whois::Referral>(parsed.value()) : std::nullopt;
    reason = parsed.ok() ? std::string() : parsed.status().message();
    CheckOutcome(r, reason, "ParseReferralValue(" + Shown(first_line) + ")", v);
    FUZZ_EXPECT(v, !r || first_line.size() <= whois::kMaxReferralValueLength,
                "ParseReferralValue accepted an over-long value");
    FUZZ_EXPECT(v, r || !reason.empty(), "ParseReferralValue rejected without a reason");
  });
}

}  // namespace fuzz
