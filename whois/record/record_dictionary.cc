#include "whois/record/record_dictionary.h"

#include <iterator>
#include <string_view>
#include <vector>

#include "whois/record/record.h"

namespace whois {
namespace {

// zstd copies from the end of a raw dictionary most cheaply (short offsets), so the text runs
// from the rarer strings to the commonest record shape.

struct RegistrarRow {
  const char *name, *iana_id, *url, *whois_server, *abuse_email, *abuse_phone;
};

// Registrars with the most domains under management (public ICANN data).
constexpr RegistrarRow kRegistrars[] = {
    {"Chengdu West Dimension Digital Technology Co., Ltd.", "1556", "http://www.west.cn",
     "whois.west.cn", "abuse@west.cn", "+86.2862778877"},
    {"Xin Net Technology Corporation", "120", "http://www.xinnet.com", "whois.paycenter.com.cn",
     "supervision@xinnet.com", "+86.1087128064"},
    {"Alibaba Cloud Computing (Beijing) Co., Ltd.", "420", "http://www.net.cn",
     "grs-whois.hichina.com", "DomainAbuse@service.aliyun.com", "+86.95187"},
    {"Registrar of Domain Names REG.RU LLC", "1606", "https://www.reg.ru", "whois.reg.com",
     "abuse@reg.ru", "+7.4955801111"},
    {"Web Commerce Communications Limited dba WebNic.cc", "460", "https://www.webnic.cc",
     "whois.webnic.cc", "compliance_abuse@webnic.cc", "+60.389966788"},
    {"GMO Internet Group, Inc. d/b/a Onamae.com", "49", "https://www.onamae.com",
     "whois.discount-domain.com", "abuse@gmo.jp", "+81.337709199"},
    {"Hosting Concepts B.V. d/b/a Registrar.eu", "1647", "https://www.registrar.eu",
     "whois.registrar.eu", "abuse@registrar.eu", "+31.104482299"},
    {"Key-Systems GmbH", "269", "http://www.key-systems.net", "whois.rrpproxy.net",
     "abuse@key-systems.net", "+49.68949396850"},
    {"1API GmbH", "1387", "http://www.1api.net", "whois.1api.net", "abuse@1api.net",
     "+49.68949396850"},
    {"Automattic Inc.", "1531", "https://wordpress.com", "whois.wordpress.com",
     "abuse@wordpress.com", "+1.8772733049"},
    {"Register.com, Inc.", "9", "http://www.register.com", "whois.register.com", "abuse@web.com",
     "+1.8003337680"},
    {"Name.com, Inc.", "625", "http://www.name.com", "whois.name.com", "abuse@name.com",
     "+1.7203101849"},
    {"CSC Corporate Domains, Inc.", "299", "http://www.cscprotectsbrands.com",
     "whois.corporatedomains.com", "domainabuse@cscglobal.com", "+1.8887802723"},
    {"MarkMonitor Inc.", "292", "http://www.markmonitor.com", "whois.markmonitor.com",
     "abusecomplaints@markmonitor.com", "+1.2086851750"},
    {"Hostinger Operations, UAB", "1636", "https://www.hostinger.com", "whois.hostinger.com",
     "abuse-tracker@hostinger.com", "+370.64503378"},
    {"NameSilo, LLC", "1479", "https://www.namesilo.com", "whois.namesilo.com",
     "abuse@namesilo.com", "+1.4805240066"},
    {"Porkbun LLC", "1861", "https://porkbun.com", "whois.porkbun.com", "abuse@porkbun.com",
     "+1.5038508351"},
    {"Dynadot Inc", "472", "https://www.dynadot.com", "whois.dynadot.com", "abuse@dynadot.com",
     "+1.6502620100"},
    {"Amazon Registrar, Inc.", "468", "https://registrar.amazon.com", "whois.registrar.amazon.com",
     "abuse@amazonaws.com", "+1.2024422253"},
    {"Gandi SAS", "81", "https://www.gandi.net", "whois.gandi.net", "abuse@support.gandi.net",
     "+33.170377661"},
    {"OVH sas", "433", "https://www.ovh.com", "whois.ovh.com", "abuse@ovh.net", "+33.972101007"},
    {"IONOS SE", "83", "https://www.ionos.com", "whois.ionos.com", "abuse@ionos.com",
     "+1.6105601459"},
    {"eNom, LLC", "48", "http://www.enom.com", "whois.enom.com", "abuse@enom.com", "+1.4252982646"},
    {"PDR Ltd. d/b/a PublicDomainRegistry.com", "303", "http://www.publicdomainregistry.com",
     "whois.publicdomainregistry.com", "abuse-contact@publicdomainregistry.com", "+1.2013775952"},
    {"Wild West Domains, LLC", "440", "https://www.wildwestdomains.com",
     "whois.wildwestdomains.com", "abuse@wildwestdomains.com", "+1.4806242505"},
    {"Network Solutions, LLC", "2", "http://networksolutions.com", "whois.networksolutions.com",
     "domain.operations@web.com", "+1.8003337680"},
    {"Squarespace Domains II LLC", "895", "https://domains.squarespace.com",
     "whois.squarespace.domains", "abuse-complaints@squarespace.com", "+1.6466935324"},
    {"Cloudflare, Inc.", "1910", "https://www.cloudflare.com", "whois.cloudflare.com",
     "registrar-abuse@cloudflare.com", "+1.4153197517"},
    {"Tucows Domains Inc.", "69", "http://www.tucows.com", "whois.tucows.com",
     "domainabuse@tucows.com", "+1.4165350123"},
    {"NameCheap, Inc.", "1068", "https://www.namecheap.com", "whois.namecheap.com",
     "abuse@namecheap.com", "+1.6613102107"},
    {"GoDaddy.com, LLC", "146", "https://www.godaddy.com", "whois.godaddy.com", "abuse@godaddy.com",
     "+1.4806242505"},
};

// Privacy services registrants hide behind, with their published addresses; the commonest last.
std::vector<Contact> PrivacyContacts() {
  return {
      {"", "Whois Privacy Protection Service, Inc.", "PO Box 639", "Kirkland", "WA", "98083", "US",
       "+1.4252982646", ""},
      {"", "PrivacyGuardian.org llc", "1928 E. Highland Ave. Ste F104 PMB# 255", "Phoenix", "AZ",
       "85016", "US", "+1.3478717726", ""},
      {"", "Super Privacy Service LTD c/o Dynadot", "PO Box 701", "San Mateo", "CA", "94401", "US",
       "+1.6505854708", ""},
      {"", "Contact Privacy Inc. Customer 0123456789", "96 Mowat Ave", "Toronto", "ON", "M6K 3M1",
       "CA", "+1.4165385487", ""},
      {"", "Data Protected", "", "", "", "", "", "", ""},
      {"", "Privacy service provided by Withheld for Privacy ehf", "Kalkofnsvegur 2", "Reykjavik",
       "Capital Region", "101", "IS", "+354.4212434", ""},
      {"Registration Private", "Domains By Proxy, LLC",
       "DomainsByProxy.com, 100 S. Mill Ave, Suite 1600", "Tempe", "Arizona", "85281", "US",
       "+1.4806242505", ""},
  };
}

constexpr std::string_view kNameServers[] = {
    "ns1.first-ns.de",
    "robotns2.second-ns.de",
    "ns.inwx.de",
    "helium.ns.hetzner.de",
    "hydrogen.ns.hetzner.com",
    "oxygen.ns.hetzner.com",
    "docks01.rzone.de",
    "shades01.rzone.de",
    "ns1.your-server.de",
    "dns101.ovh.net",
    "ns101.ovh.net",
    "a.dns.gandi.net",
    "b.dns.gandi.net",
    "c.dns.gandi.net",
    "ns1.dnspod.net",
    "dns9.hichina.com",
    "dns10.hichina.com",
    "vip1.alidns.com",
    "vip2.alidns.com",
    "ns1.cscdns.net",
    "ns2.cscdns.net",
    "pdns1.ultradns.net",
    "a1-12.akam.net",
    "ns1.p11.dynect.net",
    "dns1.p01.nsone.net",
    "dns2.p01.nsone.net",
    "ns-cloud-a1.googledomains.com",
    "ns1.digitalocean.com",
    "ns2.digitalocean.com",
    "ns3.digitalocean.com",
    "ns1.wixdns.net",
    "ns2.wixdns.net",
    "ns1.hostinger.com",
    "ns1.dns-parking.com",
    "ns2.dns-parking.com",
    "ns1.bluehost.com",
    "ns2.bluehost.com",
    "ns1.siteground.net",
    "ns1.sedoparking.com",
    "ns2.sedoparking.com",
    "ns1.bodis.com",
    "ns1.parkingcrew.net",
    "ns1.afternic.com",
    "ns2.afternic.com",
    "ns1.dynadot.com",
    "ns1.namebrightdns.com",
    "dns1.name-services.com",
    "ns1.systemdns.com",
    "ns-1234.awsdns-12.org",
    "ns-567.awsdns-34.net",
    "ns-89.awsdns-01.com",
    "ns-1678.awsdns-17.co.uk",
    "ns1.dnsowl.com",
    "dns1.registrar-servers.com",
    "dns2.registrar-servers.com",
    "ns01.domaincontrol.com",
    "ns02.domaincontrol.com",
    "ns1.google.com",
    "ns2.google.com",
    "ada.ns.cloudflare.com",
    "bob.ns.cloudflare.com",
};

// Registries' WHOIS and RDAP servers, as `source.servers` names them.
constexpr std::string_view kRegistryServers[] = {
    "whois.nic.xyz",
    "whois.nic.top",
    "whois.nic.online",
    "whois.nic.shop",
    "whois.nic.site",
    "whois.nic.club",
    "whois.nic.store",
    "whois.nic.co",
    "whois.nic.me",
    "whois.nic.io",
    "whois.nic.ai",
    "whois.nic.us",
    "whois.nic.biz",
    "whois.registry.in",
    "whois.afilias.net",
    "whois.nic.tr",
    "whois.registro.br",
    "whois.cira.ca",
    "whois.auda.org.au",
    "whois.kr",
    "whois.jprs.jp",
    "whois.cnnic.cn",
    "whois.tcinet.ru",
    "whois.nic.at",
    "whois.nic.ch",
    "whois.domain-registry.nl",
    "whois.dns.be",
    "whois.nic.it",
    "whois.dns.pl",
    "whois.nic.fr",
    "whois.eu",
    "whois.iis.se",
    "whois.norid.no",
    "whois.dk-hostmaster.dk",
    "whois.nic.uk",
    "whois.denic.de",
    "whois.publicinterestregistry.org",
    "rdap.verisign.com",
    "whois.verisign-grs.com",
};

// Its own copy of the EPP codes (the parser has a list too): the dictionary's bytes must not
// move when the parser's list does.
constexpr std::string_view kEppStatus[] = {
    "addPeriod",
    "autoRenewPeriod",
    "inactive",
    "ok",
    "active",
    "pendingCreate",
    "pendingDelete",
    "pendingRenew",
    "pendingRestore",
    "pendingTransfer",
    "pendingUpdate",
    "redemptionPeriod",
    "renewPeriod",
    "transferPeriod",
    "serverHold",
    "serverRenewProhibited",
    "clientHold",
    "clientRenewProhibited",
    "serverDeleteProhibited",
    "serverTransferProhibited",
    "serverUpdateProhibited",
    "clientDeleteProhibited",
    "clientTransferProhibited",
    "clientUpdateProhibited",
};

// What gTLD registrars withhold since the GDPR, as the parser lists it: its own copy of
// kContactFields's names (record.h), as kEppStatus is, so that the bytes stay put.
constexpr std::string_view kContactFieldNames[] = {
    "name", "organization", "street", "city", "state", "postal_code", "country", "phone", "email"};

std::vector<std::string> Strings(const auto& list) {
  return std::vector<std::string>(std::begin(list), std::end(list));
}

std::vector<std::string> RedactedPaths() {
  std::vector<std::string> out;
  for (std::string_view who : {"tech", "admin", "registrant"})
    for (std::string_view field : kContactFieldNames)
      if (!(who == "registrant" &&
            (field == "organization" || field == "state" || field == "country")))
        out.push_back(std::string(who) + "." + std::string(field));
  return out;
}

Registrar RegistrarOf(const RegistrarRow& r) {
  return {r.name, r.iana_id, r.url, r.whois_server, r.abuse_email, r.abuse_phone};
}

WhoisRecord Answer(std::string domain, std::string protocol, std::vector<std::string> servers) {
  WhoisRecord rec;
  rec.domain = std::move(domain);
  rec.status = std::string(kStatusRegistered);
  rec.source_protocol = std::move(protocol);
  rec.source_servers = std::move(servers);
  rec.fetched_at = "2026-01-01T00:00:00Z";
  return rec;
}

// A ccTLD registry's thick record: full contacts, the registry's own status words.
WhoisRecord CcTldRecord() {
  WhoisRecord rec = Answer("beispiel-gmbh.de", std::string(kProtocolWhois), {"whois.denic.de"});
  rec.updated = "2025-06-12T09:41:07Z";
  Contact holder{
      "Max Mustermann", "Beispiel GmbH & Co. KG", "Hauptstrasse 1", "Berlin", "", "10115", "DE",
      "+49.3012345678", "info@beispiel-gmbh.de"};
  rec.registrant = holder;
  rec.tech = {"Hostmaster", "Strato AG",    "Otto-Ostrowski-Strasse 7", "Berlin", "", "10249",
              "DE",         "+49.30398020", "hostmaster@strato.de"};
  rec.nameservers = {"docks01.rzone.de", "shades01.rzone.de"};
  rec.domain_status = {"connect"};
  rec.country = "DE";
  rec.country_source = std::string(kCountryFromRegistrant);
  return rec;
}

// A not-found answer and a fallback, the other two statuses records are stored with.
std::string OtherStatuses() {
  WhoisRecord missing =
      Answer("no-such-name.com", std::string(kProtocolWhois), {"whois.verisign-grs.com"});
  missing.status = std::string(kStatusNotFound);
  missing.country = "US";
  missing.country_source = std::string(kCountryFromTld);
  return ToJson(missing);
}

// The commonest record: a .com answered by the registry and then the registrar, contacts
// withheld but for the registrant's organization, state and country.
WhoisRecord GtldRecord(const RegistrarRow& registrar, const Contact& registrant,
                       std::string protocol) {
  std::vector<std::string> servers = {"whois.verisign-grs.com", registrar.whois_server};
  if (protocol == kProtocolRdap) servers = {"rdap.verisign.com"};
  WhoisRecord rec = Answer("example-domain.com", std::move(protocol), std::move(servers));
  rec.created = "2015-03-14T15:09:26Z";
  rec.updated = "2025-02-01T08:00:00Z";
  rec.expires = "2027-03-14T15:09:26Z";
  rec.registrar = RegistrarOf(registrar);
  rec.registrant = registrant;
  rec.registrant.email = "https://www.registrar.example/whois-contact";
  rec.admin = {"", "", "", "", "", "", "", "", ""};
  rec.nameservers = {"ns1.example-domain.com", "ns2.example-domain.com"};
  rec.domain_status = {"clientDeleteProhibited", "clientRenewProhibited",
                       "clientTransferProhibited", "clientUpdateProhibited"};
  rec.dnssec = "unsigned";
  rec.redacted = RedactedPaths();
  rec.country = registrant.country;
  rec.country_source = std::string(kCountryFromRegistrant);
  return rec;
}

}  // namespace

std::string RecordDictionaryText() {
  std::string out;
  // Lists first: strings many records hold, each once, in a record's JSON shape.
  WhoisRecord lists = Answer("example.net", std::string(kProtocolWhois), Strings(kRegistryServers));
  lists.domain_status = Strings(kEppStatus);
  lists.nameservers = Strings(kNameServers);
  lists.dnssec = "signedDelegation";
  out += ToJson(lists);
  out += '\n';
  for (const RegistrarRow& r : kRegistrars) {
    WhoisRecord rec = Answer("example.org", std::string(kProtocolWhois), {r.whois_server});
    rec.registrar = RegistrarOf(r);
    out += ToJson(rec);
    out += '\n';
  }
  std::vector<Contact> privacy = PrivacyContacts();
  for (const Contact& c : privacy) {
    WhoisRecord rec = Answer("example.info", std::string(kProtocolWhois), {});
    rec.registrant = c;
    rec.admin = c;
    rec.tech = c;
    out += ToJson(rec);
    out += '\n';
  }
  out += OtherStatuses();
  out += '\n';
  out += ToJson(CcTldRecord());
  out += '\n';
  const RegistrarRow& namecheap = kRegistrars[std::size(kRegistrars) - 2];
  const RegistrarRow& godaddy = kRegistrars[std::size(kRegistrars) - 1];
  out += ToJson(GtldRecord(namecheap, privacy[privacy.size() - 2], std::string(kProtocolRdap)));
  out += '\n';
  out += ToJson(GtldRecord(godaddy, privacy.back(), std::string(kProtocolWhois)));
  return out;
}

}  // namespace whois
