// Test support for the mailbox tests: a real Postfix + Dovecot environment from
// scripts/mailenv, one per test suite (its own root under /tmp and its own ports), and ways to
// put mail into a mailbox and to look at it from outside the code under test.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "base/result.h"
#include "mail/mailbox_client.h"

namespace faxgate::mail::testing {

class MailEnv {
 public:
  // Whether Dovecot and Postfix are installed; the suites skip when not.
  static bool Installed();

  explicit MailEnv(const std::string& name);  // on ports no other process holds
  ~MailEnv();                                 // stops

  // scripts/mailenv/setup and start; the error carries their output.
  Status Start();
  // scripts/mailenv/stop (by PID), then removes the root.
  void Stop();

  int smtp_port() const { return base_ + 25; }
  int pop3_port() const { return base_ + 110; }
  int imap_port() const { return base_ + 143; }
  const std::filesystem::path& root() const { return root_; }

  // user@fax.test with password <user>pass on the test IMAP/POP3 port, STARTTLS required, the
  // self-signed certificate accepted.
  MailboxServer Server(const std::string& protocol, const std::string& user) const;

  // Hands `message` to Postfix for user@fax.test and waits until Dovecot has stored it.
  Status Deliver(const std::string& user, const std::string& message);
  // What Dovecot stored for the user (Maildir new/ and cur/), oldest first, lines ending CRLF
  // as IMAP and POP3 send them.
  std::vector<std::string> Stored(const std::string& user) const;
  // Removes the user's mail behind Dovecot's back (it notices).
  void Empty(const std::string& user);
  // One IMAP command in a session of its own (libcurl, INBOX selected): the untagged answers.
  Result<std::string> ImapCommand(const std::string& user, const std::string& command) const;

 private:
  Status Run(const std::string& script);
  std::filesystem::path Maildir(const std::string& user) const;

  std::string name_;
  int base_;
  std::filesystem::path root_;
  bool started_ = false;
};

// A complete message (every header Postfix would otherwise add), CRLF line ends.
std::string TestMessage(const std::string& subject, const std::string& body);

}  // namespace faxgate::mail::testing
