// Private to the mail module: MailboxClient's operations as each protocol does them over
// libcurl (mailbox_imap.cpp, mailbox_pop3.cpp).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "base/result.h"
#include "mail/mailbox_client.h"

namespace faxgate::mail {

class MailboxProtocol {
 public:
  virtual ~MailboxProtocol() = default;
  virtual Result<uint64_t> UidValidity() = 0;
  virtual Result<std::vector<MailboxEntry>> List() = 0;
  virtual Result<std::string> Fetch(const std::string& uid) = 0;
  virtual Status Delete(const std::string& uid) = 0;
};

// REQUIRES: CheckServer(server) is ok.
std::unique_ptr<MailboxProtocol> MakeImapMailbox(MailboxServer server);
std::unique_ptr<MailboxProtocol> MakePop3Mailbox(MailboxServer server);

}  // namespace faxgate::mail
