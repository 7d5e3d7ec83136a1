// Mail faxgate writes (a received fax, a result, a reply) as it goes on the wire: MIME built
// with GMime, UTF-8 text, RFC 2047 headers and RFC 2231 file names, CRLF line ends.
#pragma once

#include <map>
#include <string>
#include <utility>
#include <vector>

namespace faxgate::mail {

struct OutgoingAttachment {
  std::string file_name;
  std::string content_type;                                // "image/tiff"
  std::map<std::string, std::string> content_type_params;  // {"application", "faxbw"}
  std::string bytes;
  std::string content_id;  // for inline images; empty: none
  bool inline_disposition = false;
};

struct OutgoingMessage {
  std::string from_name, from_address;
  std::vector<std::string> to;
  std::string subject;      // UTF-8
  std::string message_id;   // without <>
  std::string in_reply_to;  // without <>
  std::string references;   // as written ("<a@b> <c@d>")
  std::vector<std::pair<std::string, std::string>> extra_headers;
  std::string text_body;  // UTF-8
  std::vector<OutgoingAttachment> attachments;
};

// multipart/mixed when there are attachments, else one text/plain part. `seven_bit` encodes
// every part so the text is 7-bit clean (relays without 8BITMIME).
std::string BuildMessage(const OutgoingMessage& message, bool seven_bit = true);

}  // namespace faxgate::mail
