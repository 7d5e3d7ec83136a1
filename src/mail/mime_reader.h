// Mail that comes in (OffRamp, the shared mailbox, delivery reports), read with GMime: headers
// decoded to UTF-8, the body text, and the attachments in order. Strangers write it, so nothing
// here may crash on it: a broken mail gets its best reading, or an error for what cannot be read
// at all.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace faxgate::mail {

struct MailAttachment {
  std::string file_name;     // UTF-8 (RFC 2231 / RFC 2047 decoded), without any directory part
  std::string content_type;  // "application/pdf", lower case
  std::string bytes;         // base64 / quoted-printable / uuencode undone
};

// What a mail may cost to read. Over them ParseMail gives an error, not a partial reading.
struct MimeLimits {
  size_t max_parts = 20000;  // MIME parts of every kind, multiparts included
  int max_depth = 20;        // multiparts and attached messages inside each other
  size_t max_bytes = size_t{64} << 20;
};

struct ParsedMail {
  std::string message_id;  // without <>
  // Addresses as "local@domain" with the domain in lower case.
  std::string from_address;  // the first mailbox of From
  std::string from_name;     // its display name, UTF-8
  std::string reply_to;      // the first mailbox of Reply-To
  // Return-Path without <> when present; "Return-Path: <>" (the null sender of reports) gives
  // an empty return_path and has_null_return_path.
  std::string return_path;
  bool has_null_return_path = false;
  std::vector<std::string> to;              // the mailboxes of To, groups flattened
  std::string subject;                      // decoded UTF-8
  std::string date;                         // as written
  std::string in_reply_to;                  // without <>
  std::string references;                   // as written
  std::string disposition_notification_to;  // the address an MDN is asked for, if any
  std::string auto_submitted;               // as written ("auto-replied")
  std::string authentication_results;       // every such header, one a line, unfolded
  // UTF-8 text of the body, LF line ends, the signature ("-- " line and after) removed: the
  // first text/plain part that is not an attachment; else the first text/html made plain; else
  // the first text/enriched made plain. Charsets as in reference/mail.md §6.2 (GB2312 read as
  // GB18030; undeclared or wrong labels tried as UTF-8, then GB18030).
  std::string body_text;
  // In order: parts with Content-Disposition attachment or a file name (text files too), and
  // every other part that is not body text. Images only the HTML body shows (cid: logos) are
  // left out. The parts of an attached message (message/rfc822) are read as this mail's own.
  std::vector<MailAttachment> attachments;
  // multipart/report, Auto-Submitted other than "no", or the null sender: never answer it.
  bool is_report = false;
};

// `raw` with CRLF or LF line ends. An error for what is not a mail (no header field) or goes
// over `limits` ("the message has more than 20000 parts").
Result<ParsedMail> ParseMail(std::string_view raw, const MimeLimits& limits = {});

}  // namespace faxgate::mail
