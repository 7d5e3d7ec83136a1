// The SIP trunks of the line pool: places outgoing calls on the trunk that carries the number
// (by priority, failing over to the next trunk when one cannot take the call), routes incoming
// INVITEs by DID to the InboundHandler, and keeps each trunk's registration state.
// Driven from the control thread; the SIP agent's events are posted there, and from there to
// the media worker holding the call.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>

#include "base/config.h"
#include "lines/call_events.h"
#include "lines/line_status.h"
#include "lines/sip_call.h"
#include "media/media_worker.h"
#include "media/udp_port.h"
#include "queue/dialer.h"
#include "sip/sip_agent.h"

namespace faxgate {

class SipLines final : public SipAgentListener {
 public:
  SipLines(boost::asio::io_context& control, const Config& config,
           std::vector<std::unique_ptr<MediaWorker>>& workers,
           std::function<FaxOptions()> local_options, InboundHandler& inbound,
           OutboundEvents& outbound);
  ~SipLines() override;

  // Starts the SIP agent when trunks are configured.
  Status Start();
  // Ends every call and stops the agent.
  void Stop();

  bool Carries(const std::string& dial_string) const;
  bool HasFreeLine() const;
  Status Dial(const DialRequest& request);
  // False when the job has no call here.
  bool HangUp(JobId job);
  std::vector<LineStatus> Lines() const;
  int active_calls() const { return static_cast<int>(calls_.size()); }

  // SipAgentListener: on the SIP thread; each posts to the control thread.
  void OnIncomingCall(const SipIncomingCall& call) override;
  void OnProgress(SipCallHandle call, int status, const std::string& sdp) override;
  void OnAnswered(SipCallHandle call, const std::string& call_id, const std::string& sdp) override;
  void OnOffer(SipCallHandle call, const std::string& sdp) override;
  void OnOfferResult(SipCallHandle call, int status, const std::string& phrase,
                     const std::string& sdp) override;
  void OnEnded(SipCallHandle call, int status, const std::string& phrase, bool by_peer) override;
  void OnRegistration(const SipRegistrationState& state) override;

 private:
  struct ActiveCall {
    std::string key;
    int worker = 0;
    std::string trunk;
    bool outbound = true;
    JobId job = 0;
    InboundId inbound = 0;
    DialRequest request;                   // outbound: to fail over with
    std::vector<std::string> next_trunks;  // outbound: trunks still to try
  };

  const TrunkConfig* FindTrunk(const std::string& name) const;
  std::vector<const TrunkConfig*> TrunksFor(const std::string& dial_string) const;
  bool TrunkHasRoom(const TrunkConfig& trunk) const;
  Status PlaceCall(const DialRequest& request, const TrunkConfig& trunk,
                   std::vector<std::string> next_trunks);
  void AcceptIncoming(const SipIncomingCall& call);
  void Refuse(const SipIncomingCall& call, int status, const char* phrase, const std::string& why);
  Result<LocalMedia> OpenMedia(const TrunkConfig& trunk, std::unique_ptr<UdpPort>* audio,
                               std::unique_ptr<UdpPort>* image);
  SipCallSinks MakeSinks(SipCallHandle handle);
  void OnCallEnded(SipCallHandle handle, const SipCallEnd& end);
  // Runs `fn` on the worker holding the call, if the call is still known.
  void ToCall(SipCallHandle handle, std::function<void(SipCall&)> fn);
  int NextWorker();

  boost::asio::io_context& control_;
  Config config_;
  std::vector<std::unique_ptr<MediaWorker>>& workers_;
  std::function<FaxOptions()> local_options_;
  InboundHandler& inbound_;
  OutboundEvents& outbound_;
  std::shared_ptr<UdpPortRange> ports_;
  std::unique_ptr<SipAgent> agent_;
  std::map<SipCallHandle, ActiveCall> calls_;
  std::map<JobId, SipCallHandle> by_job_;
  std::map<std::string, int> active_per_trunk_;
  std::map<std::string, SipRegistrationState> registrations_;
  int64_t next_call_ = 1;
  int next_worker_ = 0;
};

}  // namespace faxgate
