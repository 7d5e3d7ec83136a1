#include "mail/smtp_client.h"

#include <utility>

#include "mail/smtp_client_session.h"

namespace faxgate::mail {

SmtpSendHandle::SmtpSendHandle(std::weak_ptr<SmtpClientSession> session)
    : session_(std::move(session)) {}

void SmtpSendHandle::Cancel() {
  if (auto session = session_.lock()) session->Cancel();
}

SmtpClient::SmtpClient(boost::asio::io_context& io) : io_(io) {}

SmtpClient::~SmtpClient() {
  for (const auto& weak : sending_) {
    if (auto session = weak.lock()) session->Cancel();
  }
}

SmtpSendHandle SmtpClient::Send(const SmtpRelay& relay, OutgoingMail mail,
                                std::function<void(SmtpOutcome)> done) {
  std::erase_if(sending_, [](const auto& weak) { return weak.expired(); });
  auto session = std::make_shared<SmtpClientSession>(io_, relay, std::move(mail), std::move(done));
  session->Start();
  sending_.push_back(session);
  return SmtpSendHandle(session);
}

}  // namespace faxgate::mail
