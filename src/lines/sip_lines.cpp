#include "lines/sip_lines.h"

#include <algorithm>
#include <random>

#include <fmt/format.h>
#include <boost/asio/post.hpp>

#include "base/log.h"
#include "sip/sip_status.h"

namespace faxgate {
namespace {

SipTransport ParseTransport(const std::string& t) {
  if (t == "tcp") return SipTransport::kTcp;
  if (t == "tls") return SipTransport::kTls;
  return SipTransport::kUdp;
}

// "host:port" -> host and port; a bare host keeps `port`.
void SplitHostPort(const std::string& text, std::string* host, int* port) {
  const size_t colon = text.rfind(':');
  if (colon == std::string::npos || text.find(':') != colon) {
    *host = text;
    return;
  }
  *host = text.substr(0, colon);
  *port = std::atoi(text.c_str() + colon + 1);
}

SipAgentSettings AgentSettings(const Config& config) {
  SipAgentSettings s;
  SplitHostPort(config.sip.listen, &s.listen_address, &s.listen_port);
  s.tls_port = config.sip.tls_port;
  s.tls_certificate_dir = config.sip.tls_certificates.string();
  s.tls_verify_peer = config.sip.tls_verify;
  s.public_address = config.sip.public_address;
  s.user_agent = config.sip.user_agent;
  s.session_expires_s = config.sip.session_expires_s;
  for (const TrunkConfig& t : config.trunks) {
    SipTrunkSettings ts;
    ts.name = t.name;
    ts.proxy = t.proxy;
    ts.registrar = t.registrar;
    ts.do_register = t.do_register;
    ts.register_expires_s = t.register_expires_s;
    ts.user = t.user;
    ts.auth_user = t.auth_user;
    ts.password = t.password;
    ts.realm = t.realm;
    ts.domain = t.domain;
    ts.transport = ParseTransport(t.transport);
    s.trunks.push_back(ts);
  }
  return s;
}

bool AnyMatches(const std::vector<std::string>& patterns, const std::string& number) {
  if (patterns.empty()) return true;
  return std::any_of(patterns.begin(), patterns.end(),
                     [&](const std::string& p) { return NumberPatternMatches(p, number); });
}

}  // namespace

SipLines::SipLines(boost::asio::io_context& control, const Config& config,
                   std::vector<std::unique_ptr<MediaWorker>>& workers,
                   std::function<FaxOptions()> local_options, InboundHandler& inbound,
                   OutboundEvents& outbound)
    : control_(control),
      config_(config),
      workers_(workers),
      local_options_(std::move(local_options)),
      inbound_(inbound),
      outbound_(outbound),
      ports_(std::make_shared<UdpPortRange>(config.media.first_port, config.media.last_port)) {
  for (const TrunkConfig& t : config_.trunks) {
    SipRegistrationState r;
    r.trunk = t.name;
    registrations_[t.name] = r;
  }
}

SipLines::~SipLines() { Stop(); }

Status SipLines::Start() {
  if (config_.trunks.empty()) return Status::Ok();
  auto agent = SipAgent::Start(AgentSettings(config_), this);
  if (!agent.ok()) return agent.error();
  agent_ = std::move(agent).value();
  for (const TrunkConfig& t : config_.trunks) {
    log::Get("call")->info("SIP trunk {} via {} ({}, {} channels, T.38 {}){}", t.name, t.proxy,
                           t.transport, t.channels, t.t38 ? "on" : "off",
                           t.do_register ? ", registering" : "");
  }
  return Status::Ok();
}

void SipLines::Stop() {
  if (agent_) agent_->Stop();
}

const TrunkConfig* SipLines::FindTrunk(const std::string& name) const {
  for (const TrunkConfig& t : config_.trunks)
    if (t.name == name) return &t;
  return nullptr;
}

std::vector<const TrunkConfig*> SipLines::TrunksFor(const std::string& dial_string) const {
  std::vector<const TrunkConfig*> out;
  for (const TrunkConfig& t : config_.trunks)
    if (AnyMatches(t.outbound, dial_string)) out.push_back(&t);
  std::stable_sort(out.begin(), out.end(), [](const TrunkConfig* a, const TrunkConfig* b) {
    return a->priority < b->priority;
  });
  return out;
}

bool SipLines::TrunkHasRoom(const TrunkConfig& trunk) const {
  auto it = active_per_trunk_.find(trunk.name);
  const int active = it == active_per_trunk_.end() ? 0 : it->second;
  if (active >= trunk.channels) return false;
  // A trunk that must register carries calls only while registered.
  auto reg = registrations_.find(trunk.name);
  return !trunk.do_register || (reg != registrations_.end() && reg->second.registered);
}

bool SipLines::Carries(const std::string& dial_string) const {
  return agent_ && !TrunksFor(dial_string).empty();
}

bool SipLines::HasFreeLine() const {
  if (!agent_) return false;
  return std::any_of(config_.trunks.begin(), config_.trunks.end(),
                     [this](const TrunkConfig& t) { return TrunkHasRoom(t); });
}

Status SipLines::Dial(const DialRequest& request) {
  std::vector<const TrunkConfig*> trunks = TrunksFor(request.number.dial_string);
  std::vector<std::string> order;
  for (const TrunkConfig* t : trunks)
    if (TrunkHasRoom(*t)) order.push_back(t->name);
  if (order.empty()) {
    return MakeError(ErrorCode::kUnavailable,
                     fmt::format("no trunk for {} has a free channel{}", request.number.display,
                                 trunks.empty() ? " (no trunk carries the number)" : ""));
  }
  const TrunkConfig* first = FindTrunk(order.front());
  order.erase(order.begin());
  return PlaceCall(request, *first, std::move(order));
}

Result<LocalMedia> SipLines::OpenMedia(const TrunkConfig& trunk, std::unique_ptr<UdpPort>* audio,
                                       std::unique_ptr<UdpPort>* image) {
  auto a = UdpPort::Open(config_.media.address, ports_);
  if (!a.ok()) return a.error();
  auto i = UdpPort::Open(config_.media.address, ports_);
  if (!i.ok()) return i.error();
  *audio = std::move(a).value();
  *image = std::move(i).value();
  LocalMedia local;
  local.address =
      config_.media.public_address.empty() ? config_.media.address : config_.media.public_address;
  local.audio_port = (*audio)->port();
  local.image_port = (*image)->port();
  local.codecs.clear();
  for (const std::string& c : trunk.codecs)
    local.codecs.push_back(c == "PCMU" ? AudioCodec::kPcmu : AudioCodec::kPcma);
  local.telephone_events = trunk.dtmf != "inband";
  local.audio_redundancy = trunk.audio_redundancy;
  local.t38 = trunk.t38;
  local.t38_preferences.error_correction =
      trunk.t38_error_correction == "fec"    ? T38ErrorCorrection::kFec
      : trunk.t38_error_correction == "none" ? T38ErrorCorrection::kNone
                                             : T38ErrorCorrection::kRedundancy;
  std::random_device rd;
  local.session_id = rd() % 1000000000u;
  local.session_version = 1;
  return local;
}

Status SipLines::PlaceCall(const DialRequest& request, const TrunkConfig& trunk,
                           std::vector<std::string> next_trunks) {
  SipCallSetup setup;
  auto local = OpenMedia(trunk, &setup.audio_port, &setup.image_port);
  if (!local.ok()) {
    return MakeError(ErrorCode::kUnavailable,
                     fmt::format("no media port is free for a call on trunk {}: {}", trunk.name,
                                 local.error().message));
  }
  setup.local = *local;
  setup.key = fmt::format("sip-{}", next_call_++);
  setup.agent = agent_.get();
  setup.trunk = trunk;
  setup.media = config_.media;
  setup.outbound = true;
  setup.job = request.job;
  setup.number_display = request.number.display;
  setup.extension = request.number.extension;
  setup.fax.role = FaxRole::kSender;
  setup.fax.calling_party = true;
  setup.fax.file = request.document;
  setup.fax.first_page = request.first_page;
  setup.fax.options = local_options_();
  const std::string caller = !trunk.caller_number.empty() ? trunk.caller_number
                             : !trunk.user.empty()        ? trunk.user
                                                          : std::string("faxgate");
  const SipCallHandle handle = agent_->Invite(trunk.name, request.number.dial_string, caller,
                                              BuildOffer(setup.local, MediaKind::kAudio));
  setup.handle = handle;

  ActiveCall call;
  call.key = setup.key;
  call.worker = NextWorker();
  call.trunk = trunk.name;
  call.outbound = true;
  call.job = request.job;
  call.request = request;
  call.next_trunks = std::move(next_trunks);
  log::Get("call")->info("call {}: job {} dialling {} on trunk {}", setup.key, request.job,
                         request.number.display, trunk.name);
  workers_[call.worker]->Add(MakeSipCall(std::move(setup), MakeSinks(handle)));
  calls_[handle] = call;
  by_job_[request.job] = handle;
  active_per_trunk_[trunk.name]++;
  return Status::Ok();
}

bool SipLines::HangUp(JobId job) {
  auto it = by_job_.find(job);
  if (it == by_job_.end()) return false;
  const ActiveCall& call = calls_.at(it->second);
  workers_[call.worker]->HangUp(call.key, "the sender cancelled the fax");
  return true;
}

int SipLines::NextWorker() {
  const int w = next_worker_;
  next_worker_ = (next_worker_ + 1) % static_cast<int>(workers_.size());
  return w;
}

SipCallSinks SipLines::MakeSinks(SipCallHandle handle) {
  SipCallSinks s;
  s.page_confirmed = [this](JobId job, int pages) {
    boost::asio::post(control_, [this, job, pages] { outbound_.OnPageConfirmed(job, pages); });
  };
  s.inbound_page = [this](InboundId id, int pages) {
    boost::asio::post(control_, [this, id, pages] { inbound_.OnInboundPage(id, pages); });
  };
  s.ended = [this, handle](const SipCallEnd& end) {
    boost::asio::post(control_, [this, handle, end] { OnCallEnded(handle, end); });
  };
  return s;
}

void SipLines::OnCallEnded(SipCallHandle handle, const SipCallEnd& end) {
  auto it = calls_.find(handle);
  if (it == calls_.end()) return;
  ActiveCall call = std::move(it->second);
  calls_.erase(it);
  active_per_trunk_[call.trunk]--;
  if (!call.outbound) return inbound_.OnInboundEnded(call.inbound, end.report);
  by_job_.erase(call.job);
  // The trunk could not take the call (its failure, not the called party's): try the next one.
  while (!end.answered && ShouldFailOver(end.sip_status) && !call.next_trunks.empty()) {
    const TrunkConfig* next = FindTrunk(call.next_trunks.front());
    call.next_trunks.erase(call.next_trunks.begin());
    if (!next || !TrunkHasRoom(*next)) continue;
    log::Get("call")->info("job {}: trunk {} failed ({}); trying trunk {}", call.job, call.trunk,
                           end.report.reason, next->name);
    if (PlaceCall(call.request, *next, call.next_trunks).ok()) return;
  }
  outbound_.OnCallEnded(call.job, end.report);
}

void SipLines::ToCall(SipCallHandle handle, std::function<void(SipCall&)> fn) {
  auto it = calls_.find(handle);
  if (it == calls_.end()) return;
  workers_[it->second.worker]->Post(
      it->second.key, [fn = std::move(fn)](MediaCall& call) { fn(static_cast<SipCall&>(call)); });
}

// --- SIP agent events (SIP thread -> control thread) -----------------------------------------

void SipLines::OnIncomingCall(const SipIncomingCall& call) {
  boost::asio::post(control_, [this, call] { AcceptIncoming(call); });
}

void SipLines::OnProgress(SipCallHandle handle, int status, const std::string& sdp) {
  boost::asio::post(control_, [this, handle, status, sdp] {
    ToCall(handle, [status, sdp](SipCall& c) { c.OnProgress(status, sdp); });
  });
}

void SipLines::OnAnswered(SipCallHandle handle, const std::string& call_id,
                          const std::string& sdp) {
  boost::asio::post(control_, [this, handle, call_id, sdp] {
    ToCall(handle, [call_id, sdp](SipCall& c) { c.OnAnswered(call_id, sdp); });
  });
}

void SipLines::OnOffer(SipCallHandle handle, const std::string& sdp) {
  boost::asio::post(control_, [this, handle, sdp] {
    if (!calls_.count(handle)) {
      if (agent_) agent_->Respond(handle, 481, "Call/Transaction Does Not Exist", "");
      return;
    }
    ToCall(handle, [sdp](SipCall& c) { c.OnOffer(sdp); });
  });
}

void SipLines::OnOfferResult(SipCallHandle handle, int status, const std::string& phrase,
                             const std::string& sdp) {
  boost::asio::post(control_, [this, handle, status, phrase, sdp] {
    ToCall(handle, [status, phrase, sdp](SipCall& c) { c.OnOfferResult(status, phrase, sdp); });
  });
}

void SipLines::OnEnded(SipCallHandle handle, int status, const std::string& phrase, bool by_peer) {
  boost::asio::post(control_, [this, handle, status, phrase, by_peer] {
    ToCall(handle, [status, phrase, by_peer](SipCall& c) { c.OnEnded(status, phrase, by_peer); });
  });
}

void SipLines::OnRegistration(const SipRegistrationState& state) {
  boost::asio::post(control_, [this, state] {
    SipRegistrationState& old = registrations_[state.trunk];
    if (old.registered != state.registered || old.status != state.status) {
      if (state.registered) {
        log::Get("call")->info("trunk {}: registered", state.trunk);
      } else {
        log::Get("call")->warn("trunk {}: not registered ({} {}), retry in {} s", state.trunk,
                               state.status, state.phrase, state.retry_in_s);
      }
    }
    old = state;
  });
}

// --- incoming calls ---------------------------------------------------------------------------

void SipLines::Refuse(const SipIncomingCall& call, int status, const char* phrase,
                      const std::string& why) {
  log::Get("call")->warn("incoming call from {} to {} via {} refused ({} {}): {}", call.caller,
                         call.called, call.source, status, phrase, why);
  agent_->Respond(call.call, status, phrase, "");
}

void SipLines::AcceptIncoming(const SipIncomingCall& in) {
  const TrunkConfig* trunk = FindTrunk(in.trunk);
  if (!trunk) return Refuse(in, 403, "Forbidden", "the sender is not one of the trunks");
  if (!AnyMatches(trunk->dids, in.called)) {
    return Refuse(in, 404, "Not Found",
                  fmt::format("trunk {} does not carry DID {}", trunk->name, in.called));
  }
  if (active_per_trunk_[trunk->name] >= trunk->channels) {
    return Refuse(
        in, 486, "Busy Here",
        fmt::format("all {} channels of trunk {} are busy", trunk->channels, trunk->name));
  }
  // The offer is checked before the call is recorded, so that junk INVITEs leave no failed
  // reception in anybody's inbox.
  SipCallSetup setup;
  auto local = OpenMedia(*trunk, &setup.audio_port, &setup.image_port);
  if (!local.ok()) return Refuse(in, 503, "Service Unavailable", local.error().message);
  auto answer = AnswerOffer(in.sdp, *local);
  if (!answer.ok()) return Refuse(in, 488, "Not Acceptable Here", answer.error().message);
  IncomingCall incoming{trunk->name, in.call_id, in.called, in.caller};
  auto ticket = inbound_.OnIncomingCall(incoming);
  if (!ticket.ok()) return Refuse(in, 404, "Not Found", ticket.error().message);
  setup.local = *local;
  setup.key = fmt::format("sip-{}", next_call_++);
  setup.agent = agent_.get();
  setup.handle = in.call;
  setup.trunk = *trunk;
  setup.media = config_.media;
  setup.outbound = false;
  setup.inbound_id = ticket->id;
  setup.sip_call_id = in.call_id;
  setup.number_display = in.caller.empty() ? "an unknown caller" : in.caller;
  setup.fax.role = FaxRole::kReceiver;
  setup.fax.calling_party = false;
  setup.fax.file = ticket->receive_path;
  setup.fax.options = ticket->options;
  setup.answered_media = answer->media;

  ActiveCall call;
  call.key = setup.key;
  call.worker = NextWorker();
  call.trunk = trunk->name;
  call.outbound = false;
  call.inbound = ticket->id;
  log::Get("call")->info("call {}: incoming from {} to DID {} on trunk {} (Call-ID {})", setup.key,
                         setup.number_display, in.called, trunk->name, in.call_id);
  workers_[call.worker]->Add(MakeSipCall(std::move(setup), MakeSinks(in.call)));
  calls_[in.call] = call;
  active_per_trunk_[trunk->name]++;
  agent_->Respond(in.call, 200, "OK", answer->sdp);
}

std::vector<LineStatus> SipLines::Lines() const {
  std::vector<LineStatus> out;
  for (const TrunkConfig& t : config_.trunks) {
    LineStatus s;
    s.trunk = t.name;
    s.kind = "sip";
    s.channels = t.channels;
    auto active = active_per_trunk_.find(t.name);
    s.active_calls = active == active_per_trunk_.end() ? 0 : active->second;
    const SipRegistrationState& reg = registrations_.at(t.name);
    if (!agent_) {
      s.state = "down";
      s.detail = "the SIP agent is not running";
    } else if (!t.do_register || reg.registered) {
      s.state = "up";
    } else if (reg.status == 0) {
      s.state = "registering";
    } else {
      s.state = "down";
      s.detail = fmt::format("registration failed ({} {}), retry in {} s", reg.status, reg.phrase,
                             reg.retry_in_s);
    }
    out.push_back(s);
  }
  return out;
}

}  // namespace faxgate
