// REGISTER for the trunks that ask for it. sofia refreshes a registration by itself (it re-sends
// REGISTER before the expiry the registrar granted); what it does not do is try again after a
// failure, so a failed registration is retried here, on the same handle, with a growing back-off.
// Everything here runs on the SIP thread.
#include <algorithm>
#include <iterator>

#include "sip/sip_agent_impl.h"
#include "sip/sofia_text.h"

namespace faxgate {
namespace {

// Seconds before the next attempt after 1, 2, ... consecutive failures: soon after the first
// (a registrar restarting), then doubling up to 15 minutes.
constexpr int kRetryDelaysS[] = {10, 30, 60, 120, 240, 480, 900};

void RetryCallback(SofiaAgent* agent, su_timer_t* /*timer*/, void* arg) {
  agent->OnRegistrationRetry(static_cast<SofiaRegistration*>(arg));
}

}  // namespace

void SofiaAgent::StartRegistrations() {
  for (size_t i = 0; i < settings_.trunks.size(); ++i) {
    if (!settings_.trunks[i].do_register) continue;
    auto registration = std::make_unique<SofiaRegistration>();
    registration->trunk = i;
    registration->state.trunk = settings_.trunks[i].name;
    registration->retry_timer = su_timer_create(su_root_task(root_), 0);
    registrations_.push_back(std::move(registration));
    SendRegister(registrations_.back().get());
  }
}

void SofiaAgent::SendRegister(SofiaRegistration* registration) {
  const SipTrunkSettings& trunk = settings_.trunks[registration->trunk];
  const std::string registrar = trunk.registrar.empty() ? trunk.proxy : trunk.registrar;
  std::string aor_host = trunk.domain;
  if (aor_host.empty()) {
    sofia_text::HostPort split = sofia_text::SplitHostPort(registrar);
    aor_host = split.host.find(':') != std::string::npos ? "[" + split.host + "]" : split.host;
  }
  const std::string aor = "<" + sofia_text::TrunkUri(trunk, trunk.user, aor_host, false) + ">";
  const std::string registrar_uri = sofia_text::TrunkUri(trunk, "", registrar, true);
  const std::string expires = std::to_string(std::max(trunk.register_expires_s, 60));

  registration->auth_sent = false;
  if (!registration->nh) {
    registration->nh = nua_handle(nua_, registration, SIPTAG_TO_STR(aor.c_str()),
                                  SIPTAG_FROM_STR(aor.c_str()), TAG_END());
  }
  if (!registration->nh) {
    log_->error("trunk {}: cannot register {} (sofia refused the address)", trunk.name, aor);
    registration->state.status = 0;
    registration->state.phrase = "invalid address";
    ScheduleRegistrationRetry(registration);
    return;
  }
  log_->debug("trunk {}: REGISTER {} at {} for {} s", trunk.name, aor, registrar_uri, expires);
  nua_register(registration->nh, NUTAG_REGISTRAR(registrar_uri.c_str()),
               SIPTAG_EXPIRES_STR(expires.c_str()), NUTAG_M_USERNAME(trunk.user.c_str()),
               TAG_END());
}

void SofiaAgent::OnRegisterResponse(SofiaRegistration* registration, nua_event_t event, int status,
                                    const char* phrase, const sip_t* sip) {
  if (status < 200) return;
  const SipTrunkSettings& trunk = settings_.trunks[registration->trunk];
  std::string text = sofia_text::Printable(phrase ? phrase : "");
  if (!sip && status == 503) text = "transport error";
  if (!sip && status == 408) text = "timeout";

  if ((status == 401 || status == 407) &&
      Authenticate(registration->nh, &trunk, sip, &registration->auth_sent)) {
    return;
  }
  registration->auth_sent = false;

  if (event == nua_r_unregister) {
    registration->unregistering = false;
    registration->state.registered = false;
    registration->state.status = status;
    registration->state.phrase = status < 300 ? "unregistered" : text;
    registration->state.retry_in_s = 0;
    log_->info("trunk {}: unregistered ({} {})", trunk.name, status, text);
    PublishRegistration(registration);
    return;
  }
  if (status < 300) {
    const bool changed = !registration->state.registered || registration->state.status != status;
    registration->failures = 0;
    registration->state.registered = true;
    registration->state.status = status;
    registration->state.phrase = text;
    registration->state.retry_in_s = 0;
    if (changed) {
      log_->info("trunk {}: registered as {}", trunk.name, trunk.user);
      PublishRegistration(registration);
    }
    return;
  }
  registration->state.registered = false;
  registration->state.status = status;
  registration->state.phrase = text;
  // The handle stays for the next attempt (sofia gives that a new Call-ID): destroying it would
  // make sofia send an un-REGISTER, which a slow registrar could process after the next
  // attempt's REGISTER.
  ScheduleRegistrationRetry(registration);
  log_->warn("trunk {}: registration failed: {} {}; next attempt in {} s", trunk.name, status, text,
             registration->state.retry_in_s);
  PublishRegistration(registration);
}

void SofiaAgent::ScheduleRegistrationRetry(SofiaRegistration* registration) {
  const int last = static_cast<int>(std::size(kRetryDelaysS)) - 1;
  const int delay_s = kRetryDelaysS[std::min(registration->failures, last)];
  ++registration->failures;
  registration->state.retry_in_s = delay_s;
  su_timer_set_interval(registration->retry_timer, RetryCallback, registration,
                        static_cast<su_duration_t>(delay_s) * 1000);
}

void SofiaAgent::OnRegistrationRetry(SofiaRegistration* registration) {
  if (stopping_) return;
  SendRegister(registration);
}

void SofiaAgent::PublishRegistration(SofiaRegistration* registration) {
  {
    std::lock_guard lock(registrations_mutex_);
    for (SipRegistrationState& state : registration_states_) {
      if (state.trunk == registration->state.trunk) state = registration->state;
    }
  }
  listener_->OnRegistration(registration->state);
}

void SofiaAgent::UnregisterAll() {
  for (auto& registration : registrations_) {
    su_timer_reset(registration->retry_timer);
    if (registration->nh && registration->state.registered) {
      registration->unregistering = true;
      registration->auth_sent = false;
      nua_unregister(registration->nh, TAG_END());
    }
  }
}

bool SofiaAgent::Unregistering() const {
  return std::any_of(registrations_.begin(), registrations_.end(),
                     [](const auto& registration) { return registration->unregistering; });
}

void SofiaAgent::DestroyRegistrations() {
  for (auto& registration : registrations_) {
    su_timer_destroy(registration->retry_timer);
    registration->retry_timer = nullptr;
    if (registration->nh) {
      nua_handle_bind(registration->nh, nullptr);
      nua_handle_destroy(registration->nh);
      registration->nh = nullptr;
    }
    registration->state.registered = false;
    registration->state.retry_in_s = 0;
  }
  std::lock_guard lock(registrations_mutex_);
  for (SipRegistrationState& state : registration_states_) {
    state.registered = false;
    state.retry_in_s = 0;
  }
  registrations_.clear();
}

}  // namespace faxgate
