// The OffRamp (REQUIREMENTS S2, RFC 3192): our SMTP listener's rules. A recipient
// FAX=number@fax-domain (or number@fax-domain) becomes a fax job; several recipients make one
// group. Senders are accepted only when authenticated by SMTP AUTH as a faxgate user with the
// fax-by-mail right, or when the envelope sender is such a user's registered address (and
// passes SPF, and the mail carries an aligned DKIM signature, where the settings ask). A bad
// recipient is refused at RCPT with the reason; the final 250 is given only after the jobs
// are committed. Mail from the null sender to our domains is read as a delivery report.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/thread_pool.hpp>

#include "base/config.h"
#include "mail/gateway/mail_intake.h"
#include "mail/sender_checks.h"
#include "mail/smtp_server.h"
#include "service/settings_service.h"
#include "service/user_service.h"

namespace faxgate::mail {

class OffRamp final : public SmtpHandler {
 public:
  OffRamp(boost::asio::io_context& io, MailIntake& intake, UserService& users, Store& store,
          SettingsService& settings, const MailConfig& config);
  ~OffRamp() override;

  void Authenticate(const std::string& user, const std::string& password,
                    std::function<void(bool)> done) override;
  SmtpReply OnMailFrom(const SmtpPeer& peer, const SmtpEnvelope& envelope) override;
  SmtpReply OnRcptTo(const SmtpPeer& peer, const SmtpEnvelope& envelope,
                     const SmtpRecipientParams& rcpt) override;
  void OnMessage(const SmtpPeer& peer, const SmtpEnvelope& envelope, std::string message,
                 std::function<void(SmtpReply)> done) override;

 private:
  // The user a session sends as: the authenticated one, else the envelope sender's.
  Result<User> Sender(const SmtpPeer& peer, const SmtpEnvelope& envelope);
  bool IsOurDomain(const std::string& domain) const;
  SmtpReply Deliver(const SmtpPeer& peer, const SmtpEnvelope& envelope, const std::string& raw);

  boost::asio::io_context& io_;
  MailIntake& intake_;
  UserService& users_;
  Store& store_;
  SettingsService& settings_;
  const MailConfig& config_;
  SpfChecker spf_;
  boost::asio::thread_pool password_checks_{1};  // argon2 is slow on purpose
};

}  // namespace faxgate::mail
