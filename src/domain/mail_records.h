// What the mail face keeps in the store: outgoing mail waiting for a relay, where a mail
// submission came from, the mail servers an administrator configured and the templates of the
// mails faxgate writes.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/clock.h"

namespace faxgate {

enum class QueuedMailState { kQueued, kSent, kFailed };
std::string_view ToString(QueuedMailState s);
std::optional<QueuedMailState> ParseQueuedMailState(std::string_view s);

struct QueuedMailRecipient {
  std::string address;
  std::string notify;  // DSN NOTIFY ("SUCCESS,FAILURE,DELAY"), "" for none
  std::string orcpt;   // ORCPT address, "" for none
  // What became of it: "" (not yet), the relay's answer, or a DSN's action and status.
  std::string outcome;
};

// One mail faxgate writes (a received fax, a result, a reply), kept until a relay accepted it
// so that a relay that is down delays mail and loses none.
struct QueuedMail {
  int64_t id = 0;
  std::string kind;               // "onramp", "result", "reply", "mdn"
  std::optional<int64_t> fax_id;  // the fax (job or inbound fax) it is about
  std::string envid;              // correlation id: ENVID, Message-ID local part, X-Faxgate-Job
  std::string mail_from;          // envelope sender; "" is the null sender <>
  std::vector<QueuedMailRecipient> recipients;
  std::string ret;           // DSN RET ("HDRS"), "" for none
  std::string message_hash;  // spool address of the message as sent (CRLF)
  std::string subject;       // for lists and logs
  QueuedMailState state = QueuedMailState::kQueued;
  int attempts = 0;
  TimePoint created_at{};
  TimePoint next_try_at{};
  std::optional<TimePoint> sent_at;
  std::string last_result;  // the last relay outcome in words
};

// What a submission is marked with when it came by mail: the mail's identity (so that a mail
// fetched twice makes no second fax) and where results go.
struct SubmissionOrigin {
  std::string channel;       // "" (web, API, CLI), "smtp", "mailbox"
  std::string message_key;   // unique per mail: "<source>:<Message-ID>"; "" for none
  std::string message_id;    // the mail's Message-ID, for In-Reply-To
  std::string reply_to;      // the verified sender address results go to
  std::string mail_subject;  // the mail's subject, password removed
  // A read receipt (RFC 8098 MDN) the mail asked for: sent to mdn_to once every fax of the
  // submission has ended, and only when mdn_to is the verified sender (never backscatter).
  std::string mdn_to;
  std::string mail_recipient;  // the address the mail was sent to (the MDN's Final-Recipient)
  bool mdn_sent = false;
};

// What a committed batch of outgoing mail settles at the same time.
struct MailEffects {
  std::optional<int64_t> notified_job;    // the job whose result these mails report
  std::optional<int64_t> mailed_inbound;  // the received fax these mails deliver
  std::optional<int64_t> mdn_sent_for;    // the submission (group) whose read receipt this is
  std::string seen_message_key;           // a fetched/received mail now handled ("" none)
  std::string seen_outcome;               // "rejected: ..." for the record
};

// A POP3, IMAP or SMTP server an administrator set up (REQUIREMENTS S4 "mail servers").
struct MailServer {
  std::string name;               // "relay", "shared-mailbox"
  std::string protocol = "smtp";  // "smtp" (relay for outgoing mail), "pop3", "imap"
  std::string host;
  int port = 0;                    // 0: the protocol's default
  std::string tls = "starttls";    // "starttls", "implicit", "none"
  bool verify_certificate = true;  // false only for private test servers
  std::string ca_file;
  std::string user;
  std::string password;
  std::string folder = "INBOX";  // IMAP
  bool enabled = true;
  TimePoint updated_at{};
};

// A stored mail template (replaces the built-in one of the same name and language).
struct MailTemplateRecord {
  std::string name;      // "fax_sent", "fax_failed", "fax_received", "mail_rejected"
  std::string language;  // "en", "zh-CN"
  std::string subject;
  std::string body;
  TimePoint updated_at{};
};

}  // namespace faxgate
