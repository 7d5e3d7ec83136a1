#include "mail/gateway/mail_gateway.h"

#include <fmt/format.h>
#include <boost/asio/ssl/context.hpp>

#include "base/log.h"
#include "mail/gateway/mail_intake.h"
#include "mail/gateway/mail_templates.h"
#include "mail/gateway/mailbox_poller.h"
#include "mail/gateway/offramp.h"
#include "mail/gateway/onramp.h"
#include "mail/gateway/outgoing_queue.h"
#include "mail/gateway/result_mailer.h"
#include "mail/smtp_server.h"

namespace faxgate::mail {
namespace {

constexpr auto kSweepInterval = std::chrono::seconds(2);

Result<std::pair<std::string, uint16_t>> SplitListen(const std::string& listen) {
  const size_t colon = listen.rfind(':');
  int port = -1;
  if (colon != std::string::npos) {
    try {
      port = std::stoi(listen.substr(colon + 1));
    } catch (...) {
      port = -1;
    }
  }
  if (colon == std::string::npos || port < 0 || port > 65535) {
    return MakeError(
        ErrorCode::kInvalidArgument,
        fmt::format("mail.smtp_listen '{}': write host:port, e.g. 127.0.0.1:2525", listen));
  }
  return std::make_pair(listen.substr(0, colon), static_cast<uint16_t>(port));
}

Result<std::shared_ptr<boost::asio::ssl::context>> TlsContext(const MailConfig& c) {
  if (c.tls_certificate.empty()) return std::shared_ptr<boost::asio::ssl::context>();
  auto ctx = std::make_shared<boost::asio::ssl::context>(boost::asio::ssl::context::tls_server);
  boost::system::error_code ec;
  ctx->set_options(boost::asio::ssl::context::no_sslv2 | boost::asio::ssl::context::no_sslv3 |
                   boost::asio::ssl::context::no_tlsv1 | boost::asio::ssl::context::no_tlsv1_1);
  ctx->use_certificate_chain_file(c.tls_certificate.string(), ec);
  if (!ec) ctx->use_private_key_file(c.tls_key.string(), boost::asio::ssl::context::pem, ec);
  if (ec) {
    return MakeError(ErrorCode::kInvalidArgument,
                     fmt::format("mail.tls_certificate/tls_key ({}, {}): {}",
                                 c.tls_certificate.string(), c.tls_key.string(), ec.message()));
  }
  return ctx;
}

}  // namespace

MailGateway::MailGateway(boost::asio::io_context& io, const MailConfig& config, Store& store,
                         Spool& spool, FaxService& faxes, UserService& users,
                         SettingsService& settings, const Clock& clock)
    : io_(io), config_(config), store_(store), clock_(clock), timer_(io) {
  templates_ = std::make_unique<MailTemplates>(store);
  queue_ = std::make_unique<OutgoingMailQueue>(io, store, spool, config, clock);
  onramp_ = std::make_unique<OnRamp>(store, spool, faxes, *templates_, settings, config);
  results_ = std::make_unique<ResultMailer>(store, spool, faxes, *templates_, settings, config);
  intake_ = std::make_unique<MailIntake>(store, spool, faxes, *templates_, settings, config, clock);
  offramp_ = std::make_unique<OffRamp>(io, *intake_, users, store, settings, config);
  poller_ = std::make_unique<MailboxPoller>(io, store, *intake_, users, settings, config);
}

MailGateway::~MailGateway() { Stop(); }

Status MailGateway::Start() {
  if (!config_.smtp_listen.empty()) {
    FG_ASSIGN_OR_RETURN(auto listen, SplitListen(config_.smtp_listen));
    FG_ASSIGN_OR_RETURN(auto tls, TlsContext(config_));
    SmtpServerOptions o;
    o.hostname = config_.hostname;
    o.max_message_bytes = config_.max_message_bytes;
    o.tls = tls;
    o.auth_requires_tls = static_cast<bool>(tls);
    smtp_ = std::make_unique<SmtpServer>(io_, *offramp_, o);
    FG_ASSIGN_OR_RETURN(smtp_port_, smtp_->Listen(listen.first, listen.second));
    log::Get("mail")->info("SMTP listener for mail to fax on {}:{}{}", listen.first, smtp_port_,
                           tls ? " (STARTTLS)" : "");
  }
  poller_->Start();
  Sweep();
  Arm();
  return Status::Ok();
}

void MailGateway::Kick() {
  if (stopped_) return;
  boost::asio::post(io_, [this] { Sweep(); });
}

void MailGateway::RelayChanged() {
  auto n = store_.MakeQueuedMailDue(clock_.Now());
  if (!n.ok()) {
    log::Get("mail")->error("cannot reschedule the queued mail: {}", n.error().message);
  } else if (*n > 0) {
    log::Get("mail")->info("the relay changed: {} queued mail(s) are sent now", *n);
  }
  Kick();
}

void MailGateway::Stop() {
  if (stopped_) return;
  stopped_ = true;
  timer_.cancel();
  if (smtp_) smtp_->Stop();
  poller_->Stop();
  queue_->Stop();
}

void MailGateway::Arm() {
  if (stopped_) return;
  timer_.expires_after(kSweepInterval);
  timer_.async_wait([this](const boost::system::error_code& ec) {
    if (ec || stopped_) return;
    Sweep();
    Arm();
  });
}

void MailGateway::Sweep() {
  if (stopped_) return;
  // Each call takes a batch; a burst is worked off over a few sweeps.
  onramp_->MailEndedReceptions();
  results_->MailFinishedJobs();
  queue_->SendDue();
}

}  // namespace faxgate::mail
