#include "whois/hosts/host_profile.h"

#include <gtest/gtest.h>

#include <set>
#include <string>
#include <string_view>

#include "util/ascii.h"
#include "whois/directory/query_format.h"
#include "whois/directory/tld_directory.h"
#include "whois/limits/builtin_limits.h"
#include "whois/limits/limit_registry.h"
#include "whois/parser/rules/rule_set.h"
#include "whois/upstream/charset.h"

namespace whois {
namespace {

// The limits a reader of `host` gets, canonical, or "" for none built in.
std::string LimitsOf(std::string_view host) {
  auto spec = limits::BuiltinLimitFor(host);
  return spec ? limits::FormatLimitSpec(*spec) : "";
}

std::string_view RulesOf(std::string_view host) { return rules::RuleSetFor(host, "").name; }

TEST(HostProfiles, EveryRowIsConsistent) {
  std::set<std::string_view> hosts;
  for (const HostProfile& row : HostProfiles()) {
    SCOPED_TRACE(std::string(row.host));
    EXPECT_TRUE(hosts.insert(row.host).second) << "duplicate row";
    EXPECT_FALSE(row.host.empty());
    EXPECT_EQ(std::string(row.host), util::ToLower(row.host)) << "hosts are lower case";
    EXPECT_FALSE(row.host.ends_with('.'));
    EXPECT_EQ(&HostProfileFor(row.host), &row) << "the matcher finds the row itself";

    // Query format: usable as a query line.
    EXPECT_TRUE(CheckQueryFormat(row.query_format).ok());
    // Charset: one iconv knows (else DecodeToUtf8 warns and falls back to UTF-8).
    EXPECT_EQ(DecodeToUtf8("example.com", row.charset).warning, "") << row.charset;
    // Rule set: it exists, and the parser reads this host's replies with it whatever they say.
    if (row.rule_set != RuleSetId::kByText) {
      const rules::RuleSet* fixed = rules::RuleSetById(row.rule_set);
      ASSERT_NE(fixed, nullptr) << RuleSetIdName(row.rule_set);
      EXPECT_EQ(fixed->name, RuleSetIdName(row.rule_set));
      EXPECT_EQ(RulesOf(row.host), fixed->name);
      EXPECT_EQ(rules::RuleSetFor(row.host, "nic-hdl: X\n[Domain Name] x\n").name, fixed->name);
    }
    // Limits: parse, are written canonically, and say where their numbers come from.
    EXPECT_EQ(row.limits.empty(), row.limits_source.empty());
    if (!row.limits.empty()) {
      EXPECT_EQ(LimitsOf(row.host), row.limits) << "does not parse, or is not canonical";
    }
    // A row that says nothing beyond the default has no reason to exist.
    const HostProfile defaults;
    EXPECT_TRUE(row.query_format != defaults.query_format || row.charset != defaults.charset ||
                row.rule_set != defaults.rule_set || !row.limits.empty());
  }
  EXPECT_EQ(RuleSetIdName(RuleSetId::kByText), "by-text");
  EXPECT_EQ(rules::RuleSetById(RuleSetId::kByText), nullptr);
}

// One fact of a host's profile, read through the function its reader calls.
struct Fact {
  std::string_view name;
  std::string (*read)(std::string_view host);
};

const Fact kRow{"matched row",
                [](std::string_view h) { return std::string(HostProfileFor(h).host); }};
const Fact kQueryFormat{
    "query format", [](std::string_view h) { return std::string(HostProfileFor(h).query_format); }};
const Fact kCharset{"charset",
                    [](std::string_view h) { return std::string(HostProfileFor(h).charset); }};
const Fact kRules{"rule set", [](std::string_view h) { return std::string(RulesOf(h)); }};
const Fact kLimits{"built-in limits", LimitsOf};

// A host, one fact of its profile, and what that fact is.
struct HostFact {
  const char* host;
  const Fact* fact;
  const char* expected;
};

const HostFact kHostFacts[] = {
    // Known hosts.
    {"whois.verisign-grs.com", &kQueryFormat, "domain %s"},
    {"whois.denic.de", &kQueryFormat, "-T dn,ace %s"},
    {"whois.jprs.jp", &kQueryFormat, "%s/e"},
    {"whois.jprs.jp", &kCharset, "iso-2022-jp"},
    {"whois.jprs.jp", &kRules, "bracket"},
    {"whois.punktum.dk", &kQueryFormat, "--show-handles %s"},
    {"whois.dk-hostmaster.dk", &kQueryFormat, "--show-handles %s"},
    {"whois.registro.br", &kCharset, "iso-8859-1"},
    {"whois.registro.br", &kQueryFormat, "%s"},
    {"whois.nic.ad.jp", &kCharset, "iso-2022-jp"},
    {"whois.fi", &kCharset, "iso-8859-1"},
    {"whois.nic.hu", &kCharset, "iso-8859-1"},
    {"whois.dns.lu", &kCharset, "iso-8859-1"},
    {"whois.norid.no", &kCharset, "iso-8859-1"},
    {"whois.nic.uk", &kRules, "indented"},
    {"whois.nic.uk", &kLimits, "concurrency 2 rate 5/s daily 1000"},
    {"whois.sk-nic.sk", &kRules, "columns"},
    {"whois.dot.tk", &kRules, "freenom"},
    {"whois.nic.fr", &kRules, "ripe"},
    // A sub-host gets each fact of a parent that has several (SubHostGetsEveryFactOfItsParent
    // compares every row's sub-hosts with the row).
    {"whois2.whois.jprs.jp", &kQueryFormat, "%s/e"},
    {"whois2.whois.jprs.jp", &kCharset, "iso-2022-jp"},
    {"whois2.whois.jprs.jp", &kRules, "bracket"},
    {"a.whois.verisign-grs.com", &kQueryFormat, "domain %s"},
    {"a.whois.verisign-grs.com", &kLimits, "concurrency 2 rate 5/s"},
    {"backup.whois.nic.uk", &kRules, "indented"},
    {"backup.whois.nic.uk", &kLimits, "concurrency 2 rate 5/s daily 1000"},
    // Only whole labels match: a host that merely ends in a row's text is another host, and a
    // parent never gets a child's facts.
    {"notwhois.nic.fr", &kRow, ""},
    {"notwhois.nic.fr.example", &kRules, "icann"},
    {"nic.uk", &kRow, ""},
    {"ccwhois.verisign-grs.com", &kRow, "ccwhois.verisign-grs.com"},
    {"whois.nic.uk.example", &kRow, ""},
    // Matching ignores case and one trailing dot.
    {"WHOIS.Verisign-GRS.com.", &kQueryFormat, "domain %s"},
    {"Whois.JPRS.jp", &kCharset, "iso-2022-jp"},
    {"WHOIS.NIC.UK.", &kRules, "indented"},
    {"A.Whois.Nic.FR", &kRules, "ripe"},
    {"WHOIS.EU", &kLimits, "concurrency 1 rate 15/m"},
    {"Sub.Whois.Nic.XYZ.", &kLimits, "concurrency 2 rate 1800/15m scope network /24 /48"},
};

TEST(HostProfiles, EachReaderGetsTheFactsOfTheHostsRow) {
  for (const HostFact& c : kHostFacts) {
    SCOPED_TRACE(std::string(c.host) + ", " + std::string(c.fact->name));
    EXPECT_EQ(c.fact->read(c.host), c.expected);
  }
}

TEST(HostProfiles, RegistrarAndUnknownHostsGetTheDefaults) {
  for (const char* host :
       {"whois.markmonitor.com", "", ".", "verisign-grs.com", "com", "whois.example.net"}) {
    SCOPED_TRACE(host);
    const HostProfile& profile = HostProfileFor(host);
    EXPECT_EQ(profile.host, "");
    EXPECT_EQ(profile.query_format, "%s");
    EXPECT_EQ(profile.charset, "utf-8");
    EXPECT_EQ(profile.rule_set, RuleSetId::kByText);
    EXPECT_EQ(LimitsOf(host), "");
  }
  // The text then chooses the rule set.
  EXPECT_EQ(rules::RuleSetFor("whois.example.net", "[Domain Name] X.JP\n").name, "bracket");
  EXPECT_EQ(rules::RuleSetFor("whois.example.net", "Domain Name: x.com\n").name, "icann");
}

// The directory maps TLDs to hosts only; every fact of a TLD's server is its host's profile.
TEST(HostProfiles, TheDirectoryLeadsIntoTheProfilesByHost) {
  const TldDirectory directory = TldDirectory::Bundled();
  size_t with_profile = 0;
  directory.ForEach([&](const ServerEntry& entry) {
    if (!entry.host.empty() && !HostProfileFor(entry.host).host.empty()) ++with_profile;
  });
  EXPECT_GE(with_profile, 20u) << "the registries of the profile table are named by the snapshot";
  for (const char* tld : {"com", "de", "jp", "uk", "fr", "be"}) {
    SCOPED_TRACE(tld);
    const ServerEntry* entry = directory.Find(tld);
    ASSERT_NE(entry, nullptr);
    EXPECT_EQ(HostProfileFor(entry->host).host, entry->host);
  }
  EXPECT_EQ(HostProfileFor(directory.Find("de")->host).query_format, "-T dn,ace %s");
}

// A sub-host (a second server name of the same registry) gets all of its parent's facts, from
// every reader: the query of one and the rules of another never mix.
TEST(HostProfiles, SubHostGetsEveryFactOfItsParent) {
  for (const HostProfile& row : HostProfiles()) {
    for (std::string sub : {"a." + std::string(row.host), "x.y." + std::string(row.host)}) {
      SCOPED_TRACE(sub);
      EXPECT_EQ(&HostProfileFor(sub), &row);
      EXPECT_EQ(RulesOf(sub), RulesOf(row.host));
      EXPECT_EQ(LimitsOf(sub), LimitsOf(row.host));
    }
  }
  // The limit registry gives a sub-host its parent's limits as built-in ones (counted under the
  // sub-host's own name: it is another server).
  limits::LimitRegistry registry({}, 0);
  limits::SpecSource source = limits::SpecSource::kDefault;
  EXPECT_EQ(limits::FormatLimitSpec(registry.SpecFor("Backup.WHOIS.nic.uk.", &source)),
            "concurrency 2 rate 5/s daily 1000");
  EXPECT_EQ(source, limits::SpecSource::kBuiltin);
}

}  // namespace
}  // namespace whois
