#include "whois/resolver/resolver.h"

#include <iterator>
#include <utility>

namespace whois {

Resolver::Resolver(std::vector<LookupSource*> order, LookupSource* last_resort)
    : order_(std::move(order)), last_resort_(last_resort) {}

Resolver::~Resolver() { *alive_ = false; }

std::vector<LookupSource*> Resolver::SourcesFor(std::string_view domain,
                                                std::string_view tld) const {
  std::vector<LookupSource*> out;
  for (LookupSource* source : order_)
    if (source->Serves(domain, tld)) out.push_back(source);
  if (out.empty()) out.push_back(last_resort_);
  return out;
}

void Resolver::Lookup(const std::string& domain, const std::string& tld, int64_t deadline_ms,
                      Done done, limits::Priority priority) {
  Step step;
  for (LookupSource* source : SourcesFor(domain, tld)) {
    Step ask = [source, domain, tld, deadline_ms, priority](Done d) {
      source->Lookup(domain, tld, deadline_ms, priority, std::move(d));
    };
    step = step ? RunSecondIfFirstFails(std::move(step), std::move(ask)) : std::move(ask);
  }
  step(std::move(done));
}

std::string Resolver::FirstHost(const std::string& domain, const std::string& tld) const {
  for (LookupSource* source : SourcesFor(domain, tld)) {
    if (std::string host = source->FirstHost(domain, tld); !host.empty()) return host;
  }
  return last_resort_->FirstHost(domain, tld);
}

void Resolver::SetProgressHandler(LookupSource::Progress handler) {
  for (LookupSource* source : order_) source->SetProgressHandler(handler);
  last_resort_->SetProgressHandler(std::move(handler));
}

Resolver::Step Resolver::RunSecondIfFirstFails(Step first, Step second) const {
  return [first = std::move(first), second = std::move(second), alive = alive_](Done done) {
    first([second, done = std::move(done), alive](LookupResult a) mutable {
      if (!*alive || a.outcome != LookupOutcome::kFailed) return done(std::move(a));
      second([a = std::move(a), done = std::move(done)](LookupResult b) {
        b.chain.insert(b.chain.begin(), std::make_move_iterator(a.chain.begin()),
                       std::make_move_iterator(a.chain.end()));
        if (b.outcome == LookupOutcome::kFailed && b.detail.empty()) b.detail = a.detail;
        done(std::move(b));
      });
    });
  };
}

}  // namespace whois
