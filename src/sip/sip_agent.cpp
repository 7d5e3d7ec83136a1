// The SIP agent's thread, its queue, start-up and shut-down, and the dispatch of sofia's events.
// Calls are in sip_agent_calls.cpp, registrations in sip_agent_registration.cpp.
#include "sip/sip_agent.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdarg>
#include <cstdio>
#include <cstring>
#include <future>

#include "base/log.h"
#include "sip/sip_agent_impl.h"
#include "sip/sofia_text.h"

namespace faxgate {
namespace {

constexpr int kStartTimeoutMs = 10000;
// Stop: BYEs, CANCELs and un-REGISTERs get this long to be answered...
constexpr int kHangUpTimeoutMs = 3000;
// ...and sofia's own shut-down (which waits for every transaction) this long.
constexpr int kShutdownTimeoutMs = 8000;
// Transactions started during Stop give up after 64*T1 = 2 s instead of 32 s.
constexpr unsigned kStopTransactionTimeoutMs = 2000;

// The methods we accept. UPDATE is in because RFC 4028 refreshes use it (answered by the agent
// when it carries no offer, by the listener when it does); INFO, MESSAGE, REFER, SUBSCRIBE,
// NOTIFY and PRACK are answered 405 by sofia.
constexpr char kAllow[] = "INVITE, ACK, BYE, CANCEL, OPTIONS, UPDATE";
// No NUTAG_OUTBOUND magic: no OPTIONS to ourselves through the registrar to "validate", no
// keep-alive OPTIONS, no Contact rewritten from the registrar's Via received=.
constexpr char kOutbound[] = "no-outbound no-validate no-natify no-options-keepalive";

// sofia's own log lines go to spdlog at trace; sofia writes a line in pieces.
void SofiaLogger(void* /*stream*/, const char* format, va_list args) {
  thread_local std::string line;
  char piece[1024];
  vsnprintf(piece, sizeof piece, format, args);
  line += piece;
  size_t newline;
  while ((newline = line.find('\n')) != std::string::npos) {
    log::Get("sofia")->trace("{}", line.substr(0, newline));
    line.erase(0, newline + 1);
  }
}

int WakeCallback(SofiaAgent* agent, su_wait_t* /*wait*/, void* /*arg*/) {
  agent->DrainQueue();
  return 0;
}

void EventCallback(nua_event_t event, int status, const char* phrase, nua_t* /*nua*/,
                   SofiaAgent* agent, nua_handle_t* nh, SofiaHandleOwner* owner, const sip_t* sip,
                   tagi_t tags[]) {
  agent->OnNuaEvent(event, status, phrase, nh, owner, sip, tags);
}

std::string ListenUrl(const SipAgentSettings& settings, int port, bool tls) {
  std::string bind = settings.listen_address.find(':') != std::string::npos
                         ? "[" + settings.listen_address + "]"
                         : settings.listen_address;
  std::string url = (tls ? "sips:" : "sip:");
  if (settings.public_address.empty()) return url + bind + ":" + std::to_string(port);
  // The host is what Via and Contact say; maddr is where we bind (sofia adds no maddr= to Via).
  return url + settings.public_address + ":" + std::to_string(port) + ";maddr=" + bind;
}

// A port free for both UDP and TCP on `address`, 0 if none was found. sofia can bind an
// ephemeral port itself (port "*"), but then reports only one transport's Contact, the TLS one
// when there is TLS: so for port 0 we choose the port and tell sofia.
int PickFreePort(const std::string& address) {
  sockaddr_storage storage{};
  socklen_t length = 0;
  auto* v4 = reinterpret_cast<sockaddr_in*>(&storage);
  auto* v6 = reinterpret_cast<sockaddr_in6*>(&storage);
  if (inet_pton(AF_INET, address.c_str(), &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    length = sizeof *v4;
  } else if (inet_pton(AF_INET6, address.c_str(), &v6->sin6_addr) == 1) {
    v6->sin6_family = AF_INET6;
    length = sizeof *v6;
  } else {
    return 0;
  }
  for (int attempt = 0; attempt < 20; ++attempt) {
    if (storage.ss_family == AF_INET) v4->sin_port = 0;
    if (storage.ss_family == AF_INET6) v6->sin6_port = 0;
    socklen_t bound_length = length;
    int udp = socket(storage.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    int tcp = socket(storage.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    // As sofia does for its listener: a connection in TIME_WAIT does not block the port.
    int one = 1;
    if (tcp >= 0) setsockopt(tcp, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    int port = 0;
    if (udp >= 0 && tcp >= 0 && bind(udp, reinterpret_cast<sockaddr*>(&storage), length) == 0 &&
        getsockname(udp, reinterpret_cast<sockaddr*>(&storage), &bound_length) == 0 &&
        bind(tcp, reinterpret_cast<sockaddr*>(&storage), length) == 0) {
      port = ntohs(storage.ss_family == AF_INET ? v4->sin_port : v6->sin6_port);
    }
    if (udp >= 0) close(udp);
    if (tcp >= 0) close(tcp);
    if (port != 0) return port;
  }
  return 0;
}

}  // namespace

Result<std::unique_ptr<SipAgent>> SipAgent::Start(const SipAgentSettings& settings,
                                                  SipAgentListener* listener) {
  if (!listener) return MakeError(ErrorCode::kInvalidArgument, "SIP agent needs a listener");
  auto agent = std::make_unique<SofiaAgent>(settings, listener);
  Status started = agent->Launch();
  if (!started.ok()) return started.error();
  return std::unique_ptr<SipAgent>(std::move(agent));
}

SofiaAgent::SofiaAgent(const SipAgentSettings& settings, SipAgentListener* listener)
    : settings_(settings), listener_(listener), log_(log::Get("sip")) {}

SofiaAgent::~SofiaAgent() {
  Stop();
  if (wake_fd_ >= 0) close(wake_fd_);
}

Status SofiaAgent::Launch() {
  static std::once_flag redirect_once;
  std::call_once(redirect_once, [] { su_log_redirect(nullptr, SofiaLogger, nullptr); });

  // Resolving here, not on the SIP thread: a slow DNS answer must not stall SIP.
  for (const SipTrunkSettings& trunk : settings_.trunks) {
    std::string host = sofia_text::SplitHostPort(trunk.proxy).host;
    trunk_addresses_.push_back(sofia_text::ResolveHost(host));
    if (trunk_addresses_.back().empty()) {
      log_->warn("trunk {}: proxy host '{}' does not resolve; its calls will not be recognised",
                 trunk.name, host);
    }
  }
  {
    std::lock_guard lock(registrations_mutex_);
    for (const SipTrunkSettings& trunk : settings_.trunks) {
      if (!trunk.do_register) continue;
      SipRegistrationState state;
      state.trunk = trunk.name;
      registration_states_.push_back(state);
    }
  }

  wake_fd_ = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (wake_fd_ < 0) {
    return MakeError(ErrorCode::kInternal, std::string("eventfd: ") + std::strerror(errno));
  }
  // Shared: the SIP thread may still be inside set_value() when Launch() returns.
  auto started = std::make_shared<std::promise<Status>>();
  std::future<Status> result = started->get_future();
  thread_ = std::thread([this, started] { Run(started.get()); });
  if (result.wait_for(std::chrono::milliseconds(kStartTimeoutMs)) != std::future_status::ready) {
    // Cannot happen unless sofia hangs while binding.
    log_->critical("SIP thread did not start");
    std::abort();
  }
  Status status = result.get();
  if (!status.ok()) {
    thread_.join();
    return status;
  }
  return Status::Ok();
}

void SofiaAgent::Run(std::promise<Status>* started) {
  su_init();
  root_ = su_root_create(this);
  if (!root_) {
    started->set_value(MakeError(ErrorCode::kInternal, "su_root_create failed"));
    su_deinit();
    return;
  }
  // The NUA stack runs in this thread instead of a second one of its own.
  su_root_threading(root_, 0);
  su_wait_create(&wake_wait_, wake_fd_, SU_WAIT_IN);
  wake_index_ = su_root_register(root_, &wake_wait_, WakeCallback, nullptr, 0);

  Status created = MakeError(ErrorCode::kInternal, "su_root_register failed");
  // With port 0 another process may take the port we picked before sofia binds it: try again.
  for (int attempt = 0; wake_index_ >= 0 && attempt < 5; ++attempt) {
    int port = settings_.listen_port;
    if (port == 0) port = PickFreePort(settings_.listen_address);
    if (port == 0) {
      created =
          MakeError(ErrorCode::kUnavailable, "no free port for SIP on " + settings_.listen_address);
      break;
    }
    created = CreateNua(port);
    if (created.ok() || settings_.listen_port != 0) break;
  }
  if (!created.ok()) {
    if (wake_index_ >= 0) su_root_deregister(root_, wake_index_);
    su_root_destroy(root_);
    root_ = nullptr;
    su_deinit();
    {
      std::lock_guard lock(queue_mutex_);
      queue_closed_ = true;
    }
    started->set_value(created);
    return;
  }
  started->set_value(Status::Ok());

  StartRegistrations();
  while (!stop_requested_) su_root_run(root_);
  ShutDown();
}

Status SofiaAgent::CreateNua(int port) {
  const bool tls = settings_.tls_port > 0 && !settings_.tls_certificate_dir.empty();
  const std::string url = ListenUrl(settings_, port, false);
  const std::string sips_url = tls ? ListenUrl(settings_, settings_.tls_port, true) : "";
  const bool timers = settings_.session_expires_s > 0;
  unsigned verify = settings_.tls_verify_peer ? TPTLS_VERIFY_OUT : TPTLS_VERIFY_NONE;

  nua_ = nua_create(
      root_, EventCallback, this, NUTAG_URL(url.c_str()),
      TAG_IF(tls, NUTAG_SIPS_URL(sips_url.c_str())),
      TAG_IF(tls, NUTAG_CERTIFICATE_DIR(settings_.tls_certificate_dir.c_str())),
      TAG_IF(tls, TPTAG_TLS_VERIFY_POLICY(verify)),
      // SDP is ours: no SOA, and sofia answers nothing on our behalf.
      NUTAG_MEDIA_ENABLE(0), NUTAG_AUTOANSWER(0), NUTAG_AUTOALERT(0), NUTAG_AUTOACK(1),
      NUTAG_ENABLEINVITE(1), NUTAG_ENABLEMESSAGE(0), NUTAG_EARLY_MEDIA(0), SIPTAG_ALLOW_STR(kAllow),
      // UPDATE joins INVITE (and the defaults REGISTER, PUBLISH, SUBSCRIBE) among the methods the
      // application answers: sofia would answer an UPDATE offer with a bodiless 200 itself.
      NUTAG_APPL_METHOD("UPDATE"),
      // No 100rel (no PRACK). "timer" only when we ask for session timers: with it, sofia may
      // become the refresher, and it refreshes with a bodiless UPDATE (NUTAG_UPDATE_REFRESH)
      // since a refresh re-INVITE of its own would carry a stale offer or none (media is off).
      TAG_IF(timers, SIPTAG_SUPPORTED_STR("timer")),
      TAG_IF(!timers, SIPTAG_SUPPORTED(static_cast<const sip_supported_t*>(SIP_NONE))),
      NUTAG_SESSION_TIMER(timers ? settings_.session_expires_s : 0),
      TAG_IF(timers, NUTAG_MIN_SE(90)), NUTAG_SESSION_REFRESHER(nua_remote_refresher),
      NUTAG_UPDATE_REFRESH(1), NUTAG_OUTBOUND(kOutbound), NUTAG_KEEPALIVE(0),
      SIPTAG_USER_AGENT_STR(settings_.user_agent.c_str()), TAG_END());
  if (!nua_) {
    return MakeError(ErrorCode::kUnavailable, "cannot listen for SIP on " + url +
                                                  (tls ? " and " + sips_url : "") +
                                                  " (address in use or not ours?)");
  }
  bound_port_ = port;
  log_->info("SIP agent listening on {}:{} (UDP, TCP){}", settings_.listen_address,
             bound_port_.load(), tls ? fmt::format(", TLS on port {}", settings_.tls_port) : "");
  return Status::Ok();
}

void SofiaAgent::RunUntil(const std::function<bool()>& done, int timeout_ms) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (!done() && std::chrono::steady_clock::now() < deadline) {
    su_root_step(root_, 50);
  }
}

bool SofiaAgent::Post(std::function<void()> work) {
  {
    std::lock_guard lock(queue_mutex_);
    if (queue_closed_) return false;
    queue_.push_back(std::move(work));
  }
  uint64_t one = 1;
  // The eventfd counter only saturates after 2^64-2 wake-ups; EAGAIN would mean it is set.
  [[maybe_unused]] ssize_t written = write(wake_fd_, &one, sizeof one);
  return true;
}

void SofiaAgent::DrainQueue() {
  uint64_t count;
  while (read(wake_fd_, &count, sizeof count) > 0) {
  }
  for (;;) {
    std::deque<std::function<void()>> batch;
    {
      std::lock_guard lock(queue_mutex_);
      batch.swap(queue_);
    }
    if (batch.empty()) return;
    for (auto& work : batch) work();
  }
}

void SofiaAgent::Stop() {
  std::lock_guard stop_lock(stop_mutex_);
  if (!thread_.joinable()) return;
  if (std::this_thread::get_id() == thread_.get_id()) {
    log_->error("SipAgent::Stop called from a listener callback; ignored (it would deadlock)");
    return;
  }
  Post([this] {
    stop_requested_ = true;
    su_root_break(root_);
  });
  thread_.join();
}

void SofiaAgent::ShutDown() {
  stopping_ = true;
  log_->info("SIP agent stopping: {} call(s) to end", calls_.size());
  nua_set_params(nua_, NTATAG_SIP_T1X64(kStopTransactionTimeoutMs), TAG_END());
  std::vector<SipCallHandle> ids;
  for (const auto& [id, call] : calls_) ids.push_back(id);
  for (SipCallHandle id : ids) DoHangUp(id, 503, "agent stopped");
  UnregisterAll();
  RunUntil([this] { return calls_.empty() && !Unregistering(); }, kHangUpTimeoutMs);
  // Whatever did not end by now ends here, so that every call gets its OnEnded.
  while (!calls_.empty()) EndCall(calls_.begin()->second.get(), 503, "agent stopped", false);
  DestroyRegistrations();

  nua_shutdown(nua_);
  RunUntil([this] { return shutdown_final_; }, kShutdownTimeoutMs);
  // Work posted until now still runs: an Invite() that raced with Stop() gets its OnEnded (503);
  // the rest finds no call. Later posts are dropped.
  std::deque<std::function<void()>> last;
  {
    std::lock_guard lock(queue_mutex_);
    queue_closed_ = true;
    last.swap(queue_);
  }
  for (auto& work : last) work();
  if (!shutdown_final_) {
    // nua_destroy() refuses before nua_r_shutdown, and the root cannot go while the NUA lives
    // in it: leak both rather than crash (a peer that never answered; Stop is at exit).
    log_->error("sofia did not finish shutting down in time; leaking the SIP stack");
    return;
  }
  nua_destroy(nua_);
  nua_ = nullptr;
  su_root_deregister(root_, wake_index_);
  su_root_destroy(root_);
  root_ = nullptr;
  su_deinit();
  log_->info("SIP agent stopped");
}

SipCallHandle SofiaAgent::Invite(const std::string& trunk, const std::string& number,
                                 const std::string& caller, const std::string& sdp) {
  SipCallHandle id = next_call_++;
  if (!Post([=, this] { DoInvite(id, trunk, number, caller, sdp); })) {
    log_->warn("call to {} not placed: the SIP agent is stopped", number);
  }
  return id;
}

void SofiaAgent::Respond(SipCallHandle call, int status, const std::string& phrase,
                         const std::string& sdp) {
  Post([=, this] { DoRespond(call, status, phrase, sdp); });
}

void SofiaAgent::Reinvite(SipCallHandle call, const std::string& sdp) {
  Post([=, this] { DoReinvite(call, sdp); });
}

void SofiaAgent::HangUp(SipCallHandle call) {
  Post([=, this] { DoHangUp(call, 0, ""); });
}

std::vector<SipRegistrationState> SofiaAgent::Registrations() const {
  std::lock_guard lock(registrations_mutex_);
  return registration_states_;
}

void SofiaAgent::OnNuaEvent(nua_event_t event, int status, const char* phrase, nua_handle_t* nh,
                            SofiaHandleOwner* owner, const sip_t* sip, tagi_t tags[]) {
  log_->debug("sofia event {} {} {}", nua_event_name(event), status, phrase ? phrase : "");
  auto* call = owner && owner->kind == SofiaHandleOwner::Kind::kCall
                   ? static_cast<SofiaCall*>(owner)
                   : nullptr;
  auto* registration = owner && owner->kind == SofiaHandleOwner::Kind::kRegistration
                           ? static_cast<SofiaRegistration*>(owner)
                           : nullptr;
  switch (event) {
    case nua_r_shutdown:
      if (status >= 200) shutdown_final_ = true;
      return;
    case nua_i_invite:
      if (call) {
        OnReinviteReceived(call, sip);
      } else if (nh && !owner) {
        OnIncomingInvite(nh, sip);
      }
      return;
    case nua_i_update:
      if (call) {
        OnUpdateReceived(call, sip);
        return;
      }
      break;
    case nua_r_invite:
      if (call) OnInviteResponse(call, status, phrase, sip);
      return;
    case nua_i_state:
      if (call) OnCallState(call, status, phrase, tags);
      return;
    case nua_i_bye:
      if (call) NoteEnd(call, 200, "BYE", true);
      return;
    case nua_r_cancel:
      if (call) OnCancelResponse(call, status);
      return;
    case nua_i_cancel:
      if (call) NoteEnd(call, 487, "Request Terminated", true);
      return;
    case nua_r_register:
    case nua_r_unregister:
      if (registration) OnRegisterResponse(registration, event, status, phrase, sip);
      return;
    case nua_i_error:
      log_->warn("sofia reports an error: {} {}", status, phrase ? phrase : "");
      return;
    default:
      break;
  }
  // OPTIONS, and anything else sofia answered by itself, arrives on a handle sofia created for
  // the request; it is ours to destroy (kamailio's OPTIONS probes would otherwise pile up).
  if (nh && !owner) nua_handle_destroy(nh);
}

}  // namespace faxgate
