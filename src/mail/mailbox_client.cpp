#include "mail/mailbox_client.h"

#include "mail/mailbox_protocol.h"
#include "mail/mailbox_server.h"

namespace faxgate::mail {

struct MailboxClient::Impl {
  Status config;  // a server that cannot work fails every call with the same message
  std::unique_ptr<MailboxProtocol> protocol;
};

MailboxClient::MailboxClient(MailboxServer server) : impl_(std::make_unique<Impl>()) {
  impl_->config = CheckServer(server);
  if (!impl_->config.ok()) return;
  impl_->protocol = server.protocol == "pop3" ? MakePop3Mailbox(std::move(server))
                                              : MakeImapMailbox(std::move(server));
}

MailboxClient::~MailboxClient() = default;

Result<uint64_t> MailboxClient::UidValidity() {
  FG_RETURN_IF_ERROR(impl_->config);
  return impl_->protocol->UidValidity();
}

Result<std::vector<MailboxEntry>> MailboxClient::List() {
  FG_RETURN_IF_ERROR(impl_->config);
  return impl_->protocol->List();
}

Result<std::string> MailboxClient::Fetch(const std::string& uid) {
  FG_RETURN_IF_ERROR(impl_->config);
  return impl_->protocol->Fetch(uid);
}

Status MailboxClient::Delete(const std::string& uid) {
  FG_RETURN_IF_ERROR(impl_->config);
  return impl_->protocol->Delete(uid);
}

}  // namespace faxgate::mail
