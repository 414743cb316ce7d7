// LookupSource: one protocol that can look a domain up (WHOIS, RDAP), as the Resolver sees it:
// what it serves and how it looks up. The Resolver holds an ordered list of them, built from
// `lookup-order` (lookup_order.h); a new source protocol is one class behind this interface
// and one word in that table. Loop thread only.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <utility>

#include "whois/limits/host_scheduler.h"
#include "whois/resolver/lookup_result.h"

namespace whois {

class LookupSource {
 public:
  virtual ~LookupSource() = default;

  // kProtocolWhois or kProtocolRdap: the name `lookup-order` uses and the record's
  // source.protocol when this source answers.
  virtual std::string_view protocol() const = 0;

  // Whether this source has a server to ask about `domain` (a normalised A-label whose last
  // label is `tld`). A source that does not is skipped for it.
  virtual bool Serves(std::string_view domain, std::string_view tld) const = 0;

  // The upstream host a lookup of `domain` would ask first; empty if there is none. For
  // grouping background work by the host whose limits it spends.
  virtual std::string FirstHost(std::string_view domain, std::string_view tld) const = 0;

  using Done = std::function<void(LookupResult)>;
  // Resolves `domain`. `deadline_ms` (wall clock) is when the client asking gives up: a request
  // whose turn at its host cannot come before it ends the lookup at once (fallback rate_limited
  // / daily_limit / queue_full); later hops run as background work with their own budget. With
  // `priority` kBackground every request waits behind clients at its host. `done` is called
  // exactly once, from the loop, never from inside Lookup(); a failure is outcome kFailed with
  // its fallback reason, "not found" is an answer (kNotFound).
  virtual void Lookup(const std::string& domain, const std::string& tld, int64_t deadline_ms,
                      limits::Priority priority, Done done) = 0;

  // Called once per lookup when the registry has answered with the domain's record and a
  // further hop (the registrar) is about to be asked, with the result so far (outcome kFound).
  // Called on the loop from inside the source: the handler must not call back into it.
  using Progress = std::function<void(const std::string& domain, const LookupResult& so_far)>;
  virtual void SetProgressHandler(Progress handler) = 0;
};

// What every source's chain of queries starts from: the lookup as Lookup() was asked it, and the
// result the chain fills. A source's own chain derives from it and adds its state.
struct LookupChain {
  LookupChain(std::string domain_in, int64_t deadline_ms_in, limits::Priority priority,
              LookupSource::Done done_in)
      : domain(std::move(domain_in)),
        deadline_ms(deadline_ms_in),
        background(priority == limits::Priority::kBackground),
        done(std::move(done_in)) {}

  std::string domain;
  int64_t deadline_ms = 0;
  bool background = false;  // every query of the chain waits behind clients at its host
  LookupSource::Done done;
  LookupResult result;
};

}  // namespace whois
