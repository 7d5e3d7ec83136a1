// Private to the SIP agent: the sofia-sip implementation of SipAgent.
//
// One std::thread owns the su_root, the NUA and every nua handle; sofia is touched on no other
// thread. The public methods post closures to a mutex-protected queue and wake the SIP thread
// through an eventfd registered with the su_root. su_root_threading(root, 0) keeps the NUA stack
// in the same thread as its application side (sofia would otherwise start a second thread).
#pragma once

#include <atomic>
#include <cstdint>
#include <deque>
#include <functional>
#include <future>
#include <list>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <spdlog/spdlog.h>

#include "base/result.h"
#include "sip/sip_agent.h"
#include "sip/sip_agent_sofia.h"

namespace faxgate {

// What a nua handle's magic points to: a call or a registration.
struct SofiaHandleOwner {
  enum class Kind { kCall, kRegistration };
  explicit SofiaHandleOwner(Kind owner_kind) : kind(owner_kind) {}
  virtual ~SofiaHandleOwner() = default;
  Kind kind;
};

// An offer from the peer that waits for Respond().
enum class PendingOffer { kNone, kInvite, kUpdate };

struct SofiaCall : SofiaHandleOwner {
  SofiaCall() : SofiaHandleOwner(Kind::kCall) {}
  SipCallHandle id = 0;
  nua_handle_t* nh = nullptr;
  bool incoming = false;
  std::string trunk;  // outgoing: the trunk used; incoming: the matched one (may be empty)
  std::string peer;   // the number called or calling, for log lines
  std::string call_id;
  int callstate = nua_callstate_init;
  bool answered = false;          // the initial INVITE got (or we sent) a 2xx
  bool auth_sent = false;         // credentials went with the current INVITE transaction
  bool reinvite_pending = false;  // our re-INVITE waits for its final response
  PendingOffer pending_offer = PendingOffer::kNone;
  nua_saved_event_t saved_offer[1] = {nullptr};  // the re-INVITE or UPDATE to answer
  std::string local_sdp;                         // our SDP now in force
  std::string offered_sdp;                       // our re-INVITE's offer, in force once accepted
  bool reinvite_deferred = false;  // Reinvite() before the ACK: sent once the call is ready
  // How the call ended; the first reason recorded wins.
  bool end_known = false;
  int end_status = 0;
  std::string end_phrase;
  bool end_by_peer = false;
  bool ended = false;
  // nua_respond() keeps the phrase pointer until the response is sent: it lives here.
  std::list<std::string> phrases;
};

struct SofiaRegistration : SofiaHandleOwner {
  SofiaRegistration() : SofiaHandleOwner(Kind::kRegistration) {}
  size_t trunk = 0;
  nua_handle_t* nh = nullptr;
  bool auth_sent = false;
  bool unregistering = false;
  int failures = 0;  // consecutive, for the back-off
  su_timer_t* retry_timer = nullptr;
  SipRegistrationState state;
};

class SofiaAgent final : public SipAgent {
 public:
  SofiaAgent(const SipAgentSettings& settings, SipAgentListener* listener);
  ~SofiaAgent() override;

  // Starts the SIP thread and waits until it listens (or failed to).
  Status Launch();

  void Stop() override;
  SipCallHandle Invite(const std::string& trunk, const std::string& number,
                       const std::string& caller, const std::string& sdp) override;
  void Respond(SipCallHandle call, int status, const std::string& phrase,
               const std::string& sdp) override;
  void Reinvite(SipCallHandle call, const std::string& sdp) override;
  void HangUp(SipCallHandle call) override;
  std::vector<SipRegistrationState> Registrations() const override;
  int bound_port() const override { return bound_port_.load(); }

  // sofia's callbacks (SIP thread).
  void OnNuaEvent(nua_event_t event, int status, const char* phrase, nua_handle_t* nh,
                  SofiaHandleOwner* owner, const sip_t* sip, tagi_t tags[]);
  void DrainQueue();
  void OnRegistrationRetry(SofiaRegistration* registration);

 private:
  // --- thread and queue (sip_agent.cpp)
  bool Post(std::function<void()> work);
  void Run(std::promise<Status>* started);
  Status CreateNua(int port);
  void ShutDown();
  // Runs the su_root until `done` or the deadline; drains the queue in between.
  void RunUntil(const std::function<bool()>& done, int timeout_ms);

  // --- calls (sip_agent_calls.cpp)
  void DoInvite(SipCallHandle id, const std::string& trunk_name, const std::string& number,
                const std::string& caller, const std::string& sdp);
  void DoRespond(SipCallHandle id, int status, const std::string& phrase, const std::string& sdp);
  void DoReinvite(SipCallHandle id, const std::string& sdp);
  void SendReinvite(SofiaCall* call);
  void DoHangUp(SipCallHandle id, int status, const std::string& phrase);
  void OnIncomingInvite(nua_handle_t* nh, const sip_t* sip);
  void OnReinviteReceived(SofiaCall* call, const sip_t* sip);
  void OnUpdateReceived(SofiaCall* call, const sip_t* sip);
  // Hands a peer's offer to the listener, unless one is already waiting for our answer.
  void TakeOffer(SofiaCall* call, PendingOffer kind, const std::string& sdp);
  void OnInviteResponse(SofiaCall* call, int status, const char* phrase, const sip_t* sip);
  void OnCancelResponse(SofiaCall* call, int status);
  void OnCallState(SofiaCall* call, int status, const char* phrase, tagi_t tags[]);
  void NoteEnd(SofiaCall* call, int status, const std::string& phrase, bool by_peer);
  // Reports OnEnded once, forgets the call and destroys its handle.
  void EndCall(SofiaCall* call, int status, const std::string& phrase, bool by_peer);
  SofiaCall* FindCall(SipCallHandle id);
  const char* KeepPhrase(SofiaCall* call, const std::string& phrase, int status);
  bool Authenticate(nua_handle_t* nh, const SipTrunkSettings* trunk, const sip_t* sip,
                    bool* auth_sent);
  const SipTrunkSettings* FindTrunk(const std::string& name) const;
  std::string TrunkForSource(const std::string& source_ip) const;

  // --- registrations (sip_agent_registration.cpp)
  void StartRegistrations();
  void SendRegister(SofiaRegistration* registration);
  void OnRegisterResponse(SofiaRegistration* registration, nua_event_t event, int status,
                          const char* phrase, const sip_t* sip);
  void ScheduleRegistrationRetry(SofiaRegistration* registration);
  void PublishRegistration(SofiaRegistration* registration);
  void UnregisterAll();
  bool Unregistering() const;
  void DestroyRegistrations();

  const SipAgentSettings settings_;
  SipAgentListener* const listener_;
  std::shared_ptr<spdlog::logger> log_;
  std::atomic<uint64_t> next_call_{1};
  std::atomic<int> bound_port_{0};

  // Cross-thread queue.
  mutable std::mutex queue_mutex_;
  std::deque<std::function<void()>> queue_;
  bool queue_closed_ = false;
  int wake_fd_ = -1;

  std::mutex stop_mutex_;
  std::thread thread_;

  // Registration states for Registrations().
  mutable std::mutex registrations_mutex_;
  std::vector<SipRegistrationState> registration_states_;

  // SIP thread only.
  su_root_t* root_ = nullptr;
  nua_t* nua_ = nullptr;
  su_wait_t wake_wait_;
  int wake_index_ = -1;
  bool stop_requested_ = false;
  bool stopping_ = false;
  bool shutdown_final_ = false;
  std::vector<std::vector<std::string>> trunk_addresses_;  // per trunk: proxy IPs
  std::map<SipCallHandle, std::unique_ptr<SofiaCall>> calls_;
  std::vector<std::unique_ptr<SofiaRegistration>> registrations_;
};

}  // namespace faxgate
