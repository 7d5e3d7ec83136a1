// SipCall: the state of one fax call over SIP. States, in the order a call passes them:
//   kCalling      our INVITE is out (outbound only), waiting for the answer
//   kExtension    answered; waiting, then dialling the extension digits (outbound with `E`)
//   kFax          the fax session runs, over G.711 (mode kAudio) or T.38 (mode kT38)
// A call ends when its fax session has finished (or the call failed before one started); the
// report goes to the line pool and the SIP dialog is hung up if the far end has not already.
#include "lines/sip_call.h"

#include <array>
#include <random>

#include <fmt/format.h>

#include "base/clock.h"
#include "base/log.h"
#include "lines/call_media.h"
#include "lines/call_report.h"
#include "media/dtmf_receiver.h"
#include "media/dtmf_sender.h"
#include "media/fax_tone_detector.h"
#include "sip/sip_status.h"

namespace faxgate {
namespace {

constexpr int kTicksPerSecond = 50;
// As receiver we ask for T.38 once the caller's fax tones are heard, or this long after answer.
constexpr int kReceiverT38AfterTicks = 3 * kTicksPerSecond;
constexpr int kMaxGlareRetries = 3;
constexpr int kDiscardAudioEveryTicks = 10;
// After the fax session ends we wait this long for the far end's BYE before sending ours, so
// that the last frame (MCF, DCN) reaches it through the jitter buffer.
constexpr int kLingerTicks = kTicksPerSecond / 2;
constexpr int kMaxCallTicks = 3 * 3600 * kTicksPerSecond;
// An incoming call is listened to for DTMF (a PBX dialling an extension) this long.
constexpr int kListenForDigitsTicks = 20 * kTicksPerSecond;

UdptlErrorCorrection ParseErrorCorrection(const std::string& name) {
  if (name == "fec") return UdptlErrorCorrection::kFec;
  if (name == "none") return UdptlErrorCorrection::kNone;
  return UdptlErrorCorrection::kRedundancy;
}

class SipCallImpl final : public SipCall {
 public:
  SipCallImpl(SipCallSetup setup, SipCallSinks sinks)
      : s_(std::move(setup)),
        sinks_(std::move(sinks)),
        impair_(s_.media.impair_loss, s_.media.impair_jitter_ms, std::random_device{}()),
        started_at_(clock_.Now()),
        log_(log::Get("call")) {
    events_.call = this;
    udptl_.mode = ParseErrorCorrection(s_.trunk.t38_error_correction);
    udptl_.redundancy_depth = s_.trunk.t38_redundancy;
    if (!s_.outbound) {
      answered_ = true;
      answer_tick_ = 0;
      StartMedia(s_.answered_media);
    }
  }

  const std::string& key() const override { return s_.key; }

  void HangUp(const std::string& why) override {
    if (hangup_why_.empty()) hangup_why_ = why;
  }

  bool Tick() override {
    ++ticks_;
    impair_.Tick();
    if (ended_) return Linger();
    if (!hangup_why_.empty()) HonourHangUp();
    if (ended_) return Linger();
    if (!answered_) {
      CheckAnswerTimeout();
      if (audio_) audio_->Discard();  // early media: nothing to do with it
      return !ended_ || Linger();
    }
    if (mode_ == MediaKind::kAudio) {
      AudioTick();
    } else {
      T38Tick();
    }
    MaybeRequestT38();
    CheckFinished();
    return !ended_ || Linger();
  }

  // --- signalling -------------------------------------------------------------------------
  void OnProgress(int status, const std::string& sdp) override {
    log_->debug("call {}: {} ringing ({})", s_.key, s_.number_display, status);
    if (sdp.empty() || answered_ || audio_) return;
    auto media = ReadAnswer(sdp, MediaKind::kAudio, s_.local);
    if (media.ok() && media->kind == MediaKind::kAudio) {
      audio_ = std::make_unique<AudioPath>(*s_.audio_port, *media, s_.media.jitter_ms,
                                           s_.trunk.audio_redundancy, impair_);
    }
  }

  void OnAnswered(const std::string& call_id, const std::string& sdp) override {
    if (ended_ || answered_) return;
    s_.sip_call_id = call_id;
    auto media = ReadAnswer(sdp, MediaKind::kAudio, s_.local);
    if (!media.ok()) {
      // The far end answered with media we cannot use: say so and hang up.
      return Fail(FailureKind::kNoFax,
                  fmt::format("{} answered, but with media faxgate cannot use: {}",
                              s_.number_display, media.error().message));
    }
    answered_ = true;
    answer_tick_ = ticks_;
    log_->info("call {}: {} answered on trunk {} ({})", s_.key, s_.number_display, s_.trunk.name,
               Describe(*media));
    StartMedia(*media);
  }

  void OnOffer(const std::string& sdp) override {
    if (ended_) return Respond(481, "Call/Transaction Does Not Exist", "");
    LocalMedia local = s_.local;
    // A receiver that already has pages over G.711 keeps them: no switch in mid-fax.
    local.t38 = s_.trunk.t38 && !(mode_ == MediaKind::kAudio && session_pages_ > 0);
    auto answer = AnswerOffer(sdp, local, OfferContext::kReinvite);
    if (!answer.ok()) {
      log_->info("call {}: refused the far end's media change: {}", s_.key, answer.error().message);
      return Respond(488, "Not Acceptable Here", "");
    }
    const NegotiatedMedia& m = answer->media;
    if (answered_ && m.kind == mode_) {
      // A session refresh or an address change: same kind, the fax goes on undisturbed.
      log_->debug("call {}: media refreshed by the far end ({})", s_.key, Describe(m));
      UpdateRemote(m);
      return Respond(200, "OK", answer->sdp);
    }
    // A new answer (the kind changes) gets a new SDP version (RFC 3264 section 8).
    s_.local.session_version++;
    local.session_version = s_.local.session_version;
    auto again = AnswerOffer(sdp, local, OfferContext::kReinvite);
    Respond(200, "OK", again.ok() ? again->sdp : answer->sdp);
    log_->info("call {}: the far end switched the call to {}", s_.key, Describe(m));
    SwitchTo(m);
  }

  void OnOfferResult(int status, const std::string& phrase, const std::string& sdp) override {
    if (ended_) return;
    offer_pending_ = false;
    if (status >= 200 && status < 300) {
      auto media = ReadAnswer(sdp, MediaKind::kT38, s_.local);
      if (media.ok() && media->kind == MediaKind::kT38) {
        log_->info("call {}: switched to T.38 ({})", s_.key, Describe(*media));
        return SwitchTo(*media);
      }
      log_->warn(
          "call {}: the far end accepted T.38 with an answer we cannot use ({}); going "
          "back to G.711",
          s_.key, media.ok() ? "audio" : media.error().message);
      t38_refused_ = true;
      s_.local.session_version++;
      offer_pending_ = true;
      s_.agent->Reinvite(s_.handle, BuildOffer(s_.local, MediaKind::kAudio));
      return;
    }
    if (status == 491 && glare_retries_ < kMaxGlareRetries) {
      // RFC 3261 14.1: the Call-ID owner (the caller) waits 2.1-4 s, the other 0-2 s.
      ++glare_retries_;
      std::uniform_int_distribution<int> wait = s_.outbound
                                                    ? std::uniform_int_distribution<int>(105, 200)
                                                    : std::uniform_int_distribution<int>(0, 100);
      retry_t38_at_ = ticks_ + wait(rng_);
      t38_requested_ = false;
      log_->debug("call {}: T.38 request crossed the far end's (491); retrying", s_.key);
      return;
    }
    t38_refused_ = true;
    log_->info("call {}: {} refused T.38 ({} {}); the fax continues over G.711", s_.key,
               s_.number_display, status, phrase);
  }

  void OnEnded(int status, const std::string& phrase, bool by_peer) override {
    if (ended_) return;
    sip_ended_ = true;
    if (!answered_) {
      if (cancelled_) return Fail(FailureKind::kCancelled, hangup_why_);
      SipFailure f = DescribeSipFailure(status, phrase, s_.number_display, s_.trunk.name);
      sip_status_ = status;
      return Fail(f.kind, f.reason);
    }
    const std::string why = by_peer ? "The far end hung up"
                                    : fmt::format("The call was dropped ({} {})", status, phrase);
    if (fax_ && !fax_->finished()) {
      fax_->Hangup(why);
    } else if (!fax_) {
      Fail(FailureKind::kHungUp, why + " before the fax started");
    }
    CheckFinished();
  }

 private:
  struct Events : FaxEvents {
    SipCallImpl* call = nullptr;
    void OnNegotiated(const NegotiatedParams& p) override {
      call->log_->debug("call {}: fax negotiated {} bit/s {} ECM {}", call->s_.key, p.bit_rate,
                        p.compression, p.ecm ? "on" : "off");
    }
    void OnPageConfirmed(int pages) override {
      call->session_pages_ = pages;
      call->sinks_.page_confirmed(call->s_.job, call->pages_before_ + pages);
    }
    void OnPageReceived(int pages) override {
      call->session_pages_ = pages;
      call->sinks_.inbound_page(call->s_.inbound_id, call->pages_before_ + pages);
    }
    void OnFrame(bool incoming, std::string_view frame) override {
      call->log_->trace("call {}: T.30 {} {}", call->s_.key, incoming ? "<-" : "->", frame);
    }
  };

  static std::string Describe(const NegotiatedMedia& m) {
    if (m.kind == MediaKind::kT38) {
      return fmt::format("T.38 v{} to {}:{}, {} bit/s, datagram {}", m.t38.version,
                         m.remote_address, m.remote_port, m.t38.max_bit_rate, m.far_max_datagram);
    }
    return fmt::format("{} to {}:{}{}", ToString(m.codec), m.remote_address, m.remote_port,
                       m.red_payload_type >= 0 ? " with redundancy (RFC 2198)" : "");
  }

  void Respond(int status, const char* phrase, const std::string& sdp) {
    s_.agent->Respond(s_.handle, status, phrase, sdp);
  }

  // --- media ------------------------------------------------------------------------------
  void StartMedia(const NegotiatedMedia& m) {
    if (m.kind == MediaKind::kT38) {
      audio_ = std::make_unique<AudioPath>(*s_.audio_port, m, s_.media.jitter_ms,
                                           s_.trunk.audio_redundancy, impair_);
      return SwitchTo(m);
    }
    if (audio_) {
      audio_->Update(m);
    } else {
      audio_ = std::make_unique<AudioPath>(*s_.audio_port, m, s_.media.jitter_ms,
                                           s_.trunk.audio_redundancy, impair_);
    }
    mode_ = MediaKind::kAudio;
    if (s_.outbound && !s_.extension.empty()) {
      in_extension_ = true;
      return;
    }
    StartAudioFax();
  }

  void StartAudioFax() {
    FaxSessionParams p = FaxParams();
    auto session = AudioFaxSession::Create(p, &events_);
    if (!session.ok()) return Fail(FailureKind::kDocument, session.error().message);
    audio_fax_ = session->get();
    fax_ = std::move(session).value();
    fax_start_tick_ = ticks_;
  }

  FaxSessionParams FaxParams() {
    FaxSessionParams p = s_.fax;
    p.first_page = s_.fax.first_page + pages_before_;
    p.options.ecm = p.options.ecm && s_.trunk.ecm;
    p.log_tag = s_.key;
    return p;
  }

  void SwitchTo(const NegotiatedMedia& m) {
    // The fax engine restarts in the new mode: T.30 begins again (DIS/DCS) and a sender resumes
    // from the first page not yet confirmed.
    if (fax_) {
      pages_before_ += session_pages_;
      session_pages_ = 0;
      fax_.reset();
      audio_fax_ = nullptr;
      t38_fax_ = nullptr;
    }
    if (m.kind == MediaKind::kAudio) {
      audio_->Update(m);
      t38_.reset();
      mode_ = MediaKind::kAudio;
      return StartAudioFax();
    }
    UdptlSettings settings = udptl_;
    settings.far_max_datagram =
        s_.trunk.t38_max_datagram > 0 ? s_.trunk.t38_max_datagram : m.far_max_datagram;
    NegotiatedMedia adjusted = m;
    adjusted.far_max_datagram = settings.far_max_datagram;
    t38_ = std::make_unique<T38Path>(*s_.image_port, adjusted, settings, impair_);
    T38Params t38;
    t38.version = m.t38.version;
    t38.max_datagram = MaxIfpSize(settings);
    t38.transferred_tcf = m.t38.transferred_tcf;
    t38.max_bit_rate = m.t38.max_bit_rate;
    auto session = T38FaxSession::Create(
        FaxParams(), t38,
        [this](std::span<const uint8_t> ifp, int copies) { t38_->Send(ifp, copies); }, &events_);
    if (!session.ok()) return Fail(FailureKind::kProtocol, session.error().message);
    t38_fax_ = session->get();
    fax_ = std::move(session).value();
    mode_ = MediaKind::kT38;
    in_extension_ = false;
    fax_start_tick_ = ticks_;
  }

  void UpdateRemote(const NegotiatedMedia& m) {
    if (m.kind == MediaKind::kAudio && audio_) audio_->Update(m);
    if (m.kind == MediaKind::kT38 && t38_) t38_->Update(m);
  }

  void AudioTick() {
    std::array<int16_t, kSamplesPerTick> in{}, out{};
    AudioReceive rx = audio_->Receive(in);
    if (rx.fill != JitterBuffer::Fill::kWaiting && rx.fill != JitterBuffer::Fill::kLost) {
      ListenForDigits(in);
      ListenForFaxTones(in);
    }
    if (audio_fax_ && !fax_->finished()) {
      if (rx.fill == JitterBuffer::Fill::kLost) {
        audio_fax_->ReceiveLost(kSamplesPerTick);
      } else {
        audio_fax_->Receive(in);
      }
    }
    if (in_extension_) return DialExtension();
    if (audio_fax_ && !fax_->finished()) audio_fax_->Transmit(out);
    audio_->Send(out);
  }

  // The tone detector costs about as much as the fax modem itself, so it runs only until it has
  // heard what the call decides on: a receiver the caller's CNG or V.21 (to ask for T.38), a
  // sender the far end's CED or V.21 (a fax answered).
  void ListenForFaxTones(std::span<const int16_t> in) {
    const bool decided = s_.outbound
                             ? tones_.heard(FaxTone::kCed) || tones_.heard(FaxTone::kV21Preamble)
                             : tones_.heard(FaxTone::kCng) || tones_.heard(FaxTone::kV21Preamble) ||
                                   t38_requested_ || t38_refused_ || !s_.trunk.t38 ||
                                   s_.trunk.t38_reinvite == "never";
    if (decided) return;
    FaxTone tone = tones_.Feed(in);
    if (tone != FaxTone::kNone) {
      log_->debug("call {}: heard {} from {}", s_.key, ToString(tone), s_.number_display);
    }
  }

  // Digits are logged as one number once the caller pauses for a second.
  void ListenForDigits(std::span<const int16_t> in) {
    if (s_.outbound || ticks_ - answer_tick_ > kListenForDigitsTicks) return FlushDigits();
    if (!dtmf_) {
      dtmf_ = std::make_unique<DtmfReceiver>();
      audio_->set_dtmf_receiver(dtmf_.get());
    }
    dtmf_->OnAudio(in);
    if (std::string digits = dtmf_->TakeDigits(); !digits.empty()) {
      heard_digits_ += digits;
      last_digit_tick_ = ticks_;
    }
    if (ticks_ - last_digit_tick_ > kTicksPerSecond) FlushDigits();
  }

  void FlushDigits() {
    if (heard_digits_.empty()) return;
    log_->info("call {}: the caller dialled {}", s_.key, heard_digits_);
    heard_digits_.clear();
  }

  void DialExtension() {
    if (ticks_ - answer_tick_ < s_.trunk.extension_wait_s * kTicksPerSecond) {
      std::array<int16_t, kSamplesPerTick> silence{};
      return audio_->Send(silence);
    }
    if (!rfc4733_ && !inband_) {
      const bool events = s_.trunk.dtmf != "inband" && audio_->telephone_events();
      if (s_.trunk.dtmf == "rfc4733" && !events) {
        log_->warn(
            "call {}: {} did not negotiate telephone-events; dialling extension {} "
            "in-band",
            s_.key, s_.number_display, s_.extension);
      }
      log_->info("call {}: dialling extension {} ({})", s_.key, s_.extension,
                 events ? "RFC 4733" : "in-band");
      if (events) {
        rfc4733_ = std::make_unique<Rfc4733DtmfSender>(s_.extension);
      } else {
        inband_ = std::make_unique<InbandDtmfSender>(s_.extension);
      }
    }
    std::array<int16_t, kSamplesPerTick> out{};
    if (rfc4733_) {
      auto packets = rfc4733_->Tick();
      if (packets.empty()) audio_->Send(out);
      for (const auto& p : packets) audio_->SendEvent(p);
      if (!rfc4733_->done()) return;
    } else {
      inband_->Generate(out);
      audio_->Send(out);
      if (!inband_->done()) return;
    }
    in_extension_ = false;
    StartAudioFax();
  }

  void T38Tick() {
    // RTP the far end still sends after the switch is thrown away; every 200 ms is often enough
    // to keep the socket buffer from filling.
    if (audio_ && ticks_ % kDiscardAudioEveryTicks == 0) audio_->Discard();
    t38_->Receive([this](std::span<const uint8_t> ifp, uint16_t seq) {
      if (t38_fax_ && !fax_->finished()) t38_fax_->ReceiveIfp(ifp, seq);
    });
    if (t38_fax_ && !fax_->finished()) t38_fax_->Tick(kSamplesPerTick);
  }

  // Receiver: ask for T.38 when the caller's fax tones are heard or soon after answering.
  // Sender ("both"): when the receiver has not asked after t38_sender_wait_s.
  void MaybeRequestT38() {
    if (mode_ != MediaKind::kAudio || !fax_ || fax_->finished() || offer_pending_ ||
        t38_requested_ || t38_refused_ || !s_.trunk.t38 || s_.trunk.t38_reinvite == "never" ||
        session_pages_ > 0 || ticks_ < retry_t38_at_) {
      return;
    }
    const int since = static_cast<int>(ticks_ - fax_start_tick_);
    bool ask = false;
    if (!s_.outbound) {
      ask = tones_.heard(FaxTone::kCng) || tones_.heard(FaxTone::kV21Preamble) ||
            since >= kReceiverT38AfterTicks;
    } else if (s_.trunk.t38_reinvite == "both") {
      ask = tones_.heard_any() && since >= s_.trunk.t38_sender_wait_s * kTicksPerSecond;
    }
    if (!ask) return;
    t38_requested_ = true;
    offer_pending_ = true;
    s_.local.session_version++;
    log_->info("call {}: asking {} to switch to T.38", s_.key, s_.number_display);
    s_.agent->Reinvite(s_.handle, BuildOffer(s_.local, MediaKind::kT38));
  }

  // --- ending -----------------------------------------------------------------------------
  void CheckAnswerTimeout() {
    if (ticks_ < s_.trunk.answer_timeout_s * kTicksPerSecond) return;
    s_.agent->HangUp(s_.handle);
    sip_ended_ = true;  // the CANCEL's outcome no longer matters
    Fail(FailureKind::kNoAnswer, fmt::format("{} did not answer within {} s", s_.number_display,
                                             s_.trunk.answer_timeout_s));
  }

  void HonourHangUp() {
    if (!answered_) {
      cancelled_ = true;
      s_.agent->HangUp(s_.handle);
      sip_ended_ = true;
      return Fail(FailureKind::kCancelled, hangup_why_);
    }
    if (fax_ && !fax_->finished()) fax_->Hangup(hangup_why_);
    if (!fax_) Fail(FailureKind::kCancelled, hangup_why_);
  }

  void CheckFinished() {
    if (ended_ || !fax_ || !fax_->finished()) {
      if (!ended_ && ticks_ > kMaxCallTicks && fax_) {
        fax_->Hangup("the call lasted longer than 3 hours");
      }
      return;
    }
    CallReport r = ReportFromOutcome(fax_->outcome());
    r.pages += pages_before_;
    const bool fax_heard = tones_.heard(FaxTone::kCed) || tones_.heard(FaxTone::kV21Preamble) ||
                           mode_ == MediaKind::kT38 || pages_before_ > 0;
    if (s_.outbound && r.pages == 0 && !fax_heard &&
        (r.kind == FailureKind::kProtocol || r.kind == FailureKind::kHungUp)) {
      r.kind = FailureKind::kNoFax;
      r.reason = fmt::format(
          "{} answered, but not with a fax machine: no answer tone or fax signal was heard in "
          "{} s ({})",
          s_.number_display, (ticks_ - answer_tick_) / kTicksPerSecond, r.reason);
    }
    Report(std::move(r));
  }

  void Fail(FailureKind kind, const std::string& reason) {
    if (ended_) return;
    if (fax_ && !fax_->finished()) fax_->Hangup(reason);
    CallReport r;
    r.kind = kind;
    r.reason = reason;
    r.pages = pages_before_;
    Report(std::move(r));
  }

  void Report(CallReport r) {
    ended_ = true;
    linger_until_ = ticks_ + (sip_ended_ ? 0 : kLingerTicks);
    r.trunk = s_.trunk.name;
    r.call_id = s_.sip_call_id.empty() ? s_.key : s_.sip_call_id;
    r.started_at = started_at_;
    r.ended_at = clock_.Now();
    LogEnd(r);
    SipCallEnd end;
    end.report = std::move(r);
    end.sip_status = sip_status_;
    end.answered = answered_;
    sinks_.ended(end);
  }

  void LogEnd(const CallReport& r) {
    if (t38_) {
      const UdptlReceiveStats& st = t38_->stats();
      log_->debug("call {}: UDPTL {} datagrams, {} recovered, {} lost, {} malformed", s_.key,
                  st.datagrams, st.recovered, st.lost, st.malformed);
    } else if (audio_) {
      const JitterStats& st = audio_->jitter_stats();
      log_->debug(
          "call {}: RTP {} packets, {} frames restored from redundant copies, {} late, {} lost "
          "ticks, {} resyncs, {} late bursts after the far end stalled",
          s_.key, st.packets, audio_->frames_recovered(), st.late, st.lost_ticks, st.resyncs,
          st.stalls);
    }
    log_->info("call {}: ended after {} s: {}", s_.key, (ticks_ - answer_tick_) / kTicksPerSecond,
               r.kind == FailureKind::kNone ? fmt::format("{} pages", r.pages) : r.reason);
  }

  // After the report: keep the media running a little so our last frames leave, then hang up.
  bool Linger() {
    if (ticks_ < linger_until_ && audio_ && mode_ == MediaKind::kAudio) {
      std::array<int16_t, kSamplesPerTick> silence{};
      audio_->Discard();
      audio_->Send(silence);
      return true;
    }
    if (!sip_ended_) {
      sip_ended_ = true;
      s_.agent->HangUp(s_.handle);
    }
    return false;
  }

  SipCallSetup s_;
  SipCallSinks sinks_;
  SendImpairment impair_;
  SystemClock clock_;
  TimePoint started_at_;
  std::shared_ptr<spdlog::logger> log_;
  Events events_;
  UdptlSettings udptl_;
  std::mt19937 rng_{std::random_device{}()};

  std::unique_ptr<AudioPath> audio_;
  std::unique_ptr<T38Path> t38_;
  std::unique_ptr<FaxSession> fax_;
  AudioFaxSession* audio_fax_ = nullptr;
  T38FaxSession* t38_fax_ = nullptr;
  FaxToneDetector tones_;
  std::unique_ptr<Rfc4733DtmfSender> rfc4733_;
  std::unique_ptr<InbandDtmfSender> inband_;
  std::unique_ptr<DtmfReceiver> dtmf_;
  std::string heard_digits_;
  int64_t last_digit_tick_ = 0;

  MediaKind mode_ = MediaKind::kAudio;
  bool answered_ = false;
  bool in_extension_ = false;
  bool offer_pending_ = false;
  bool t38_requested_ = false;
  bool t38_refused_ = false;
  int glare_retries_ = 0;
  int64_t retry_t38_at_ = 0;
  bool ended_ = false;
  bool sip_ended_ = false;
  bool cancelled_ = false;
  int sip_status_ = 0;
  int pages_before_ = 0;   // pages done by earlier fax sessions of this call (before a switch)
  int session_pages_ = 0;  // pages done by the current fax session
  std::string hangup_why_;
  int64_t ticks_ = 0;
  int64_t answer_tick_ = 0;
  int64_t fax_start_tick_ = 0;
  int64_t linger_until_ = 0;
};

}  // namespace

std::unique_ptr<SipCall> MakeSipCall(SipCallSetup setup, SipCallSinks sinks) {
  return std::make_unique<SipCallImpl>(std::move(setup), std::move(sinks));
}

}  // namespace faxgate
