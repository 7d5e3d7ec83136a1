#include "lines/line_pool.h"

#include <algorithm>
#include <thread>

#include <fmt/format.h>
#include <boost/asio/post.hpp>

#include "base/log.h"

namespace faxgate {
namespace {

bool Listed(const std::vector<std::string>& list, const std::string& number) {
  return std::find(list.begin(), list.end(), number) != list.end();
}

}  // namespace

LinePool::LinePool(boost::asio::io_context& control, const Config& config,
                   std::function<FaxOptions()> local_options, InboundHandler& inbound,
                   OutboundEvents& outbound)
    : control_(control),
      config_(config),
      local_options_(std::move(local_options)),
      inbound_(inbound),
      outbound_(outbound) {
  int n = config.media_workers > 0
              ? config.media_workers
              : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  for (int i = 0; i < n; ++i)
    workers_.push_back(std::make_unique<MediaWorker>(i, config.loopback.pace));
  sip_ = std::make_unique<SipLines>(control, config, workers_, local_options_, inbound, outbound);
}

LinePool::~LinePool() { Stop(); }

Status LinePool::Start() {
  for (auto& w : workers_) w->Start();
  FG_RETURN_IF_ERROR(sip_->Start());
  log::Get("call")->info("{} media workers started; loopback trunk {} ({} channels, {} pace)",
                         workers_.size(), config_.loopback.enabled ? "up" : "off",
                         config_.loopback.channels,
                         config_.loopback.pace == Pace::kFast ? "fast" : "realtime");
  return Status::Ok();
}

void LinePool::Stop() {
  // Calls first hang up on their workers (their reports reach the control thread), then the SIP
  // agent sends what BYEs remain and stops.
  for (auto& w : workers_) w->Stop();
  sip_->Stop();
}

int LinePool::active_calls() const {
  return static_cast<int>(calls_.size()) + sip_->active_calls();
}

bool LinePool::HasFreeLine() const {
  if (config_.max_concurrent_calls > 0 && active_calls() >= config_.max_concurrent_calls)
    return false;
  if (sip_->HasFreeLine()) return true;
  return config_.loopback.enabled && static_cast<int>(calls_.size()) < config_.loopback.channels;
}

LoopbackBehaviour LinePool::BehaviourFor(const std::string& dial, int* drop_after) {
  const LoopbackTrunkConfig& lb = config_.loopback;
  LoopbackBehaviour b = LoopbackBehaviour::kNormal;
  if (Listed(lb.busy, dial))
    b = LoopbackBehaviour::kBusy;
  else if (Listed(lb.no_answer, dial))
    b = LoopbackBehaviour::kNoAnswer;
  else if (Listed(lb.no_fax, dial))
    b = LoopbackBehaviour::kNoFax;
  else if (auto it = lb.drop_after_pages.find(dial); it != lb.drop_after_pages.end()) {
    b = LoopbackBehaviour::kDropAfterPages;
    *drop_after = it->second;
  }
  if (b != LoopbackBehaviour::kNormal && lb.fail_count > 0 &&
      special_calls_[dial]++ >= lb.fail_count) {
    return LoopbackBehaviour::kNormal;  // it has misbehaved often enough; now it works
  }
  return b;
}

LoopbackCallSinks LinePool::MakeSinks() {
  LoopbackCallSinks s;
  s.page_confirmed = [this](JobId job, int pages) {
    boost::asio::post(control_, [this, job, pages] { outbound_.OnPageConfirmed(job, pages); });
  };
  s.outbound_ended = [this](JobId job, const CallReport& r) {
    boost::asio::post(control_, [this, job, r] {
      calls_.erase(job);
      outbound_.OnCallEnded(job, r);
    });
  };
  s.inbound_page = [this](InboundId id, int pages) {
    boost::asio::post(control_, [this, id, pages] { inbound_.OnInboundPage(id, pages); });
  };
  s.inbound_ended = [this](InboundId id, const CallReport& r) {
    boost::asio::post(control_, [this, id, r] { inbound_.OnInboundEnded(id, r); });
  };
  return s;
}

Status LinePool::Dial(const DialRequest& request) {
  if (sip_->Carries(request.number.dial_string) || !config_.loopback.enabled) {
    if (!config_.trunks.empty()) return sip_->Dial(request);
    return MakeError(ErrorCode::kUnavailable, "no trunk is configured to carry calls");
  }
  LoopbackCallSetup setup;
  setup.call_id = fmt::format("loop-{}", next_call_++);
  setup.job = request.job;
  setup.called_number = request.number.dial_string;
  setup.behaviour = BehaviourFor(request.number.dial_string, &setup.drop_after_pages);
  setup.sender.role = FaxRole::kSender;
  setup.sender.calling_party = true;
  setup.sender.file = request.document;
  setup.sender.first_page = request.first_page;
  setup.sender.options = local_options_();

  if (setup.behaviour == LoopbackBehaviour::kNormal ||
      setup.behaviour == LoopbackBehaviour::kDropAfterPages) {
    IncomingCall incoming{"loopback", setup.call_id, request.number.dial_string,
                          setup.sender.options.local_ident};
    auto ticket = inbound_.OnIncomingCall(incoming);
    if (!ticket.ok()) {
      CallReport r;
      r.kind = FailureKind::kBadNumber;
      r.reason = fmt::format("the call to {} was refused: {}", request.number.display,
                             ticket.error().message);
      r.trunk = "loopback";
      r.call_id = setup.call_id;
      boost::asio::post(control_, [this, job = request.job, r] { outbound_.OnCallEnded(job, r); });
      return Status::Ok();
    }
    setup.inbound = *ticket;
  }

  int worker = next_worker_;
  next_worker_ = (next_worker_ + 1) % static_cast<int>(workers_.size());
  calls_[request.job] = ActiveCall{setup.call_id, worker};
  log::Get("call")->info("call {}: job {} dialling {} on the loopback trunk", setup.call_id,
                         request.job, request.number.display);
  workers_[worker]->Add(MakeLoopbackCall(std::move(setup), MakeSinks()));
  return Status::Ok();
}

void LinePool::HangUp(JobId job) {
  if (sip_->HangUp(job)) return;
  auto it = calls_.find(job);
  if (it == calls_.end()) return;
  workers_[it->second.worker]->HangUp(it->second.call_id, "the sender cancelled the fax");
}

std::vector<LineStatus> LinePool::Lines() const {
  std::vector<LineStatus> out;
  if (config_.loopback.enabled || config_.trunks.empty()) {
    LineStatus s;
    s.trunk = "loopback";
    s.kind = "loopback";
    s.state = config_.loopback.enabled ? "up" : "down";
    s.active_calls = static_cast<int>(calls_.size());
    s.channels = config_.loopback.channels;
    out.push_back(s);
  }
  for (LineStatus& s : sip_->Lines()) out.push_back(std::move(s));
  return out;
}

TickStats LinePool::tick_stats() const {
  TickStats all;
  for (const auto& w : workers_) {
    TickStats s = w->stats();
    all.ticks += s.ticks;
    for (int i = 0; i < TickStats::kBuckets; ++i) all.histogram[i] += s.histogram[i];
  }
  return all;
}

}  // namespace faxgate
