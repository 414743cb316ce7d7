#include "tests/fuzz/domain_name_invariants.h"

#include <cstdio>
#include <cstdlib>
#include <exception>
#include <memory>
#include <string>
#include <variant>

#include "tests/fuzz/text_predicates.h"
#include "whois/names/domain_name.h"

namespace fuzz {
namespace {

const whois::DomainNormalizer& Normalizer() {
  static const whois::DomainNormalizer* names = [] {
    auto n = whois::DomainNormalizer::Open(WP_PSL_FILE);
    if (!n.ok()) {
      std::fprintf(stderr, "cannot load the Public Suffix List %s: %s\n", WP_PSL_FILE,
                   n.status().message().c_str());
      std::abort();
    }
    return std::move(n).value().release();
  }();
  return *names;
}

// Normalises `input`, which an earlier step produced, and expects `domain` back.
void ExpectSameDomain(std::string_view input, const std::string& domain, const char* what,
                      Violations* v) {
  auto again = Normalizer().Normalize(input);
  const whois::DomainName* n = again.ok() ? &again.value() : nullptr;
  FUZZ_EXPECT(v, n != nullptr && n->domain == domain,
              std::string(what) + " " + Shown(input) + " gives " +
                  (n ? Shown(n->domain) : "error " + again.status().message()) + ", not " +
                  Shown(domain));
}

}  // namespace

void CheckDomainName(std::string_view input, Violations* v) {
  ExpectNoException(v, [&] {
    auto result = Normalizer().Normalize(input);
    if (!result.ok()) {
      const std::string& reason = result.status().message();
      FUZZ_EXPECT(v, !reason.empty(), "empty reason");
      FUZZ_EXPECT(v, !HasControl(reason), "reason " + Shown(reason));
      return;
    }
    FUZZ_EXPECT(v, input.size() <= whois::kMaxInputBytes, "accepted an over-long input");
    const whois::DomainName& n = result.value();
    const std::string& d = n.domain;
    FUZZ_EXPECT(v, !d.empty() && OnlyLowerAlnumOr(d, ".-"), "domain " + Shown(d));
    FUZZ_EXPECT(v, d.size() <= whois::kMaxNameOctets, "domain of " + std::to_string(d.size()));
    FUZZ_EXPECT(v, d.find('.') != std::string::npos, "domain without a dot " + Shown(d));
    FUZZ_EXPECT(v, d.front() != '.' && d.back() != '.' && d.find("..") == std::string::npos,
                "empty label in " + Shown(d));
    FUZZ_EXPECT(v, OnlyLowerAlnumOr(n.host, ".-"), "host " + Shown(n.host));
    FUZZ_EXPECT(v, n.host.ends_with(d), "host " + Shown(n.host) + " not under " + Shown(d));
    FUZZ_EXPECT(v, d.ends_with("." + n.tld), "tld " + Shown(n.tld) + " of " + Shown(d));
    FUZZ_EXPECT(v, n.unicode != d, "unicode equal to domain " + Shown(d));

    // Normalising the output again returns it unchanged.
    auto again = Normalizer().Normalize(d);
    const whois::DomainName* m = again.ok() ? &again.value() : nullptr;
    FUZZ_EXPECT(v,
                m != nullptr && m->domain == d && m->host == d && m->tld == n.tld &&
                    m->unicode == n.unicode,
                "not idempotent on " + Shown(d));
    if (n.host != d) ExpectSameDomain(n.host, d, "host", v);
    if (!n.unicode.empty()) ExpectSameDomain(n.unicode, d, "unicode", v);
  });
}

}  // namespace fuzz
