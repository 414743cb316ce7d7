#include "tests/fuzz/record_json_invariants.h"

#include <algorithm>
#include <exception>
#include <string>
#include <variant>
#include <vector>

#include "whois/record/record.h"

namespace fuzz {
namespace {

// What ToJson writes for a nameserver list: lower case, no trailing dot, each host once.
std::vector<std::string> Canonical(const std::vector<std::string>& hosts) {
  std::vector<std::string> out;
  for (std::string h : hosts) {
    while (!h.empty() && h.back() == '.') h.pop_back();
    for (char& c : h) c = (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
    if (!h.empty() && std::find(out.begin(), out.end(), h) == out.end()) out.push_back(h);
  }
  return out;
}

// R2 may differ from R only in what ToJson canonicalises.
bool SameUpToCanonicalForm(whois::WhoisRecord a, whois::WhoisRecord b) {
  for (whois::WhoisRecord* r : {&a, &b}) {
    if (r->unicode == r->domain) r->unicode.clear();
    r->nameservers = Canonical(r->nameservers);
    std::erase(r->domain_status, "");
    std::erase(r->redacted, "");
    std::erase(r->source_servers, "");
  }
  return a == b;
}

}  // namespace

void CheckRecordJson(std::string_view input, Violations* v) {
  ExpectNoException(v, [&] {
    auto parsed = whois::RecordFromJson(input);
    if (!parsed.ok()) {
      FUZZ_EXPECT(v, !parsed.status().message().empty(), "rejected without a message");
    } else {
      const whois::WhoisRecord& r = parsed.value();
      FUZZ_EXPECT(v, !r.domain.empty() && !r.status.empty(), "accepted without domain/status");
      const std::string json = whois::ToJson(r);
      auto back = whois::RecordFromJson(json);
      if (!back.ok()) {
        FUZZ_EXPECT(v, false,
                    "ToJson output rejected: " + back.status().message() + "; json " + Shown(json));
      } else {
        const whois::WhoisRecord& r2 = back.value();
        FUZZ_EXPECT(v, SameUpToCanonicalForm(r, r2), "round trip changed " + Shown(json));
        const std::string json2 = whois::ToJson(r2);
        FUZZ_EXPECT(v, json2 == json, "ToJson not stable: " + Shown(json) + " " + Shown(json2));
        auto third = whois::RecordFromJson(json2);
        FUZZ_EXPECT(v, third.ok() && third.value() == r2,
                    "second round trip changed " + Shown(json2));
      }
    }

    const whois::WhoisRecord invalid = whois::MakeInvalidRecord(std::string(input), "not a name");
    FUZZ_EXPECT(v, invalid.domain.size() <= whois::kMaxInvalidInputBytes, "invalid domain size");
    for (char c : invalid.domain) FUZZ_EXPECT(v, c >= 0x20 && c < 0x7f, Shown(invalid.domain));
    if (!invalid.domain.empty()) {
      auto echoed = whois::RecordFromJson(whois::ToJson(invalid));
      FUZZ_EXPECT(v, echoed.ok() && echoed.value() == invalid,
                  "invalid record does not round-trip: " + Shown(whois::ToJson(invalid)));
    }
  });
}

}  // namespace fuzz
