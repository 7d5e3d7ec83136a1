// The shared mailbox's protocol side (reference/mail.md 7): POP3 and IMAP with libcurl. Every
// call blocks, so callers run the client on a worker thread, never on the control thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "base/result.h"

namespace faxgate::mail {

struct MailboxServer {
  std::string protocol = "imap";  // "imap" or "pop3"
  std::string host;
  uint16_t port = 0;             // 0: 143 / 110 (993 / 995 for implicit TLS)
  std::string tls = "starttls";  // "starttls" (STARTTLS/STLS required), "implicit", "none"
  bool verify_certificate = true;
  std::string ca_file;  // PEM; empty: the system's CAs
  std::string user, password;
  std::string folder = "INBOX";  // IMAP only; UTF-8 as the user sees it ("传真")
  // A server silent this long (connect, a response, a stalled transfer) is given up on.
  std::chrono::seconds timeout{60};
};

struct MailboxEntry {
  std::string uid;  // IMAP: the UID as text ("4711"); POP3: the UIDL
  int64_t size = 0;
};

// One mailbox session's worth of operations. Calls reuse one connection while the server keeps
// it; a call that finds it gone connects again. Not thread-safe: one thread at a time.
// Errors name the server and what failed in the user's terms, e.g.
// "imap://127.0.0.1:42143: login refused for fax@fax.test",
// "pop3://mail.example.com:110: cannot connect: Connection refused".
class MailboxClient {
 public:
  explicit MailboxClient(MailboxServer server);
  ~MailboxClient();  // ends the session (LOGOUT / QUIT)
  MailboxClient(const MailboxClient&) = delete;
  MailboxClient& operator=(const MailboxClient&) = delete;

  // IMAP: the folder's UIDVALIDITY; when it changes, UIDs seen before mean nothing. POP3: 0.
  Result<uint64_t> UidValidity();
  // The messages in the mailbox, oldest first (IMAP: those not flagged \Deleted).
  Result<std::vector<MailboxEntry>> List();
  // The whole message as stored on the server, byte for byte. IMAP fetches BODY.PEEK[], so
  // the message is not marked \Seen. kNotFound when the message is not there (any more).
  Result<std::string> Fetch(const std::string& uid);
  // Removes the message for good. IMAP: UID STORE +FLAGS (\Deleted), then UID EXPUNGE of that
  // message (plain EXPUNGE when the server lacks UIDPLUS, which also removes other messages
  // flagged \Deleted). POP3: DELE, then QUIT, which is when a POP3 server really deletes: the
  // session ends, and the next call opens a new one. kNotFound when it is not there.
  Status Delete(const std::string& uid);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace faxgate::mail
