// Loads N realistic WHOIS records into a Redis-protocol server with pipelined SETs, so that the
// proxy and redis-server can be benchmarked on the same data. Domains are d<12 digits>.com, the
// spelling redis-benchmark produces for "d__rand_int__.com" with -r.
//
//   bench-load HOST PORT COUNT [FIRST [RECORDS_FILE]]
//
// Without RECORDS_FILE every record has one thick-gTLD shape that varies in a few fields only
// (enough for the proxy's paths, which do not look at the values). With it (one record JSON a
// line, e.g. bench-records' real replies parsed by the project's parser), record i is line
// i mod n with its domain, wherever it appears (e-mail addresses, own name servers), replaced by
// record i's: what depends on how records vary, such as compression, is measured on real ones.
#include <hiredis/hiredis.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include "bench/pipelined_sets.h"

namespace {

std::string DomainFor(long i) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "d%012ld.com", i);
  return buf;
}

// A record shaped like what the parser produces for a thick gTLD reply: ~1.6 KB.
std::string RecordFor(const std::string& domain, long i) {
  std::string org = "Example Holding " + std::to_string(i % 9973) + " GmbH";
  std::string j = R"({"domain":")" + domain + R"(","status":"registered",)";
  j += R"("created":"2009-03-1)" + std::to_string(i % 10) + R"(T10:22:31Z","updated":"2025-02-0)" +
       std::to_string(i % 9 + 1) + R"(T08:00:12Z","expires":"2027-03-1)" + std::to_string(i % 10) +
       R"(T10:22:31Z",)";
  j += R"("registrar":{"name":"Example Registrar, Inc.","iana_id":")" +
       std::to_string(1000 + i % 900) +
       R"(","url":"https://www.registrar.example","whois_server":"whois.registrar.example",)"
       R"("abuse_email":"abuse@registrar.example","abuse_phone":"+1.4805058800"},)";
  j +=
      R"("registrant":{"name":"Domain Administrator","organization":")" + org +
      R"(","street":"Musterstrasse )" + std::to_string(i % 200) +
      R"(","city":"Berlin","state":"BE","postal_code":"10115","country":"DE","phone":"+49.301234567",)"
      R"("email":"hostmaster@)" +
      domain + R"("},)";
  j += R"("admin":{"name":"Domain Administrator","organization":")" + org +
       R"(","city":"Berlin","postal_code":"10115","country":"DE","email":"admin@)" + domain +
       R"("},)";
  j +=
      R"("tech":{"name":"Network Operations","organization":"Example Hosting AG","city":"Frankfurt",)"
      R"("postal_code":"60311","country":"DE","email":"noc@hosting.example"},)";
  j += R"("nameservers":["ns1.hosting.example","ns2.hosting.example","ns3.hosting.example"],)";
  j +=
      R"("domain_status":["clientDeleteProhibited","clientTransferProhibited","clientUpdateProhibited"],)";
  j +=
      R"("dnssec":"unsigned","redacted":["registrant.phone"],"country":"DE","country_source":"registrant",)";
  j +=
      R"("source":{"protocol":"whois","servers":["whois.verisign-grs.com","whois.registrar.example"],)"
      R"("fetched_at":"2026-11-01T00:00:00Z"}})";
  return j;
}

// The lines of `path` that hold a record (a JSON object whose first member is its domain).
std::vector<std::string> ReadRecords(const char* path) {
  std::vector<std::string> out;
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line))
    if (line.rfind(R"({"domain":")", 0) == 0) out.push_back(line);
  return out;
}

std::string RecordFrom(const std::string& json, const std::string& domain) {
  constexpr size_t kStart = sizeof(R"({"domain":")") - 1;
  std::string old = json.substr(kStart, json.find('"', kStart) - kStart);
  std::string out;
  size_t from = 0;
  for (size_t at; !old.empty() && (at = json.find(old, from)) != std::string::npos;
       from = at + old.size())
    out.append(json, from, at - from).append(domain);
  return out.append(json, from);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 4) {
    std::fprintf(stderr, "usage: %s HOST PORT COUNT [FIRST [RECORDS_FILE]]\n", argv[0]);
    return 2;
  }
  long count = std::atol(argv[3]);
  long first = argc > 4 ? std::atol(argv[4]) : 0;
  std::vector<std::string> records;
  if (argc > 5) {
    records = ReadRecords(argv[5]);
    if (records.empty()) {
      std::fprintf(stderr, "no record JSON in %s\n", argv[5]);
      return 1;
    }
  }
  redisContext* c = redisConnect(argv[1], std::atoi(argv[2]));
  if (c == nullptr || c->err) {
    std::fprintf(stderr, "cannot connect: %s\n", c ? c->errstr : "out of memory");
    return 1;
  }
  size_t bytes = 0;
  long errors = bench::PipelinedSets(
      c, count, /*window=*/256, /*px=*/0, [&](long n, std::string* d, std::string* r) {
        long i = first + n;
        *d = DomainFor(i);
        *r = records.empty() ? RecordFor(*d, i)
                             : RecordFrom(records[static_cast<size_t>(i) % records.size()], *d);
        bytes += r->size();
      });
  if (errors < 0) return 1;
  redisFree(c);
  std::printf("loaded %ld records (%.0f bytes of JSON on average), %ld errors\n", count,
              count ? double(bytes) / double(count) : 0.0, errors);
  return errors ? 1 : 0;
}
