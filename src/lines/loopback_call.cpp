#include "lines/loopback_call.h"

#include <array>

#include <fmt/format.h>
#include <spandsp.h>

#include "base/clock.h"
#include "base/log.h"
#include "lines/call_report.h"

namespace faxgate {
namespace {

constexpr int kTicksPerSecond = 50;
constexpr int kRingTicks = 1 * kTicksPerSecond;       // one ring before answering
constexpr int kNoAnswerTicks = 30 * kTicksPerSecond;  // ring-out time of an unanswered call
constexpr int kLoneSideTicks = 10 * kTicksPerSecond;  // one side gone, the other still on
constexpr int kMaxCallTicks = 3 * 3600 * kTicksPerSecond;
// A dropping line cuts the call this long after page N arrived: long enough for the receiver's
// confirmation (MCF) to reach the sender, so exactly N pages count as sent, and the next page is
// cut in the middle.
constexpr int kDropDelayTicks = 2 * kTicksPerSecond;

// The loopback trunk carries G.711 µ-law, as a SIP trunk would: the audio passes the codec both
// ways so the fax modems see the same quantisation as on a real line.
void ThroughUlaw(std::span<int16_t> samples) {
  for (int16_t& s : samples) s = ulaw_to_linear(linear_to_ulaw(s));
}

class LoopbackCall final : public MediaCall {
 public:
  LoopbackCall(LoopbackCallSetup setup, LoopbackCallSinks sinks)
      : setup_(std::move(setup)), sinks_(std::move(sinks)), started_at_(clock_.Now()) {
    sender_events_.call = this;
    receiver_events_.call = this;
  }

  const std::string& key() const override { return setup_.call_id; }

  void HangUp(const std::string& why) override {
    if (hangup_reason_.empty()) hangup_reason_ = why;
  }

  bool Tick() override {
    ++ticks_;
    if (!hangup_reason_.empty() && !answered_) {
      return EndUnanswered(FailureKind::kCancelled, hangup_reason_);
    }
    if (!answered_) return Ring();
    if (!hangup_reason_.empty()) HangUpBoth(hangup_reason_);
    if (drop_countdown_ > 0 && --drop_countdown_ == 0) {
      HangUpBoth(
          fmt::format("the line dropped after page {} (loopback trunk: {} drops after {} "
                      "pages)",
                      setup_.drop_after_pages, setup_.called_number, setup_.drop_after_pages));
    }
    ExchangeAudio();
    return !CheckFinished();
  }

 private:
  struct SenderEvents : FaxEvents {
    LoopbackCall* call = nullptr;
    void OnPageConfirmed(int pages) override {
      call->sinks_.page_confirmed(call->setup_.job, pages);
    }
  };
  struct ReceiverEvents : FaxEvents {
    LoopbackCall* call = nullptr;
    void OnPageReceived(int pages) override {
      call->sinks_.inbound_page(call->setup_.inbound->id, pages);
      if (call->setup_.behaviour == LoopbackBehaviour::kDropAfterPages &&
          pages >= call->setup_.drop_after_pages && call->drop_countdown_ == 0)
        call->drop_countdown_ = kDropDelayTicks;
    }
  };

  bool Ring() {
    switch (setup_.behaviour) {
      case LoopbackBehaviour::kBusy:
        return EndUnanswered(FailureKind::kBusy, fmt::format("Busy signal detected ({} is busy)",
                                                             setup_.called_number));
      case LoopbackBehaviour::kNoAnswer:
        if (ticks_ < kNoAnswerTicks) return true;
        return EndUnanswered(FailureKind::kNoAnswer,
                             fmt::format("No answer from {} after {} s", setup_.called_number,
                                         kNoAnswerTicks / kTicksPerSecond));
      default:
        if (ticks_ < kRingTicks) return true;
        return Answer();
    }
  }

  bool Answer() {
    answered_ = true;
    setup_.sender.log_tag = setup_.call_id + " tx";
    auto sender = AudioFaxSession::Create(setup_.sender, &sender_events_);
    if (!sender.ok()) return EndUnanswered(FailureKind::kDocument, sender.error().message);
    sender_ = std::move(sender).value();
    if (setup_.inbound) {
      FaxSessionParams rx;
      rx.role = FaxRole::kReceiver;
      rx.calling_party = false;
      rx.file = setup_.inbound->receive_path;
      rx.options = setup_.inbound->options;
      rx.log_tag = setup_.call_id + " rx";
      auto receiver = AudioFaxSession::Create(rx, &receiver_events_);
      if (!receiver.ok()) {
        log::Get("call")->error("call {}: cannot start receiving: {}", setup_.call_id,
                                receiver.error().message);
        CallReport r;
        r.kind = FailureKind::kNetwork;
        r.reason = receiver.error().message;
        Finish(r, &inbound_report_);
      } else {
        receiver_ = std::move(receiver).value();
      }
    }
    log::Get("call")->debug("call {}: {} answered", setup_.call_id, setup_.called_number);
    return true;
  }

  void HangUpBoth(const std::string& why) {
    if (sender_ && !sender_->finished()) sender_->Hangup(why);
    if (receiver_ && !receiver_->finished()) receiver_->Hangup(why);
  }

  void ExchangeAudio() {
    std::array<int16_t, kSamplesPerTick> to_receiver{}, to_sender{};
    if (!sender_->finished()) sender_->Transmit(to_receiver);
    if (receiver_ && !receiver_->finished()) receiver_->Transmit(to_sender);
    ThroughUlaw(to_receiver);
    ThroughUlaw(to_sender);
    if (receiver_ && !receiver_->finished()) receiver_->Receive(to_receiver);
    if (!sender_->finished()) sender_->Receive(to_sender);
  }

  // True once both sides have ended and been reported.
  bool CheckFinished() {
    bool sender_done = sender_->finished();
    bool receiver_done = !receiver_ || receiver_->finished();
    if (sender_done != receiver_done && ++lone_ticks_ > kLoneSideTicks) {
      HangUpBoth("the other side hung up");
    }
    if (ticks_ > kMaxCallTicks) HangUpBoth("the call lasted longer than 3 hours");
    sender_done = sender_->finished();
    receiver_done = !receiver_ || receiver_->finished();
    if (receiver_ && receiver_done && !inbound_reported_) {
      Finish(ReportFromOutcome(receiver_->outcome()), &inbound_report_);
    }
    if (!sender_done || !receiver_done) return false;
    CallReport out = ReportFromOutcome(sender_->outcome());
    if (!receiver_ && setup_.behaviour == LoopbackBehaviour::kNoFax) {
      out.kind = FailureKind::kNoFax;
      out.reason = fmt::format("{} answered, but not with a fax machine ({})", setup_.called_number,
                               sender_->outcome().reason);
    }
    SendOutbound(out);
    return true;
  }

  // Ends the call before any fax was exchanged.
  bool EndUnanswered(FailureKind kind, const std::string& reason) {
    if (setup_.inbound && !inbound_reported_) {
      CallReport in;
      in.kind = FailureKind::kHungUp;
      in.reason = "the caller hung up before the fax started";
      Finish(in, &inbound_report_);
    }
    CallReport r;
    r.kind = kind;
    r.reason = reason;
    SendOutbound(r);
    return false;
  }

  void Finish(CallReport r, CallReport* slot) {
    Stamp(r);
    *slot = r;
    inbound_reported_ = true;
    sinks_.inbound_ended(setup_.inbound->id, r);
  }

  void SendOutbound(CallReport r) {
    Stamp(r);
    log::Get("call")->debug("call {}: ended after {} ticks: {}", setup_.call_id, ticks_, r.reason);
    sinks_.outbound_ended(setup_.job, r);
  }

  void Stamp(CallReport& r) {
    r.trunk = "loopback";
    r.call_id = setup_.call_id;
    r.started_at = started_at_;
    r.ended_at = clock_.Now();
  }

  LoopbackCallSetup setup_;
  LoopbackCallSinks sinks_;
  SystemClock clock_;
  TimePoint started_at_;
  SenderEvents sender_events_;
  ReceiverEvents receiver_events_;
  std::unique_ptr<AudioFaxSession> sender_;
  std::unique_ptr<AudioFaxSession> receiver_;
  CallReport inbound_report_;
  bool inbound_reported_ = false;
  bool answered_ = false;
  int drop_countdown_ = 0;  // ticks until the line drops; 0: not dropping
  std::string hangup_reason_;
  int64_t ticks_ = 0;
  int lone_ticks_ = 0;
};

}  // namespace

std::unique_ptr<MediaCall> MakeLoopbackCall(LoopbackCallSetup setup, LoopbackCallSinks sinks) {
  return std::make_unique<LoopbackCall>(std::move(setup), std::move(sinks));
}

}  // namespace faxgate
