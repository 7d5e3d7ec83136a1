// The SIP user agent: sofia-sip's NUA on its own thread (su_root), with media disabled so that
// SDP is ours (sip/media_negotiation.h). It places and answers calls, sends re-INVITEs and BYEs,
// answers digest challenges with the trunk's credentials, and keeps each trunk registered.
//
// Threads: every public method may be called from any thread; the work is queued to the SIP
// thread. Listener callbacks run on the SIP thread: implementations post the event to where the
// call lives and return at once.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "base/result.h"

namespace faxgate {

enum class SipTransport { kUdp, kTcp, kTls };

// A trunk as the SIP layer sees it (the rest of its settings belong to lines).
struct SipTrunkSettings {
  std::string name;
  std::string proxy;      // host[:port] calls go to
  std::string registrar;  // host[:port]; empty: proxy
  bool do_register = false;
  int register_expires_s = 300;
  std::string user;       // From / auth user
  std::string auth_user;  // empty: user
  std::string password;
  std::string realm;   // empty: whatever the challenge names
  std::string domain;  // From host; empty: proxy host
  SipTransport transport = SipTransport::kUdp;
};

struct SipAgentSettings {
  std::string listen_address = "127.0.0.1";  // numeric, or 0.0.0.0
  int listen_port = 5060;                    // UDP and TCP
  int tls_port = 0;                          // 0: no TLS listener
  std::string tls_certificate_dir;           // holds agent.pem (key + certificate), cafile.pem
  bool tls_verify_peer = true;
  std::string public_address;  // Contact/Via host behind NAT; empty: listen address
  std::string user_agent = "faxgate";
  int session_expires_s = 0;  // 0: we don't ask for session timers (peers' refreshes are served)
  std::vector<SipTrunkSettings> trunks;
};

using SipCallHandle = uint64_t;  // ours, never reused within a process

struct SipIncomingCall {
  SipCallHandle call = 0;
  std::string trunk;        // the trunk whose proxy host sent it; empty: unknown peer
  std::string call_id;      // SIP Call-ID
  std::string called;       // Request-URI user part (the DID), else To user
  std::string caller;       // From user part
  std::string caller_name;  // From display name
  std::string source;       // "ip:port" the INVITE came from
  std::string sdp;          // the offer (may be empty: offer in the ACK is not supported)
};

struct SipRegistrationState {
  std::string trunk;
  bool registered = false;
  int status = 0;      // last response status (0: no response yet)
  std::string phrase;  // "OK", "Forbidden", "timeout"
  int retry_in_s = 0;  // when not registered: the next attempt
};

class SipAgentListener {
 public:
  virtual ~SipAgentListener() = default;
  // A new INVITE. Answer with Respond() (180/183/200/4xx); until then sofia has sent 100.
  virtual void OnIncomingCall(const SipIncomingCall& call) = 0;
  // Our INVITE: a provisional response (180, 183 with `sdp` for early media).
  virtual void OnProgress(SipCallHandle call, int status, const std::string& sdp) = 0;
  // Our INVITE was answered (ACK is sent by the agent). `call_id` is the SIP Call-ID.
  virtual void OnAnswered(SipCallHandle call, const std::string& call_id,
                          const std::string& sdp) = 0;
  // The peer sent a re-INVITE (or UPDATE) with an offer: answer with Respond() (200 + SDP,
  // 488). A session refresh carries the same offer again.
  virtual void OnOffer(SipCallHandle call, const std::string& sdp) = 0;
  // The final response to our re-INVITE: 200 with the answer, or a failure (488, 491, ...) after
  // which the dialog and the previous media stay as they were.
  virtual void OnOfferResult(SipCallHandle call, int status, const std::string& phrase,
                             const std::string& sdp) = 0;
  // The call is over: BYE either way, CANCEL, our INVITE refused (status >= 300), a transport
  // error (status 503 "transport error"), or a handle we ended. Called once per call; the
  // handle is invalid afterwards.
  virtual void OnEnded(SipCallHandle call, int status, const std::string& phrase, bool by_peer) = 0;
  virtual void OnRegistration(const SipRegistrationState& state) = 0;
};

class SipAgent {
 public:
  // Binds the listeners and starts the SIP thread; REGISTERs the trunks that ask for it.
  static Result<std::unique_ptr<SipAgent>> Start(const SipAgentSettings& settings,
                                                 SipAgentListener* listener);
  virtual ~SipAgent() = default;
  // Ends every call (BYE/CANCEL), unregisters, and joins the thread.
  virtual void Stop() = 0;

  // Calls `number` through `trunk` (sip:number@proxy). `caller` is the From user (our fax
  // number), `sdp` the offer. Errors (unknown trunk) are reported through OnEnded.
  virtual SipCallHandle Invite(const std::string& trunk, const std::string& number,
                               const std::string& caller, const std::string& sdp) = 0;
  // Responds to an incoming INVITE or re-INVITE; `sdp` empty: no body.
  virtual void Respond(SipCallHandle call, int status, const std::string& phrase,
                       const std::string& sdp) = 0;
  // Sends a re-INVITE with a new offer (the answer comes through OnOfferResult).
  virtual void Reinvite(SipCallHandle call, const std::string& sdp) = 0;
  // CANCEL before the answer, BYE after it, or a final 480/487 to an unanswered incoming call.
  virtual void HangUp(SipCallHandle call) = 0;

  virtual std::vector<SipRegistrationState> Registrations() const = 0;
  // The address and port the agent is bound to (tests with port 0 read it here).
  virtual int bound_port() const = 0;
};

}  // namespace faxgate
