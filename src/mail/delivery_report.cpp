#include "mail/delivery_report.h"

#include <cctype>
#include <utility>

#include "mail/gmime_support.h"

namespace faxgate::mail {
namespace {

using gmime::Ptr;
// One header block: fields in order, names in lower case, folded lines joined by a space.
using Block = std::vector<std::pair<std::string, std::string>>;

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string Trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return std::string(s);
}

// RFC 3464 §2.1 / RFC 8098 §3: header-style blocks separated by blank lines; a line starting
// with white space continues the field before it.
std::vector<Block> Blocks(std::string_view text) {
  std::vector<Block> blocks(1);
  bool continuable = false;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(pos, end - pos);
    pos = end + 1;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (Trim(line).empty()) {
      if (!blocks.back().empty()) blocks.emplace_back();
      continuable = false;
      continue;
    }
    if ((line[0] == ' ' || line[0] == '\t') && continuable) {
      blocks.back().back().second += " " + Trim(line);
      continue;
    }
    const size_t colon = line.find(':');
    continuable = colon != std::string_view::npos;
    if (!continuable) continue;  // not a field: skipped, as a reader of reports should
    blocks.back().emplace_back(Lower(Trim(line.substr(0, colon))), Trim(line.substr(colon + 1)));
  }
  if (blocks.back().empty()) blocks.pop_back();
  return blocks;
}

std::string Get(const Block& b, std::string_view name) {
  for (const auto& [field, value] : b) {
    if (field == name) return value;
  }
  return "";
}

bool Has(const Block& b, std::string_view name) {
  for (const auto& field : b) {
    if (field.first == name) return true;
  }
  return false;
}

std::string AfterType(const std::string& v) {  // "rfc822; a@b" -> "a@b"
  const size_t semi = v.find(';');
  return Trim(semi == std::string::npos ? std::string_view(v)
                                        : std::string_view(v).substr(semi + 1));
}

std::string StripAngles(std::string s) {
  s = Trim(s);
  if (s.size() >= 2 && s.front() == '<' && s.back() == '>') s = s.substr(1, s.size() - 2);
  return s;
}

// "automatic-action/MDN-sent-automatically; processed/error" -> "processed"
std::string DispositionType(const std::string& disposition) {
  const std::string type = AfterType(disposition);
  return Lower(Trim(std::string_view(type).substr(0, type.find('/'))));
}

struct Parts {
  std::string status;   // message/delivery-status or message/disposition-notification text
  std::string headers;  // the returned headers: text/rfc822-headers or of the message/rfc822
  bool disposition = false;
};

std::string HeaderText(GMimeObject* object) {
  gmime::FormatOptionsPtr format(g_mime_format_options_clone(g_mime_format_options_get_default()));
  gmime::CharPtr text(
      g_mime_header_list_to_string(g_mime_object_get_header_list(object), format.get()));
  return text ? text.get() : "";
}

// A report's parts are its direct children (RFC 6522); a few levels down are tolerated.
void Collect(GMimeObject* o, Parts& p, int depth) {
  if (depth > 3) return;
  if (GMIME_IS_MULTIPART(o)) {
    GMimeMultipart* mp = GMIME_MULTIPART(o);
    for (int i = 0; i < g_mime_multipart_get_count(mp) && i < 20; ++i)
      Collect(g_mime_multipart_get_part(mp, i), p, depth + 1);
    return;
  }
  if (GMIME_IS_MESSAGE_PART(o)) {  // RET=FULL: the whole message came back
    GMimeMessage* inner = g_mime_message_part_get_message(GMIME_MESSAGE_PART(o));
    if (inner && p.headers.empty()) p.headers = HeaderText(GMIME_OBJECT(inner));
    return;
  }
  GMimeContentType* ct = g_mime_object_get_content_type(o);
  if (!ct || !GMIME_IS_PART(o)) return;
  const bool dsn = g_mime_content_type_is_type(ct, "message", "delivery-status") ||
                   g_mime_content_type_is_type(ct, "message", "global-delivery-status");
  const bool mdn = g_mime_content_type_is_type(ct, "message", "disposition-notification") ||
                   g_mime_content_type_is_type(ct, "message", "global-disposition-notification");
  if ((dsn || mdn) && p.status.empty()) {
    p.status = gmime::DecodedContent(GMIME_PART(o));
    p.disposition = mdn;
  } else if (p.headers.empty() && (g_mime_content_type_is_type(ct, "text", "rfc822-headers") ||
                                   g_mime_content_type_is_type(ct, "message", "global-headers"))) {
    p.headers = gmime::DecodedContent(GMIME_PART(o));
  }
}

ReportRecipient DeliveryRecipient(const Block& b) {
  ReportRecipient r;
  r.original_recipient = AfterType(Get(b, "original-recipient"));
  r.final_recipient = AfterType(Get(b, "final-recipient"));
  r.action = Lower(Get(b, "action"));
  r.status = Get(b, "status");
  r.diagnostic = AfterType(Get(b, "diagnostic-code"));
  r.remote_mta = AfterType(Get(b, "remote-mta"));
  return r;
}

void ReadReturnedHeaders(std::string_view text, DeliveryReport& r) {
  std::vector<Block> blocks = Blocks(text);
  if (blocks.empty()) return;  // the returned header block is the first; a body may follow
  if (r.original_message_id.empty())
    r.original_message_id = StripAngles(Get(blocks[0], "message-id"));
  r.faxgate_job = Get(blocks[0], "x-faxgate-job");
}

}  // namespace

std::optional<DeliveryReport> ReadDeliveryReport(std::string_view raw) {
  auto message = gmime::ParseMessage(raw, MimeLimits{});
  if (!message.ok()) return std::nullopt;
  GMimeObject* body = g_mime_message_get_mime_part(message->get());
  GMimeContentType* ct = body ? g_mime_object_get_content_type(body) : nullptr;
  if (!ct || !g_mime_content_type_is_type(ct, "multipart", "report")) return std::nullopt;
  Parts parts;
  Collect(body, parts, 0);
  if (parts.status.empty()) return std::nullopt;
  const std::string status = gmime::ValidUtf8(parts.status);
  DeliveryReport r;
  if (parts.disposition) {
    r.kind = DeliveryReport::Kind::kDisposition;
    // RFC 8098 §3.1: one block with the fields of the one recipient.
    for (const Block& b : Blocks(status)) {
      if (!Has(b, "disposition")) continue;
      r.disposition = Get(b, "disposition");
      r.original_message_id = StripAngles(Get(b, "original-message-id"));
      ReportRecipient rr;
      rr.final_recipient = AfterType(Get(b, "final-recipient"));
      rr.original_recipient = AfterType(Get(b, "original-recipient"));
      rr.action = DispositionType(r.disposition);
      r.recipients.push_back(std::move(rr));
      break;
    }
  } else {
    // RFC 3464 §2.2: the per-message block, then one block per recipient.
    for (const Block& b : Blocks(status)) {
      if (r.envelope_id.empty()) r.envelope_id = Get(b, "original-envelope-id");
      if (Has(b, "final-recipient") || Has(b, "original-recipient"))
        r.recipients.push_back(DeliveryRecipient(b));
    }
  }
  if (!parts.headers.empty()) ReadReturnedHeaders(gmime::ValidUtf8(parts.headers), r);
  return r;
}

}  // namespace faxgate::mail
