// Private to the fax module: the part of a fax session that is T.30 whatever carries it. It
// turns spandsp's phase B/D/E and frame callbacks into FaxEvents, counts pages, enforces the
// receive page limit, and builds the outcome, including the outcome of a hang-up.
#pragma once

#include <spandsp.h>

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include "fax/fax_session.h"
#include "fax/page_writer.h"

namespace faxgate {

class T30Call {
 public:
  // `pages_to_send`: sender only, the pages from first_page to the end of the file.
  // `events` may be null.
  T30Call(const FaxSessionParams& params, int pages_to_send, FaxEvents* events);
  ~T30Call();
  T30Call(const T30Call&) = delete;
  T30Call& operator=(const T30Call&) = delete;

  // Installs the handlers and logging on a T.30 context already set up with
  // ApplyT30Options, and for a receiver routes its pages to a PageWriter. Call once.
  // REQUIRES: `t30` stays valid until Abandon() or the end of the call.
  void Attach(t30_state_t* t30, logging_state_t* transport_log);

  // Brackets every call into spandsp. Callbacks run inside a step; a Hangup requested from
  // one of them is carried out when the step ends, because t30_terminate frees the T.4
  // state that spandsp is still using at that point. `samples` is the call time the step
  // covers (0 for steps that do not advance the clock).
  class Step {
   public:
    Step(T30Call& call, int samples);
    ~Step();
    Step(const Step&) = delete;
    Step& operator=(const Step&) = delete;

   private:
    T30Call& call_;
    int samples_;
  };

  void Hangup(std::string_view why);
  // Ends an unfinished call quietly (no OnFinished): the owner is going away. Pages received so
  // far are still written.
  void Abandon();
  // After phase E a receiver is finished once its pages are written (PageWriter): the file is
  // whole when the owner sees finished().
  bool finished() const { return finished_; }
  const FaxOutcome& outcome() const { return outcome_; }

 private:
  static int PhaseBHandler(t30_state_t* t30, void* user_data, int fcf);
  static int PhaseDHandler(t30_state_t* t30, void* user_data, int fcf);
  static void PhaseEHandler(t30_state_t* t30, void* user_data, int code);
  static void FrameHandler(t30_state_t* t30, void* user_data, int incoming, const uint8_t* msg,
                           int len);

  bool sender() const { return role_ == FaxRole::kSender; }
  void OnFrame(bool incoming, uint8_t fcf);
  void OnTrainingConfirmed();
  void OnPhaseD(int fcf);
  void CountConfirmedPages(int fcf);
  void CountReceivedPages(int fcf);
  void OnPhaseE(int code);
  void AfterStep(int samples);
  void FinishOnceWritten();
  void AccountForUnwrittenPages();
  void CloseWriter();
  void Terminate();
  FaxOutcome BuildOutcome(int code) const;
  FaxOutcome HungUpOutcome() const;
  std::string PageSummary() const;

  const FaxRole role_;
  const int first_page_;
  const int pages_to_send_;
  const int max_receive_pages_;
  const std::string log_tag_;
  FaxEvents* const events_;
  t30_state_t* t30_ = nullptr;

  const std::filesystem::path rx_file_;
  std::shared_ptr<PageWriter> writer_;  // receiver, when pages are written off this thread
  bool routed_ = false;                 // t30_'s pages go to writer_

  bool in_step_ = false;
  bool terminate_pending_ = false;
  bool phase_e_ = false;  // spandsp is done; finished_ follows once the pages are written
  bool finished_ = false;
  std::string hangup_why_;  // set when we, not the protocol, end the call
  bool hung_up_ = false;

  // Sender: pages confirmed (MCF or RTP) without a gap since first_page. spandsp goes on to
  // the next page after an RTN; from then on confirmations no longer extend this count, so
  // that a retry resumes at the rejected page.
  int pages_ = 0;
  int pages_seen_ = 0;  // sender: stats.pages_tx; receiver: stats.pages_rx
  bool gap_ = false;
  bool document_complete_ = false;  // receiver: the last page (EOP) is in
  // Receiver: call time left before the call is cut at the page limit, or -1.
  int64_t limit_countdown_ = -1;

  NegotiatedParams negotiated_;
  bool negotiated_reported_ = false;
  FaxOutcome outcome_;
};

}  // namespace faxgate
