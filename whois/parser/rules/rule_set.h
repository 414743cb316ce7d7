// A rule set describes one family of WHOIS reply formats: which keys mean which record field, how
// sections and contact handles work, and how the registry writes ambiguous dates. Adding a format
// is adding one rule set (one file under whois/parser/rules/ plus its fixtures), not a branch in
// the parser.
#pragma once

#include <span>
#include <string_view>

#include "whois/hosts/host_profile.h"
#include "whois/parser/whois_date.h"

namespace whois::rules {

// The record field a key names. Contact fields are completed by a Role.
enum class Field {
  kIgnore,  // a known key that carries nothing we publish (stops generic guessing)
  kDomain,
  kRegistrarName,
  kRegistrarIanaId,
  kRegistrarUrl,
  kRegistrarWhoisServer,
  kRegistrarAbuseEmail,
  kRegistrarAbusePhone,
  kCreated,
  kUpdated,
  kExpires,
  kNameserver,
  kStatus,
  kDnssec,
  kContactName,  // kContactName .. kContactEmail: in kContactFields's order (record.h)
  kContactOrganization,
  kContactStreet,
  kContactCity,
  kContactState,
  kContactPostalCode,
  kContactCountry,
  kContactPhone,
  kContactEmail,
  kContactHandle,  // "holder-c: GIH6-FRNIC": the named role is described by that handle's object
  kObjectHandle,   // "nic-hdl: GIH6-FRNIC": this object is the contact with that handle
};

enum class Role { kNone, kRegistrant, kAdmin, kTech };

// `key` is normalised: lower case ASCII, every run of other characters than [a-z0-9] one space,
// trimmed ("Registrant E-mail" -> "registrant e mail").
struct KeyAlias {
  std::string_view key;
  Field field;
  Role role = Role::kNone;
};

struct RuleSet {
  std::string_view name;              // "icann", "ripe", ... (for logs and tests)
  DateOrder date_order;               // how this registry writes dd/mm/yyyy vs mm/dd/yyyy
  std::span<const KeyAlias> aliases;  // consulted before the common aliases, so a family can
                                      // give a common key another meaning
  // RIPE-style: the reply is a list of blank-line separated objects; only the domain object,
  // name-server objects and the contact objects the domain names by handle are read (a
  // registrar object's "country:" must not become the registrant's).
  bool objects_by_handle = false;
  // "Key<two or more blanks>Value" lines without a colon (SK-NIC).
  bool column_keys = false;
};

// Aliases every family shares (ICANN / RFC 7485 style names). Defined in icann_rules.cc.
std::span<const KeyAlias> CommonAliases();

// The rule sets, one per file.
const RuleSet& IcannRules();     // ICANN-style thick and thin (Verisign) replies; the default
const RuleSet& RipeRules();      // RIPE-style objects with contact handles (.fr, .eu, .de, ...)
const RuleSet& IndentedRules();  // header line then indented values (Nominet .uk, .be, .it, ...)
const RuleSet& BracketRules();   // "[Key] value" and "a. [Key] value" (JPRS .jp, .kr)
const RuleSet& FreenomRules();   // Freenom ccTLDs (.tk, .cf, .ga, .gq, .ml): month-first dates
const RuleSet& ColumnRules();    // "Key      value" without colons (SK-NIC .sk)

// The rule set a host profile names (whois/hosts/host_profile.h), or nullptr for kByText.
const RuleSet* RuleSetById(RuleSetId id);

// Picks the rule set for a reply from `server_host` (any case): the one its host profile names
// (HostProfileFor: the host or its nearest parent with a row), else one chosen from the shape of
// the text. Never fails: the default is IcannRules().
const RuleSet& RuleSetFor(std::string_view server_host, std::string_view text);

}  // namespace whois::rules
