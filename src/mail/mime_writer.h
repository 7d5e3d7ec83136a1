// Mail faxgate writes (a received fax, a result, a reply, a read receipt) as it goes on the wire:
// MIME built with GMime, UTF-8 text, RFC 2047 headers, RFC 2231 file names, CRLF line ends.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace faxgate::mail {

struct OutgoingAttachment {
  std::string file_name;                                   // UTF-8
  std::string content_type;                                // "image/tiff"
  std::map<std::string, std::string> content_type_params;  // {"application", "faxbw"}
  std::string bytes;
  std::string content_id;  // for inline images, without <>; empty: none
  bool inline_disposition = false;
};

// An RFC 8098 disposition notification (read receipt) faxgate sends as OffRamp about a mail that
// asked for one (Disposition-Notification-To): "automatic-action/MDN-sent-automatically; <type>".
struct MdnRequest {
  std::string reporting_ua;         // "fax.example.com; faxgate"
  std::string final_recipient;      // the address the mail was for ("FAX=+123@fax.example.com")
  std::string original_message_id;  // without <>
  std::string disposition_type;     // processed, failed or denied (anything else: failed)
  std::string human_text;           // the first part, for people
};

struct OutgoingMessage {
  std::string from_name, from_address;  // the name in UTF-8
  std::vector<std::string> to;          // addresses
  std::string subject;                  // UTF-8
  std::string message_id;               // without <>; empty: one is made up (but set it)
  std::string in_reply_to;              // without <>
  std::string references;               // as written ("<a@b> <c@d>")
  // X-Faxgate-Job, Disposition-Notification-To, Auto-Submitted ... Names that are not header
  // names, and Content-* / MIME-Version (the structure is ours), are left out.
  std::vector<std::pair<std::string, std::string>> extra_headers;
  std::string text_body;  // UTF-8, the first part
  // UTF-8 HTML shown instead of text_body by clients that can (multipart/alternative). The
  // attachments it shows (inline_disposition with a content_id, <img src="cid:...">) go beside
  // it in a multipart/related; the others stay attachments.
  std::string html_body;
  std::vector<OutgoingAttachment> attachments;  // after the text: multipart/mixed when any
  std::string date;                             // RFC 5322 date as written; empty: now
  // Set (by BuildMdn): the message is a multipart/report with text_body and this notification;
  // attachments are then not sent.
  std::optional<MdnRequest> mdn;
};

// The message as it goes on the wire: CRLF line ends, no line over 998 octets (save a
// References id longer than that). Headers are always 7-bit (RFC 2047 / RFC 2231). The text is
// quoted-printable or base64 when `seven_bit` (a relay without 8BITMIME), else 8bit where its
// lines allow. Attachments are base64; file names go as RFC 2231 filename*=UTF-8''... and, for
// old Outlook, also as an RFC 2047 name=. Header values lose CR, LF and control characters, and
// invalid UTF-8 becomes U+FFFD.
std::string BuildMessage(const OutgoingMessage& message, bool seven_bit = true);

// `envelope_like` (From, To, Subject, Message-ID, X-Faxgate-Job ...) made into the notification
// `mdn` answers: text_body from mdn.human_text, no attachments, In-Reply-To and References the
// original message, Auto-Submitted: auto-replied (RFC 3834), a subject when it has none. Send
// it with BuildMessage, to the Disposition-Notification-To address, from the null sender
// (MAIL FROM:<>), and only about mail from a verified sender that is not itself a report.
OutgoingMessage BuildMdn(const OutgoingMessage& envelope_like, const MdnRequest& mdn);

}  // namespace faxgate::mail
