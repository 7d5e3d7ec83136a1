// What the OffRamp listener and the mailbox poller share once a mail's sender is verified:
// turning the mail into fax jobs (attachments in order, the body as cover comments or a first
// page), refusing a mail with a reply that says exactly what is wrong, and reading delivery
// reports (DSN/MDN) about mails we sent. Runs on the control thread.
#pragma once

#include <string>
#include <vector>

#include "base/clock.h"
#include "base/config.h"
#include "mail/gateway/mail_templates.h"
#include "mail/mime_reader.h"
#include "service/fax_service.h"
#include "service/settings_service.h"
#include "store/spool.h"
#include "store/store.h"

namespace faxgate::mail {

struct MailRecipient {
  std::string number;  // as written, for the dial plan
  std::string name;
};

struct MailFaxRequest {
  User sender;           // the faxgate user the fax is sent as
  std::string reply_to;  // the verified address results go to
  std::vector<MailRecipient> recipients;
  std::string channel;         // "smtp", "mailbox"
  std::string message_key;     // "<channel>:<Message-ID>"
  std::string mail_subject;    // password removed
  std::string mail_recipient;  // the address the mail was sent to (FAX=...@, the mailbox)
};

class MailIntake {
 public:
  MailIntake(Store& store, Spool& spool, FaxService& faxes, MailTemplates& templates,
             SettingsService& settings, const MailConfig& config, const Clock& clock)
      : store_(store),
        spool_(spool),
        faxes_(faxes),
        templates_(templates),
        settings_(settings),
        config_(config),
        clock_(clock) {}

  // One job per recipient in one group. kAlreadyExists when this mail was submitted before.
  Result<std::vector<Job>> Submit(const MailFaxRequest& request, const ParsedMail& mail);
  // Queues a reply to `to` saying why the mail was refused (never to a report or an automatic
  // mail), and remembers the mail as handled so that it is not answered twice.
  Status Refuse(const ParsedMail& mail, const std::string& message_key, const std::string& to,
                const std::string& reason);
  // A user who may fax by mail, found by the address; the error says why not, in words for the
  // reply mail.
  Result<User> RegisteredSender(const std::string& address);
  // Records what a DSN or MDN says about a mail we sent. False when `raw` is not a report.
  bool TakeReport(std::string_view raw);

  // "<channel>:<Message-ID>", or a content hash when the mail has no Message-ID.
  static std::string MessageKey(std::string_view channel, const ParsedMail& mail,
                                std::string_view raw);

 private:
  Store& store_;
  Spool& spool_;
  FaxService& faxes_;
  MailTemplates& templates_;
  SettingsService& settings_;
  const MailConfig& config_;
  const Clock& clock_;
};

}  // namespace faxgate::mail
