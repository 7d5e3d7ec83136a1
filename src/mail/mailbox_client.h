// The shared mailbox's protocol side (reference/mail.md 7): POP3 and IMAP with libcurl, one
// blocking call at a time (callers run it off the control thread). IMAP fetches with
// BODY.PEEK[] so nothing is marked \Seen before faxgate has committed the mail.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "base/result.h"

namespace faxgate::mail {

struct MailboxServer {
  std::string protocol = "imap";  // "imap", "pop3"
  std::string host;
  uint16_t port = 0;             // 0: 143/110 (993/995 implicit)
  std::string tls = "starttls";  // "starttls" (required), "implicit", "none"
  bool verify_certificate = true;
  std::string ca_file;
  std::string user, password;
  std::string folder = "INBOX";
  std::chrono::seconds timeout{60};
};

struct MailboxEntry {
  std::string uid;  // IMAP UID or POP3 UIDL
  int64_t size = 0;
};

class MailboxClient {
 public:
  explicit MailboxClient(MailboxServer server);
  ~MailboxClient();
  MailboxClient(const MailboxClient&) = delete;
  MailboxClient& operator=(const MailboxClient&) = delete;

  Result<std::vector<MailboxEntry>> List();
  Result<std::string> Fetch(const std::string& uid);
  // IMAP: \Deleted and EXPUNGE. POP3: DELE, then QUIT so that the deletion takes effect.
  Status Delete(const std::string& uid);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace faxgate::mail
