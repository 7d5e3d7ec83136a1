// Calls: INVITE out and in, re-INVITE and UPDATE offers, digest answers, CANCEL/BYE, and the
// single OnEnded per call. Everything here runs on the SIP thread.
#include <algorithm>

#include "sip/sip_agent_impl.h"
#include "sip/sofia_text.h"

namespace faxgate {
namespace {

// Tags that attach `sdp` as the body, or nothing when it is empty.
#define FG_SDP_BODY(sdp)                                              \
  TAG_IF(!(sdp).empty(), SIPTAG_CONTENT_TYPE_STR("application/sdp")), \
      TAG_IF(!(sdp).empty(), SIPTAG_PAYLOAD_STR((sdp).c_str()))

const char* Who(bool by_peer) { return by_peer ? "by the peer" : "by us"; }

std::string Unquote(const std::string& text) {
  if (text.size() >= 2 && text.front() == '"' && text.back() == '"') {
    return text.substr(1, text.size() - 2);
  }
  return text;
}

}  // namespace

SofiaCall* SofiaAgent::FindCall(SipCallHandle id) {
  auto found = calls_.find(id);
  return found == calls_.end() ? nullptr : found->second.get();
}

const SipTrunkSettings* SofiaAgent::FindTrunk(const std::string& name) const {
  for (const SipTrunkSettings& trunk : settings_.trunks) {
    if (trunk.name == name) return &trunk;
  }
  return nullptr;
}

std::string SofiaAgent::TrunkForSource(const std::string& source_ip) const {
  for (size_t i = 0; i < settings_.trunks.size() && i < trunk_addresses_.size(); ++i) {
    const auto& addresses = trunk_addresses_[i];
    if (std::find(addresses.begin(), addresses.end(), source_ip) != addresses.end()) {
      return settings_.trunks[i].name;
    }
  }
  return "";
}

const char* SofiaAgent::KeepPhrase(SofiaCall* call, const std::string& phrase, int status) {
  if (phrase.empty()) {
    const char* standard = sip_status_phrase(status);
    return standard ? standard : "Unknown";
  }
  call->phrases.push_back(sofia_text::Printable(phrase));
  return call->phrases.back().c_str();
}

bool SofiaAgent::Authenticate(nua_handle_t* nh, const SipTrunkSettings* trunk, const sip_t* sip,
                              bool* auth_sent) {
  if (*auth_sent || !trunk) return false;  // once per transaction: a second challenge refuses
  const std::string& user = trunk->auth_user.empty() ? trunk->user : trunk->auth_user;
  std::string challenged = sofia_text::ChallengeRealm(sip);
  if (user.empty()) {
    log_->warn("trunk {}: challenged for realm {} but no user is configured", trunk->name,
               challenged);
    return false;
  }
  if (!trunk->realm.empty() && !challenged.empty() && Unquote(challenged) != trunk->realm) {
    log_->warn("trunk {}: challenged for realm {}, but our credentials are for \"{}\"", trunk->name,
               challenged, trunk->realm);
    return false;
  }
  std::string realm = challenged.empty() ? trunk->realm : challenged;
  if (trunk->password.find(':') != std::string::npos) {
    // sofia's credential string is colon-separated; the password would be cut.
    log_->warn("trunk {}: the password contains ':', which sofia cannot send", trunk->name);
  }
  std::string credentials = sofia_text::DigestCredentials(realm, user, trunk->password);
  log_->debug("trunk {}: answering the challenge for realm {} as {}", trunk->name, realm, user);
  nua_authenticate(nh, NUTAG_AUTH(credentials.c_str()), TAG_END());
  *auth_sent = true;
  return true;
}

// ---------------------------------------------------------------- requests from the listener

void SofiaAgent::DoInvite(SipCallHandle id, const std::string& trunk_name,
                          const std::string& number, const std::string& caller,
                          const std::string& sdp) {
  if (stopping_) {
    listener_->OnEnded(id, 503, "agent stopped", false);
    return;
  }
  const SipTrunkSettings* trunk = FindTrunk(trunk_name);
  if (!trunk) {
    log_->warn("call to {} not placed: there is no trunk named '{}'", number, trunk_name);
    listener_->OnEnded(id, 500, "unknown trunk " + trunk_name, false);
    return;
  }
  const std::string from_user = caller.empty() ? trunk->user : caller;
  const std::string domain = sofia_text::TrunkDomain(*trunk);
  const std::string request_uri = sofia_text::TrunkUri(*trunk, number, trunk->proxy, true);
  const std::string to = "<" + sofia_text::TrunkUri(*trunk, number, domain, false) + ">";
  const std::string from = sofia_text::QuotedDisplay(from_user) + "<" +
                           sofia_text::TrunkUri(*trunk, from_user, domain, false) + ">";

  // NUTAG_M_USERNAME: Contact: <sip:caller@us>, as trunks expect (sofia's default has no user).
  const std::string contact_user = sofia_text::EscapeUser(from_user);
  auto call = std::make_unique<SofiaCall>();
  call->id = id;
  call->trunk = trunk->name;
  call->peer = number;
  call->local_sdp = sdp;
  nua_handle_t* nh =
      nua_handle(nua_, call.get(), NUTAG_URL(request_uri.c_str()), SIPTAG_TO_STR(to.c_str()),
                 SIPTAG_FROM_STR(from.c_str()), NUTAG_M_USERNAME(contact_user.c_str()), TAG_END());
  if (!nh) {
    log_->error("call to {} not placed: sofia refused the addresses {} / {}", number, to, from);
    listener_->OnEnded(id, 500, "invalid address", false);
    return;
  }
  call->nh = nh;
  calls_[id] = std::move(call);
  log_->info("calling {} through trunk {} as {}", number, trunk->name, from_user);
  log_->debug("INVITE {} From {} To {}", request_uri, from, to);
  nua_invite(nh, FG_SDP_BODY(sdp), TAG_END());
}

void SofiaAgent::DoRespond(SipCallHandle id, int status, const std::string& phrase,
                           const std::string& sdp) {
  SofiaCall* call = FindCall(id);
  if (!call || call->ended) {
    log_->debug("Respond({}) for call {} which is over", status, id);
    return;
  }
  const char* kept = KeepPhrase(call, phrase, status);
  if (call->pending_offer != PendingOffer::kNone) {
    // A re-INVITE or UPDATE offer: answer exactly that request.
    nua_respond(call->nh, status, kept, NUTAG_WITH_SAVED(call->saved_offer), FG_SDP_BODY(sdp),
                TAG_END());
    if (status >= 200) {
      log_->debug("call {}: answered the peer's offer with {} {}", id, status, kept);
      nua_destroy_event(call->saved_offer);
      call->pending_offer = PendingOffer::kNone;
      if (status < 300 && !sdp.empty()) call->local_sdp = sdp;
    }
    return;
  }
  if (call->incoming && !call->answered && !call->end_known) {
    nua_respond(call->nh, status, kept, FG_SDP_BODY(sdp), TAG_END());
    if (status >= 200 && status < 300) {
      call->answered = true;
      if (!sdp.empty()) call->local_sdp = sdp;
      log_->info("answered the call from {} (Call-ID {})", call->peer, call->call_id);
    } else if (status >= 300) {
      log_->info("refused the call from {}: {} {}", call->peer, status, kept);
      NoteEnd(call, status, kept, false);
    }
    return;
  }
  if (call->end_known) {
    log_->debug("Respond({}) for call {} which is ending", status, id);
  } else {
    log_->warn("Respond({}) for call {}: no request waits for an answer", status, id);
  }
}

void SofiaAgent::DoReinvite(SipCallHandle id, const std::string& sdp) {
  SofiaCall* call = FindCall(id);
  if (!call || call->ended) {
    log_->debug("Reinvite for call {} which is over", id);
    return;
  }
  if (call->reinvite_pending || call->reinvite_deferred ||
      call->pending_offer != PendingOffer::kNone) {
    // Our own glare: the caller retries as after a 491 from the peer.
    listener_->OnOfferResult(id, 491, "Request Pending", "");
    return;
  }
  call->offered_sdp = sdp;
  if (call->answered && !call->end_known && call->callstate < nua_callstate_ready) {
    // We answered and the ACK is still on its way: a re-INVITE must wait for it (RFC 3261
    // 14.1), so the listener may send it right after answering.
    call->reinvite_deferred = true;
    return;
  }
  if (call->callstate != nua_callstate_ready || call->end_known) {
    listener_->OnOfferResult(id, 500, "call not established", "");
    return;
  }
  SendReinvite(call);
}

void SofiaAgent::SendReinvite(SofiaCall* call) {
  call->reinvite_deferred = false;
  call->reinvite_pending = true;
  call->auth_sent = false;
  log_->debug("call {}: sending a re-INVITE", call->id);
  nua_invite(call->nh, FG_SDP_BODY(call->offered_sdp), TAG_END());
}

void SofiaAgent::DoHangUp(SipCallHandle id, int status, const std::string& phrase) {
  SofiaCall* call = FindCall(id);
  if (!call || call->ended) {
    log_->debug("HangUp for call {} which is over", id);
    return;
  }
  if (call->end_known || call->callstate >= nua_callstate_terminating) return;  // ending already
  const bool dialog = call->answered;  // a 2xx sent or received
  if (call->incoming && !dialog) {
    NoteEnd(call, status ? status : 480, status ? phrase : "Temporarily Unavailable", false);
    nua_respond(call->nh, SIP_480_TEMPORARILY_UNAVAILABLE, TAG_END());
  } else if (!call->incoming && !dialog) {
    NoteEnd(call, status ? status : 487, status ? phrase : "Request Terminated", false);
    // sofia holds the CANCEL until a provisional response arrives (RFC 3261 9.1).
    nua_cancel(call->nh, TAG_END());
  } else {
    NoteEnd(call, status ? status : 200, status ? phrase : "BYE", false);
    nua_bye(call->nh, TAG_END());
  }
}

// ---------------------------------------------------------------- events from sofia

void SofiaAgent::OnIncomingInvite(nua_handle_t* nh, const sip_t* sip) {
  if (stopping_ || !sip || !sip->sip_request || !sip->sip_from || !sip->sip_to) {
    nua_respond(nh, stopping_ ? 503 : 400, stopping_ ? "Service Unavailable" : "Bad Request",
                NUTAG_WITH_THIS(nua_), TAG_END());
    nua_handle_destroy(nh);
    return;
  }
  auto call = std::make_unique<SofiaCall>();
  SipIncomingCall incoming;
  incoming.call = call->id = next_call_++;
  incoming.called = sofia_text::UrlUser(sip->sip_request->rq_url);
  if (incoming.called.empty()) incoming.called = sofia_text::UrlUser(sip->sip_to->a_url);
  incoming.caller = sofia_text::UrlUser(sip->sip_from->a_url);
  incoming.caller_name = sofia_text::DisplayName(sip->sip_from->a_display);
  incoming.call_id = sofia_text::CallId(sip);
  incoming.source = sofia_text::SourceAddress(nua_current_request(nua_), sip);
  incoming.trunk = TrunkForSource(sofia_text::SourceIp(incoming.source));
  incoming.sdp = sofia_text::SdpBody(sip);
  const SipTrunkSettings* trunk = FindTrunk(incoming.trunk);
  if (trunk && trunk->do_register && incoming.called == trunk->user) {
    // A registered trunk sends calls to the Contact we registered (sip:user@us): the DID is
    // then only in To.
    std::string to_user = sofia_text::UrlUser(sip->sip_to->a_url);
    if (!to_user.empty()) incoming.called = to_user;
  }

  call->nh = nh;
  call->incoming = true;
  call->callstate = nua_callstate_received;
  call->trunk = incoming.trunk;
  call->peer = incoming.caller;
  call->call_id = incoming.call_id;
  nua_handle_bind(nh, call.get());
  calls_[incoming.call] = std::move(call);

  log_->info("incoming call from {} to DID {} on trunk {} (Call-ID {}, from {})",
             incoming.caller.empty() ? "anonymous" : incoming.caller, incoming.called,
             incoming.trunk.empty() ? "(unknown peer)" : incoming.trunk, incoming.call_id,
             incoming.source);
  listener_->OnIncomingCall(incoming);
}

void SofiaAgent::OnReinviteReceived(SofiaCall* call, const sip_t* sip) {
  std::string sdp = sofia_text::SdpBody(sip);
  if (sdp.empty()) {
    // An offer-less re-INVITE (a refresh by some peers) wants our offer in the 200: our SDP in
    // force, unchanged. Its answer in the ACK is not looked at.
    if (call->local_sdp.empty()) {
      nua_respond(call->nh, SIP_488_NOT_ACCEPTABLE, NUTAG_WITH_THIS(nua_), TAG_END());
    } else {
      nua_respond(call->nh, SIP_200_OK, NUTAG_WITH_THIS(nua_), FG_SDP_BODY(call->local_sdp),
                  TAG_END());
    }
    log_->debug("call {}: re-INVITE without an offer answered with our current SDP", call->id);
    return;
  }
  // sofia answers overlapping INVITEs itself (500/491); TakeOffer's check is only a guard.
  TakeOffer(call, PendingOffer::kInvite, sdp);
}

void SofiaAgent::TakeOffer(SofiaCall* call, PendingOffer kind, const std::string& sdp) {
  if (call->pending_offer != PendingOffer::kNone) {
    nua_respond(call->nh, 500, "Overlapping Offer", NUTAG_WITH_THIS(nua_),
                SIPTAG_RETRY_AFTER_STR("1"), TAG_END());
    return;
  }
  nua_save_event(nua_, call->saved_offer);
  call->pending_offer = kind;
  log_->debug("call {}: {} with an offer", call->id,
              kind == PendingOffer::kInvite ? "re-INVITE" : "UPDATE");
  listener_->OnOffer(call->id, sdp);
}

void SofiaAgent::OnUpdateReceived(SofiaCall* call, const sip_t* sip) {
  std::string sdp = sofia_text::SdpBody(sip);
  if (sdp.empty()) {
    // A session refresh (RFC 4028) or a target refresh: nothing for the listener.
    nua_respond(call->nh, SIP_200_OK, NUTAG_WITH_THIS(nua_), TAG_END());
    return;
  }
  if (call->reinvite_pending) {
    nua_respond(call->nh, SIP_491_REQUEST_PENDING, NUTAG_WITH_THIS(nua_), TAG_END());
    return;
  }
  TakeOffer(call, PendingOffer::kUpdate, sdp);
}

void SofiaAgent::OnInviteResponse(SofiaCall* call, int status, const char* phrase,
                                  const sip_t* sip) {
  std::string text = sofia_text::Printable(phrase ? phrase : "");
  if (!sip && status == 503) text = "transport error";  // sofia's own 503: nothing reached us
  if (status < 200) {
    if (!call->answered && !call->reinvite_pending && status > 100) {
      log_->debug("call to {}: {} {}", call->peer, status, text);
      listener_->OnProgress(call->id, status, sofia_text::SdpBody(sip));
    }
    return;
  }
  if (status == 401 || status == 407) {
    if (Authenticate(call->nh, FindTrunk(call->trunk), sip, &call->auth_sent)) return;
    log_->warn("call {} to {}: {} {} and no (further) credentials to give", call->id, call->peer,
               status, text);
    if (call->reinvite_pending) {
      call->reinvite_pending = false;
      listener_->OnOfferResult(call->id, status, text, "");
      return;
    }
    // sofia keeps the handle waiting for credentials; nothing else will end it.
    EndCall(call, status, text, true);
    return;
  }
  call->auth_sent = false;
  if (call->reinvite_pending) {
    call->reinvite_pending = false;
    if (status < 300 && !call->offered_sdp.empty()) call->local_sdp = call->offered_sdp;
    log_->info("call {}: our re-INVITE got {} {}", call->id, status, text);
    listener_->OnOfferResult(call->id, status, text, status < 300 ? sofia_text::SdpBody(sip) : "");
    return;
  }
  if (status < 300) {
    if (call->answered) return;  // a refresh's 2xx, or one retransmitted
    call->answered = true;
    call->call_id = sofia_text::CallId(sip);
    if (call->end_known) {
      // The answer crossed our CANCEL: the call exists now, so end it properly.
      nua_bye(call->nh, TAG_END());
      return;
    }
    log_->info("call to {} answered (Call-ID {})", call->peer, call->call_id);
    listener_->OnAnswered(call->id, call->call_id, sofia_text::SdpBody(sip));
    return;
  }
  if (!call->answered) NoteEnd(call, status, text, sip != nullptr);
}

void SofiaAgent::OnCancelResponse(SofiaCall* call, int status) {
  // 481: no INVITE transaction left to cancel (it failed meanwhile, or sofia never sent it). An
  // answer that crossed the CANCEL was handled before this event (BYE); otherwise nothing else
  // will end the call.
  if (status >= 300 && !call->answered) EndCall(call, 0, "", false);
}

void SofiaAgent::OnCallState(SofiaCall* call, int status, const char* phrase, tagi_t tags[]) {
  int state = call->callstate;
  tl_gets(tags, NUTAG_CALLSTATE_REF(state), TAG_END());
  call->callstate = state;
  log_->debug("call {}: state {}", call->id, nua_callstate_name(static_cast<nua_callstate>(state)));
  if (state == nua_callstate_ready && call->reinvite_deferred) SendReinvite(call);
  if (state == nua_callstate_terminated) {
    EndCall(call, status, sofia_text::Printable(phrase ? phrase : ""), false);
  }
}

void SofiaAgent::NoteEnd(SofiaCall* call, int status, const std::string& phrase, bool by_peer) {
  if (call->end_known) return;
  call->end_known = true;
  call->end_status = status;
  call->end_phrase = phrase;
  call->end_by_peer = by_peer;
}

void SofiaAgent::EndCall(SofiaCall* call, int status, const std::string& phrase, bool by_peer) {
  if (call->ended) return;
  NoteEnd(call, status, phrase, by_peer);
  call->ended = true;
  if (call->pending_offer != PendingOffer::kNone) nua_destroy_event(call->saved_offer);
  const SipCallHandle id = call->id;
  nua_handle_t* nh = call->nh;
  log_->info("call {} {} {} ended {}: {} {}", id, call->incoming ? "from" : "to", call->peer,
             Who(call->end_by_peer), call->end_status, call->end_phrase);
  listener_->OnEnded(id, call->end_status, call->end_phrase, call->end_by_peer);
  nua_handle_bind(nh, nullptr);
  nua_handle_destroy(nh);
  calls_.erase(id);
}

}  // namespace faxgate
