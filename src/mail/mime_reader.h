// Mail that comes in (OffRamp, the shared mailbox, delivery reports), read with GMime: headers
// decoded to UTF-8 (GB2312 read as GB18030), the body text, and the attachments in order.
// Strangers write it, so nothing here may crash on it: a broken mail gets its best reading, or
// an error for what cannot be read at all.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace faxgate::mail {

struct MailAttachment {
  std::string file_name;     // UTF-8 (RFC 2231 / RFC 2047 decoded)
  std::string content_type;  // "application/pdf"
  std::string bytes;         // transfer encoding undone
};

struct MimeLimits {
  size_t max_parts = 20000;
  int max_depth = 20;
  size_t max_bytes = size_t{64} << 20;
};

struct ParsedMail {
  std::string message_id;  // without <>
  std::string from_address;
  std::string from_name;
  std::string reply_to;
  bool has_null_return_path = false;  // Return-Path: <>
  std::vector<std::string> to;
  std::string subject;  // decoded UTF-8
  std::string date;     // as written
  std::string in_reply_to, references;
  std::string disposition_notification_to;
  std::string auto_submitted;
  std::string authentication_results;
  // The first text/plain body part (else text/html or text/enriched made plain), UTF-8, LF line
  // ends, the signature ("-- " line and after) removed.
  std::string body_text;
  // Named or non-text parts, in order; images the HTML body shows inline (logos) are left out.
  std::vector<MailAttachment> attachments;
  // multipart/report, Auto-Submitted other than "no", or the null sender: never answer it.
  bool is_report = false;
};

Result<ParsedMail> ParseMail(std::string_view raw, const MimeLimits& limits = {});

// HTML to plain text: tags dropped, <br>/<p>/<div>/<tr> as line breaks, entities decoded.
std::string HtmlToText(std::string_view html);

}  // namespace faxgate::mail
