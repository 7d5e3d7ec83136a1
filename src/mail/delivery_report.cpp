#include "mail/delivery_report.h"

#include <cctype>
#include <map>

#include "mail/gmime_support.h"

namespace faxgate::mail {
namespace {

using gmime::Ptr;
using Block = std::map<std::string, std::string>;  // lower-case field name -> value

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string Trim(std::string s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.erase(0, 1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.pop_back();
  return s;
}

// Header blocks separated by blank lines; a line starting with white space continues a field.
std::vector<Block> Blocks(std::string_view text) {
  std::vector<Block> blocks(1);
  std::string last;
  size_t pos = 0;
  while (pos <= text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    std::string line(text.substr(pos, end - pos));
    pos = end + 1;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (Trim(line).empty()) {
      if (!blocks.back().empty()) blocks.emplace_back();
      last.clear();
      continue;
    }
    if ((line[0] == ' ' || line[0] == '\t') && !last.empty()) {
      blocks.back()[last] += " " + Trim(line);
      continue;
    }
    const size_t colon = line.find(':');
    if (colon == std::string::npos) continue;
    last = Lower(Trim(line.substr(0, colon)));
    blocks.back()[last] = Trim(line.substr(colon + 1));
  }
  if (blocks.back().empty()) blocks.pop_back();
  return blocks;
}

std::string AfterType(const std::string& v) {  // "rfc822;a@b" -> "a@b"
  const size_t semi = v.find(';');
  return Trim(semi == std::string::npos ? v : v.substr(semi + 1));
}

std::string StripAngles(std::string s) {
  s = Trim(s);
  if (s.size() >= 2 && s.front() == '<' && s.back() == '>') s = s.substr(1, s.size() - 2);
  return s;
}

std::string Get(const Block& b, const char* key) {
  auto it = b.find(key);
  return it == b.end() ? "" : it->second;
}

struct Parts {
  std::string status;   // message/delivery-status or message/disposition-notification text
  std::string headers;  // text/rfc822-headers or message/rfc822 text
  bool disposition = false;
};

void Collect(GMimeObject* o, Parts& p, int depth) {
  if (depth > 10) return;
  if (GMIME_IS_MULTIPART(o)) {
    GMimeMultipart* mp = GMIME_MULTIPART(o);
    for (int i = 0; i < g_mime_multipart_get_count(mp) && i < 50; ++i)
      Collect(g_mime_multipart_get_part(mp, i), p, depth + 1);
    return;
  }
  GMimeContentType* ct = g_mime_object_get_content_type(o);
  if (!ct) return;
  const bool dsn = g_mime_content_type_is_type(ct, "message", "delivery-status") ||
                   g_mime_content_type_is_type(ct, "message", "global-delivery-status");
  const bool mdn = g_mime_content_type_is_type(ct, "message", "disposition-notification");
  const bool headers = g_mime_content_type_is_type(ct, "text", "rfc822-headers");
  if (GMIME_IS_MESSAGE_PART(o)) {
    GMimeMessage* inner = g_mime_message_part_get_message(GMIME_MESSAGE_PART(o));
    if (inner && p.headers.empty()) p.headers = gmime::WireText(GMIME_OBJECT(inner));
    return;
  }
  if (!GMIME_IS_PART(o)) return;
  if (dsn || mdn) {
    p.status = gmime::DecodedContent(GMIME_PART(o));
    p.disposition = mdn;
  } else if (headers && p.headers.empty()) {
    p.headers = gmime::DecodedContent(GMIME_PART(o));
  }
}

}  // namespace

std::optional<DeliveryReport> ReadDeliveryReport(std::string_view raw) {
  gmime::Init();
  Ptr<GMimeStream> stream(g_mime_stream_mem_new_with_buffer(raw.data(), raw.size()));
  Ptr<GMimeParser> parser(g_mime_parser_new_with_stream(stream.get()));
  Ptr<GMimeMessage> msg(g_mime_parser_construct_message(parser.get(), gmime::ParserOptions()));
  if (!msg) return std::nullopt;
  GMimeObject* body = g_mime_message_get_mime_part(msg.get());
  if (!body) return std::nullopt;
  GMimeContentType* ct = g_mime_object_get_content_type(body);
  if (!ct || !g_mime_content_type_is_type(ct, "multipart", "report")) return std::nullopt;
  Parts parts;
  Collect(body, parts, 0);
  if (parts.status.empty()) return std::nullopt;
  DeliveryReport r;
  r.kind = parts.disposition ? DeliveryReport::Kind::kDisposition : DeliveryReport::Kind::kDelivery;
  std::vector<Block> blocks = Blocks(parts.status);
  for (size_t i = 0; i < blocks.size(); ++i) {
    const Block& b = blocks[i];
    if (r.envelope_id.empty()) r.envelope_id = Get(b, "original-envelope-id");
    if (parts.disposition) {
      r.disposition = Get(b, "disposition");
      r.original_message_id = StripAngles(Get(b, "original-message-id"));
      ReportRecipient rr;
      rr.final_recipient = AfterType(Get(b, "final-recipient"));
      rr.original_recipient = AfterType(Get(b, "original-recipient"));
      rr.action = "displayed";
      r.recipients.push_back(rr);
      continue;
    }
    if (!b.count("final-recipient") && !b.count("original-recipient")) continue;
    ReportRecipient rr;
    rr.original_recipient = AfterType(Get(b, "original-recipient"));
    rr.final_recipient = AfterType(Get(b, "final-recipient"));
    rr.action = Lower(Get(b, "action"));
    rr.status = Get(b, "status");
    rr.diagnostic = Get(b, "diagnostic-code");
    rr.remote_mta = AfterType(Get(b, "remote-mta"));
    r.recipients.push_back(std::move(rr));
  }
  if (!parts.headers.empty()) {
    std::string_view h = parts.headers;
    if (const size_t end = h.find("\r\n\r\n"); end != std::string_view::npos)
      h = h.substr(0, end);
    else if (const size_t lf = h.find("\n\n"); lf != std::string_view::npos)
      h = h.substr(0, lf);
    for (const Block& b : Blocks(h)) {
      if (r.original_message_id.empty()) r.original_message_id = StripAngles(Get(b, "message-id"));
      if (r.faxgate_job.empty()) r.faxgate_job = Get(b, "x-faxgate-job");
    }
  }
  return r;
}

}  // namespace faxgate::mail
