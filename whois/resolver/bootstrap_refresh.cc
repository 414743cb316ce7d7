#include "whois/resolver/bootstrap_refresh.h"

#include <spdlog/spdlog.h>

#include <utility>

#include "whois/rdap/bootstrap.h"
#include "whois/rdap/rdap_url.h"
#include "whois/resolver/run_soon.h"

namespace whois {

namespace {

// A refresh waits this long at most for its turn at the registry's host.
constexpr int64_t kRefreshBudgetMs = 60 * 1000;

}  // namespace

BootstrapRefresh::BootstrapRefresh(uv_loop_t* loop, UpstreamGate* gate, rdap::HttpTransport* http,
                                   RdapSource* source, std::string url, Clock clock,
                                   Persist persist)
    : loop_(loop),
      gate_(gate),
      http_(http),
      source_(source),
      url_(std::move(url)),
      clock_(std::move(clock)),
      persist_(std::move(persist)),
      timer_(loop) {}

BootstrapRefresh::~BootstrapRefresh() { *alive_ = false; }

void BootstrapRefresh::Start(uint64_t first_ms, uint64_t period_ms) {
  timer_.Start(first_ms, period_ms, [this] { Run(); });
}

void BootstrapRefresh::Run(std::function<void()> done) {
  auto finished = std::make_shared<std::function<void()>>(std::move(done));
  auto end = [finished] {
    if (*finished) (*finished)();
  };
  auto url = rdap::ParseRdapUrl(url_);
  if (!url.ok()) {
    spdlog::warn("rdap-bootstrap-url '{}': {}", url_, url.status().message());
    return RunSoon(loop_, end);
  }
  std::string host = url->host;
  rdap::HttpRequestOptions o;
  o.max_body_bytes = rdap::kMaxBootstrapBytes;
  o.allow_http = true;  // the operator's URL (the default is https)
  o.allow_private = true;
  gate_->Admit(
      host, limits::Priority::kBackground, clock_() + kRefreshBudgetMs,
      [this, o, end, alive = alive_](UpstreamGate::GateStart start) mutable {
        o.source_address = std::move(start.source_address);
        o.on_sent = std::move(start.sent);
        http_->Get(url_, o,
                   [this, end, finish = std::move(start.finish), alive](rdap::HttpResult h) {
                     std::optional<int64_t> wait_ms;
                     finish(RdapOutcome(h, &wait_ms), wait_ms);
                     if (*alive) OnFetched(h);
                     end();
                   });
      },
      [end](GateResult g) {
        spdlog::warn("RDAP bootstrap refresh not started: {}",
                     g.limited ? g.message : g.upstream.error);
        end();
      });
}

void BootstrapRefresh::OnFetched(const rdap::HttpResult& h) {
  if (h.failure != rdap::HttpFailure::kNone || h.status != 200) {
    spdlog::warn(
        "RDAP bootstrap refresh from {} failed: {}", url_,
        h.failure != rdap::HttpFailure::kNone ? h.error : "HTTP " + std::to_string(h.status));
    return;
  }
  auto parsed = rdap::RdapBootstrap::Parse(h.body);
  if (!parsed.ok()) {
    spdlog::warn("RDAP bootstrap from {} refused: {}", url_, parsed.status().message());
    return;
  }
  auto& fresh = parsed.value();
  fresh.KeepOverridesFrom(source_->bootstrap());
  if (persist_) persist_(fresh.Encode());
  spdlog::info("RDAP bootstrap refreshed: {} entries, published {}", fresh.size(),
               fresh.publication());
  source_->bootstrap() = std::move(fresh);
}

}  // namespace whois
