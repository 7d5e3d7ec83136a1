// One fax call over a SIP trunk, on one media worker: the fax session (spandsp, audio or T.38),
// its media path (RTP or UDPTL), the switch between them by re-INVITE, extension digits, and
// the report when it ends. Signalling events from the SIP agent reach it through
// MediaWorker::Post; it answers through the agent, whose methods are thread-safe.
#pragma once

#include <memory>
#include <string>

#include "base/config.h"
#include "fax/fax_session.h"
#include "lines/call_events.h"
#include "media/media_worker.h"
#include "media/udp_port.h"
#include "sip/media_negotiation.h"
#include "sip/sip_agent.h"

namespace faxgate {

struct SipCallSetup {
  std::string key;  // our name for the call in logs and on the worker ("sip-12")
  SipAgent* agent = nullptr;
  SipCallHandle handle = 0;
  TrunkConfig trunk;
  MediaConfig media;
  bool outbound = true;
  JobId job = 0;               // outbound
  InboundId inbound_id = 0;    // inbound
  std::string sip_call_id;     // inbound: known from the INVITE; outbound: from the answer
  std::string number_display;  // the far end, as the user writes it
  std::string extension;       // DTMF digits to dial after the answer (outbound)
  FaxSessionParams fax;        // role, file, first page, local options
  LocalMedia local;            // our SDP side (ports, codecs, T.38 preferences)
  std::unique_ptr<UdpPort> audio_port;
  std::unique_ptr<UdpPort> image_port;
  NegotiatedMedia answered_media;  // inbound: what our 200 OK agreed
};

// How a call ended, for the line pool.
struct SipCallEnd {
  CallReport report;
  int sip_status = 0;     // the final SIP status when the INVITE failed, else 0
  bool answered = false;  // the far end answered (no fail-over to another trunk then)
};

struct SipCallSinks {
  std::function<void(JobId, int pages)> page_confirmed;
  std::function<void(InboundId, int pages)> inbound_page;
  std::function<void(const SipCallEnd&)> ended;
};

class SipCall : public MediaCall {
 public:
  // Signalling events (sip/sip_agent.h SipAgentListener), delivered on the worker's thread.
  virtual void OnProgress(int status, const std::string& sdp) = 0;
  virtual void OnAnswered(const std::string& call_id, const std::string& sdp) = 0;
  virtual void OnOffer(const std::string& sdp) = 0;
  virtual void OnOfferResult(int status, const std::string& phrase, const std::string& sdp) = 0;
  virtual void OnEnded(int status, const std::string& phrase, bool by_peer) = 0;
};

std::unique_ptr<SipCall> MakeSipCall(SipCallSetup setup, SipCallSinks sinks);

}  // namespace faxgate
