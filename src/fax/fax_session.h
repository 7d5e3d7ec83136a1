// A fax session is one T.30 terminal (spandsp) sending or receiving one fax. It knows spandsp
// and TIFF files and nothing of sockets or threads: the caller feeds it audio samples (G.711
// lines, the loopback trunk) or T.38 IFP packets and drives its clock. The same session runs in
// a unit test, on the loopback trunk and over SIP.
//
// Not thread-safe: a session lives on one thread (a media worker) from creation to destruction.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "base/result.h"
#include "domain/job.h"

namespace faxgate {

// What this side offers in T.30 negotiation.
struct FaxOptions {
  bool ecm = true;
  bool v17 = true;            // 14400 bit/s
  bool v29 = true;            // 9600
  bool v27ter = true;         // 4800
  bool mh = true;             // T.4 1-D (mandatory in T.30: always offered)
  bool mr = true;             // T.4 2-D
  bool mmr = true;            // T.6 (needs ECM)
  std::string local_ident;    // TSI/CSI, at most 20 characters
  std::string page_header;    // spandsp tag line text (ASCII, <= 50), empty: none
  int max_receive_pages = 0;  // 0: no limit; else the call is cut after that page's MCF
};

enum class FaxRole { kSender, kReceiver };

struct FaxSessionParams {
  FaxRole role = FaxRole::kSender;
  bool calling_party = true;   // the side that dialled (sends CNG)
  std::filesystem::path file;  // sender: TIFF-F to send; receiver: TIFF-F to write
  int first_page = 0;          // sender: 0-based page to start from (resume)
  FaxOptions options;
  std::string log_tag;  // starts this session's log lines (e.g. the call id)
};

// Parameters agreed in phase B (DCS).
struct NegotiatedParams {
  int bit_rate = 0;
  bool ecm = false;
  std::string compression;  // "MH", "MR", "MMR"
  std::string resolution;   // "standard", "fine", "superfine", or "RxC dpi"
  int page_width = 0;
  std::string remote_ident;  // far end's CSI (sender) or TSI (receiver)
};

struct FaxOutcome {
  bool success = false;
  int t30_code = 0;    // spandsp T30_ERR_* completion code
  std::string reason;  // readable, e.g. "Far end hung up before page 3 was confirmed"
  FailureKind kind = FailureKind::kNone;
  int pages = 0;  // sender: pages confirmed this session; receiver: pages kept
  NegotiatedParams params;
};

// Callbacks arrive on the thread that drives the session, from inside Transmit/Receive/Tick.
// A callback may call Hangup() on its session (the call then ends when the current
// Transmit/Receive/Tick/ReceiveIfp returns) but must not destroy it.
class FaxEvents {
 public:
  virtual ~FaxEvents() = default;
  // End of phase B: training was confirmed (CFR). Called again only if a later training
  // (fallback, a page of another format) changed something.
  virtual void OnNegotiated(const NegotiatedParams& params) { (void)params; }
  // Sender: the far end confirmed a page (MCF, or RTP). `pages` counts pages confirmed in this
  // session, from first_page on without a gap: after a page is refused (RTN) spandsp goes on
  // to the next page, but the count stops, so that a retry resumes at first_page + pages.
  virtual void OnPageConfirmed(int pages) { (void)pages; }
  // Receiver: a page was received and written. `pages` counts pages received so far.
  virtual void OnPageReceived(int pages) { (void)pages; }
  // A T.30 frame went out or came in ("DIS", "DCS", "MCF", ...), for traces. ECM image frames
  // (FCD, RCP) are not reported.
  virtual void OnFrame(bool incoming, std::string_view frame) {
    (void)incoming;
    (void)frame;
  }
  // Phase E: called exactly once, unless the session is destroyed before it finished.
  virtual void OnFinished(const FaxOutcome& outcome) { (void)outcome; }
};

class FaxSession {
 public:
  // Destroying an unfinished session closes its files without calling OnFinished; call
  // Hangup() first to get an outcome.
  virtual ~FaxSession() = default;
  // The call ended under the session (hang-up, abort): forces phase E now. Idempotent. Unless
  // the fax had already completed (or failed), the outcome is a failure of kind kHungUp whose
  // reason starts with `why` ("Far end hung up before page 3 was confirmed (2 of 3 ...)").
  virtual void Hangup(std::string_view why) = 0;
  // True once the fax has ended and, for a receiver, every received page is in its file: pages
  // are written on background threads, so a receiver finishes on a call after phase E (keep
  // driving it). OnFinished comes at the same moment.
  virtual bool finished() const = 0;
  // Valid once finished(); after Hangup() the reason and kind are already final.
  virtual const FaxOutcome& outcome() const = 0;
};

// T.30 over 8 kHz 16-bit linear audio (spandsp fax_state_t). Drive it every 20 ms with
// Transmit(160) and Receive(160) (or ReceiveLost for a missing packet).
class AudioFaxSession : public FaxSession {
 public:
  // A sender's file is validated first (CheckSendable); a bad file is an error, not a call.
  static Result<std::unique_ptr<AudioFaxSession>> Create(const FaxSessionParams& params,
                                                         FaxEvents* events);
  // Fills `out` with samples to send; always fills all of it (silence when idle).
  virtual void Transmit(std::span<int16_t> out) = 0;
  virtual void Receive(std::span<const int16_t> in) = 0;
  virtual void ReceiveLost(int samples) = 0;
};

// T.30 over T.38 IFP packets (spandsp t38_terminal_state_t). Drive it every 20 ms with
// Tick(160); feed every IFP recovered from UDPTL to ReceiveIfp.
struct T38Params {
  int version = 0;
  int max_datagram = 400;
  bool transferred_tcf = true;  // rate management: transferredTCF (UDPTL) vs localTCF
  int max_bit_rate = 14400;
};
// The session hands each IFP to send here; `copies` is how many times spandsp asks for it
// to be sent (redundancy for indicators).
using IfpSink = std::function<void(std::span<const uint8_t> ifp, int copies)>;

class T38FaxSession : public FaxSession {
 public:
  static Result<std::unique_ptr<T38FaxSession>> Create(const FaxSessionParams& params,
                                                       const T38Params& t38, IfpSink sink,
                                                       FaxEvents* events);
  virtual void Tick(int samples) = 0;
  virtual void ReceiveIfp(std::span<const uint8_t> ifp, uint16_t seq) = 0;
};

// Once per process, before any session: routes spandsp and libtiff messages into our logs
// (they print to stderr otherwise).
void InstallFaxLogging();

}  // namespace faxgate
