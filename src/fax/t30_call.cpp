#include "fax/t30_call.h"

#include <cctype>

#include <fmt/format.h>

#include "fax/fax_logging.h"
#include "fax/t30_repair.h"
#include "fax/t30_result.h"
#include "fax/t30_setup.h"
#include "fax/t4_rx_hooks.h"

namespace faxgate {
namespace {

// After the last allowed page is confirmed, the receiver keeps the call up this long so that
// its MCF (about 1.2 s of V.21) reaches the sender; the sender cannot finish another page and
// its post-page command in less than about 2.6 s.
constexpr int64_t kPageLimitGraceSamples = 2 * 8000;

FaxEvents& NoEvents() {
  static FaxEvents none;
  return none;
}

// Post-page commands that announce another page; PRI- (procedure interrupt) variants too.
bool MorePagesFollow(int fcf) {
  switch (fcf & 0xFE) {
    case T30_MPS:
    case T30_PRI_MPS:
    case T30_EOM:
    case T30_PRI_EOM:
    case T30_EOS:
      return true;
    default:
      return false;
  }
}

// Page responses after which the sender moves on without the page counting as delivered.
bool PageRejected(int fcf) {
  int f = fcf & 0xFE;
  return f == T30_RTN || f == T30_PIN;
}

std::string Capitalised(std::string_view text) {
  std::string out(text.empty() ? "the call was hung up" : text);
  out[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(out[0])));
  return out;
}

// "1 page", "2 pages".
std::string Pages(int count) { return fmt::format("{} page{}", count, count == 1 ? "" : "s"); }

std::string Trimmed(std::string text) {
  size_t begin = text.find_first_not_of(' ');
  if (begin == std::string::npos) return "";
  size_t end = text.find_last_not_of(' ');
  return text.substr(begin, end - begin + 1);
}

}  // namespace

T30Call::T30Call(const FaxSessionParams& params, int pages_to_send, FaxEvents* events)
    : role_(params.role),
      first_page_(params.first_page),
      pages_to_send_(pages_to_send),
      max_receive_pages_(params.options.max_receive_pages),
      log_tag_(params.log_tag.empty() ? "fax" : params.log_tag),
      events_(events ? events : &NoEvents()),
      rx_file_(params.role == FaxRole::kReceiver ? params.file : std::filesystem::path()) {}

// The owning session calls Abandon() before it frees the T.30 context; this is the backstop.
T30Call::~T30Call() { CloseWriter(); }

void T30Call::Attach(t30_state_t* t30, logging_state_t* transport_log) {
  t30_ = t30;
  ConfigureSessionLogging(t30, transport_log, log_tag_);
  t30_set_phase_b_handler(t30, &PhaseBHandler, this);
  t30_set_phase_d_handler(t30, &PhaseDHandler, this);
  t30_set_phase_e_handler(t30, &PhaseEHandler, this);
  t30_set_real_time_frame_handler(t30, &FrameHandler, this);
  if (!sender()) {
    writer_ = PageWriter::Create(rx_file_, log_tag_);
    std::filesystem::path scratch = rx_file_;
    scratch += ".spandsp";
    routed_ = RoutePagesToWriter(t30, writer_, scratch);
    if (!routed_) writer_.reset();
  }
}

// --- spandsp callbacks -------------------------------------------------------------------

int T30Call::PhaseBHandler(t30_state_t*, void* user_data, int fcf) {
  // 0.0.6 calls a sender's phase B handler on DIS, before it has chosen the DCS, so nothing
  // agreed can be read here; parameters are reported when training is confirmed (CFR).
  auto* self = static_cast<T30Call*>(user_data);
  T30Log().debug("{} phase B ({})", self->log_tag_, t30_frametype(static_cast<uint8_t>(fcf)));
  return T30_ERR_OK;
}

int T30Call::PhaseDHandler(t30_state_t*, void* user_data, int fcf) {
  static_cast<T30Call*>(user_data)->OnPhaseD(fcf);
  return T30_ERR_OK;
}

void T30Call::PhaseEHandler(t30_state_t*, void* user_data, int code) {
  static_cast<T30Call*>(user_data)->OnPhaseE(code);
}

void T30Call::FrameHandler(t30_state_t* t30, void* user_data, int incoming, const uint8_t* msg,
                           int len) {
  // msg is an HDLC frame: address, control, FCF, ...
  if (msg == nullptr || len < 3) return;
  auto* self = static_cast<T30Call*>(user_data);
  if (incoming != 0 && !self->sender() && AcceptDcsRepeatedAfterLostTcf(t30, msg, len)) {
    T30Log().debug("{} the training check was lost; taking the repeated DCS as a new start",
                   self->log_tag_);
  }
  self->OnFrame(incoming != 0, msg[2]);
}

// --- events ------------------------------------------------------------------------------

void T30Call::OnFrame(bool incoming, uint8_t fcf) {
  int f = fcf & 0xFE;
  // ECM image frames (T.4 Annex A) are data, not signalling; a page has hundreds of them.
  if (f == T4_FCD || f == T4_RCP) return;
  events_->OnFrame(incoming, t30_frametype(fcf));
  // CFR ends phase B: the sender hears it, the receiver sends it.
  if (f == T30_CFR && incoming == sender()) OnTrainingConfirmed();
}

void T30Call::OnTrainingConfirmed() {
  NegotiatedParams now = ReadNegotiatedParams(t30_);
  now.remote_ident = Trimmed(now.remote_ident);
  // Each retraining (fallback, new document format) ends with a CFR; report changes only.
  bool changed = !negotiated_reported_ || now.bit_rate != negotiated_.bit_rate ||
                 now.ecm != negotiated_.ecm || now.compression != negotiated_.compression ||
                 now.resolution != negotiated_.resolution ||
                 now.page_width != negotiated_.page_width;
  negotiated_ = now;
  if (!changed) return;
  negotiated_reported_ = true;
  T30Log().debug("{} negotiated {} bit/s, ECM {}, {}, {}, width {}, remote \"{}\"", log_tag_,
                 now.bit_rate, now.ecm ? "on" : "off", now.compression, now.resolution,
                 now.page_width, now.remote_ident);
  events_->OnNegotiated(negotiated_);
}

void T30Call::OnPhaseD(int fcf) {
  if (sender()) {
    CountConfirmedPages(fcf);
  } else {
    CountReceivedPages(fcf);
  }
}

void T30Call::CountConfirmedPages(int fcf) {
  // spandsp counts a page as sent (stats.pages_tx) when the far end answers it with MCF or
  // RTP, and does so before calling this handler; RTN and PIN leave the count alone.
  t30_stats_t stats;
  t30_get_transfer_statistics(t30_, &stats);
  bool confirmed = stats.pages_tx > pages_seen_;
  pages_seen_ = stats.pages_tx;
  if (PageRejected(fcf)) gap_ = true;
  if (!confirmed || gap_) return;
  pages_ = pages_seen_;
  events_->OnPageConfirmed(pages_);
}

void T30Call::CountReceivedPages(int fcf) {
  t30_stats_t stats;
  t30_get_transfer_statistics(t30_, &stats);
  if (stats.pages_rx <= pages_seen_) return;  // a page refused for poor quality
  pages_seen_ = stats.pages_rx;
  pages_ = pages_seen_;
  // After EOP (or PRI-EOP) nothing else is coming: the document is whole from here on, even if
  // the closing MCF/DCN exchange is then lost.
  document_complete_ = !MorePagesFollow(fcf);
  events_->OnPageReceived(pages_);
  bool at_limit = max_receive_pages_ > 0 && pages_ >= max_receive_pages_;
  if (at_limit && MorePagesFollow(fcf) && limit_countdown_ < 0) {
    limit_countdown_ = kPageLimitGraceSamples;
  }
}

void T30Call::OnPhaseE(int code) {
  if (phase_e_) return;
  phase_e_ = true;
  if (negotiated_.remote_ident.empty()) {
    const char* ident = t30_get_rx_ident(t30_);
    negotiated_.remote_ident = Trimmed(ident ? ident : "");
  }
  outcome_ = BuildOutcome(code);
  T30Log().debug("{} phase E: {}", log_tag_, outcome_.reason);
  CloseWriter();
  FinishOnceWritten();
}

void T30Call::FinishOnceWritten() {
  if (!phase_e_ || finished_) return;
  if (writer_ && !writer_->done()) return;
  finished_ = true;
  if (writer_) AccountForUnwrittenPages();
  events_->OnFinished(outcome_);
}

// The session counted a page when it ended; a page whose image could not be decoded is not in
// the file, and the fax is incomplete without it.
void T30Call::AccountForUnwrittenPages() {
  int bad = writer_->first_bad_page();
  if (bad == 0 && writer_->pages_written() >= outcome_.pages) return;
  int kept = writer_->pages_written();
  if (bad == 0) bad = kept + 1;
  outcome_.success = false;
  outcome_.kind = FailureKind::kProtocol;
  outcome_.reason =
      fmt::format("Page {} arrived but its image could not be decoded; {} kept", bad, Pages(kept));
  outcome_.pages = kept;
}

// --- outcome -----------------------------------------------------------------------------

std::string T30Call::PageSummary() const {
  if (sender()) return fmt::format("{} of {} confirmed", pages_, Pages(pages_to_send_));
  return fmt::format("{} received", Pages(pages_));
}

FaxOutcome T30Call::BuildOutcome(int code) const {
  FaxOutcome outcome;
  outcome.t30_code = code;
  outcome.pages = pages_;
  outcome.params = negotiated_;
  // Whole when the sender has every page confirmed, or the receiver has the page announced as
  // the last. What follows (MCF reaching the sender, DCN) can fail without the document
  // being any less delivered: calling it failed would make the sender fax it again, or file a
  // complete fax as a failed reception.
  bool whole = sender() ? pages_ >= pages_to_send_ : (code == T30_ERR_OK || document_complete_);
  if (whole) {
    if (code != T30_ERR_OK) {
      T30Log().debug("{} every page is through; ending: {}", log_tag_, DescribeT30Result(code));
    }
    outcome.success = true;
    outcome.kind = FailureKind::kNone;
    outcome.reason = fmt::format("{} {}", Pages(pages_), sender() ? "sent" : "received");
    return outcome;
  }
  if (hung_up_ && (code == T30_ERR_OK || code == T30_ERR_CALLDROPPED)) return HungUpOutcome();
  if (code == T30_ERR_OK) {
    // spandsp finished normally but skipped a page the far end refused (RTN).
    outcome.kind = FailureKind::kProtocol;
    outcome.reason =
        fmt::format("The far end refused page {}; {}", first_page_ + pages_ + 1, PageSummary());
    return outcome;
  }
  outcome.kind = ClassifyT30Result(code);
  outcome.reason = fmt::format("{}; {}", DescribeT30Result(code), PageSummary());
  return outcome;
}

FaxOutcome T30Call::HungUpOutcome() const {
  FaxOutcome outcome;
  outcome.t30_code = T30_ERR_CALLDROPPED;
  outcome.kind = FailureKind::kHungUp;
  outcome.pages = pages_;
  outcome.params = negotiated_;
  std::string why = Capitalised(hangup_why_);
  if (sender()) {
    outcome.reason = fmt::format("{} before page {} was confirmed ({})", why,
                                 first_page_ + pages_ + 1, PageSummary());
  } else {
    outcome.reason = fmt::format("{} after {} received", why, Pages(pages_));
  }
  return outcome;
}

// --- ending the call ---------------------------------------------------------------------

T30Call::Step::Step(T30Call& call, int samples) : call_(call), samples_(samples) {
  call_.in_step_ = true;
}

T30Call::Step::~Step() {
  call_.in_step_ = false;
  call_.AfterStep(samples_);
}

void T30Call::AfterStep(int samples) {
  if (limit_countdown_ >= 0 && !finished_ && !terminate_pending_) {
    limit_countdown_ -= samples;
    if (limit_countdown_ < 0) {
      Hangup(fmt::format("the receive limit of {} was reached", Pages(max_receive_pages_)));
    }
  }
  if (terminate_pending_) Terminate();
  FinishOnceWritten();
}

void T30Call::Hangup(std::string_view why) {
  if (phase_e_ || hung_up_) return;
  hung_up_ = true;
  hangup_why_ = std::string(why);
  terminate_pending_ = true;
  if (!in_step_) Terminate();
}

void T30Call::Terminate() {
  terminate_pending_ = false;
  // Calls the phase E handler with T30_ERR_CALLDROPPED, or with the current status when the
  // call was already in its final exchange (then the fax may well be complete).
  if (!phase_e_ && t30_ != nullptr) t30_terminate(t30_);
}

void T30Call::Abandon() {
  if (finished_ || t30_ == nullptr) return;
  // The owner is being destroyed: closing the files matters, reporting to it does not.
  if (!phase_e_) {
    t30_set_phase_e_handler(t30_, nullptr, nullptr);
    t30_terminate(t30_);
    phase_e_ = true;
  }
  CloseWriter();
  finished_ = true;
}

void T30Call::CloseWriter() {
  if (routed_) StopRoutingPages(t30_);
  routed_ = false;
  if (writer_) writer_->Close();
}

}  // namespace faxgate
