// Live resolution of one domain: the lookup sources `lookup-order` names (lookup_order.h), asked
// in order, the next only when the one before failed. Loop thread only.
//
// The resolver knows nothing of caching, clients or protocols: the server coalesces concurrent
// GETs for one domain into one Lookup(), and gives each waiting client its own deadline; each
// source (WhoisSource, RdapSource) runs its own chain of queries through the upstream gate.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "whois/resolver/lookup_result.h"
#include "whois/resolver/lookup_source.h"

namespace whois {

class Resolver {
 public:
  // `order`: the sources in the order `lookup-order` names them. `last_resort` (WHOIS, which
  // serves every domain) is asked when no source in `order` serves a domain, so that a TLD
  // without an RDAP server is looked up whatever the order. Every source outlives the resolver;
  // before destroying them, their owner cancels the queries in flight so that every Lookup
  // callback fires.
  Resolver(std::vector<LookupSource*> order, LookupSource* last_resort);
  ~Resolver();
  Resolver(const Resolver&) = delete;
  Resolver& operator=(const Resolver&) = delete;

  using Done = LookupSource::Done;
  // Resolves `domain` (a normalised A-label whose last label is `tld`): the first source that
  // serves it is asked; if it fails or has nothing usable (not "not found": that is an answer),
  // the next one that serves it is, and so on. The result is the last source's, with the chains
  // of the sources asked before it in front (so WHOIS.RAW shows every reply) and, when every one
  // failed, the first failure's detail if the last has none; source.protocol says which
  // answered. See LookupSource::Lookup for `deadline_ms`, `priority` and `done`.
  void Lookup(const std::string& domain, const std::string& tld, int64_t deadline_ms, Done done,
              limits::Priority priority = limits::Priority::kClient);

  // The upstream host a Lookup of `domain` would ask first: the first serving source's first
  // host that is not empty, else the last resort's (possibly empty). For grouping background
  // work by the host whose limits it spends.
  std::string FirstHost(const std::string& domain, const std::string& tld) const;

  // What a lookup has found so far, for a client whose wait runs out first: set on every
  // source (LookupSource::SetProgressHandler).
  void SetProgressHandler(LookupSource::Progress handler);

 private:
  // The sources asked for `domain`, in order.
  std::vector<LookupSource*> SourcesFor(std::string_view domain, std::string_view tld) const;
  using Step = std::function<void(Done)>;
  // A step that runs `first`, and `second` only if `first` failed; the second's result keeps
  // the first's hops in front of its own (and its detail when it has none).
  Step RunSecondIfFirstFails(Step first, Step second) const;

  std::vector<LookupSource*> order_;
  LookupSource* last_resort_;
  // Lets callbacks that outlive the resolver notice it is gone.
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace whois
