#include "mail/mime_writer.h"

#include <algorithm>
#include <cctype>
#include <string_view>

#include "base/log.h"
#include "mail/gmime_support.h"

namespace faxgate::mail {
namespace {

using gmime::Ptr;

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string Trim(std::string_view s) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  return std::string(s);
}

// A header value on one line: line breaks and tabs as spaces, other control characters
// dropped, invalid UTF-8 as U+FFFD. GMime encodes and folds what remains.
std::string HeaderValue(std::string_view v) {
  std::string out;
  for (char c : gmime::ValidUtf8(v)) {
    const auto u = static_cast<unsigned char>(c);
    if (c == '\r' || c == '\n' || c == '\t') {
      if (!out.empty() && out.back() != ' ') out += ' ';
    } else if (u >= 0x20 && u != 0x7F) {
      out += c;
    }
  }
  return Trim(out);
}

// RFC 8098 fields are 7-bit: anything else becomes '?'.
std::string AsciiField(std::string_view v) {
  std::string out = HeaderValue(v);
  for (char& c : out) {
    if (static_cast<unsigned char>(c) >= 0x80) c = '?';
  }
  return out;
}

bool IsHeaderName(std::string_view name) {  // RFC 5322 ftext
  return !name.empty() && name.size() <= 76 && std::all_of(name.begin(), name.end(), [](char c) {
    return c >= 33 && c <= 126 && c != ':';
  });
}

std::string StripAngles(std::string_view s) {
  std::string t = Trim(s);
  if (t.size() >= 2 && t.front() == '<' && t.back() == '>') t = t.substr(1, t.size() - 2);
  return t;
}

// Text as GMime should write it: LF line ends (GMime writes CRLF), valid UTF-8.
std::string NormalizedText(std::string_view text) {
  std::string valid = gmime::ValidUtf8(text);
  std::string out;
  out.reserve(valid.size());
  for (size_t i = 0; i < valid.size(); ++i) {
    if (valid[i] != '\r') {
      out += valid[i];
    } else if (i + 1 >= valid.size() || valid[i + 1] != '\n') {
      out += '\n';
    }
  }
  return out;
}

// 7bit when it can be; 8bit when allowed and no line is longer than 998 octets; else
// quoted-printable for mostly ASCII text (readable in the raw) and base64 for the rest (Chinese
// text is a third shorter in base64 than in quoted-printable).
GMimeContentEncoding TextEncoding(std::string_view text, bool seven_bit) {
  size_t line = 0, longest = 0, eight_bit = 0;
  for (char c : text) {
    if (c == '\n') {
      longest = std::max(longest, line);
      line = 0;
      continue;
    }
    ++line;
    if (static_cast<unsigned char>(c) >= 0x80) ++eight_bit;
  }
  longest = std::max(longest, line);
  const bool short_lines = longest <= 998;
  if (eight_bit == 0 && short_lines) return GMIME_CONTENT_ENCODING_7BIT;
  if (!seven_bit && short_lines) return GMIME_CONTENT_ENCODING_8BIT;
  return eight_bit * 5 < text.size() ? GMIME_CONTENT_ENCODING_QUOTEDPRINTABLE
                                     : GMIME_CONTENT_ENCODING_BASE64;
}

void SetContent(GMimePart* part, std::string_view bytes) {
  Ptr<GMimeStream> data(g_mime_stream_mem_new_with_buffer(bytes.data(), bytes.size()));
  Ptr<GMimeDataWrapper> wrapper(
      g_mime_data_wrapper_new_with_stream(data.get(), GMIME_CONTENT_ENCODING_DEFAULT));
  g_mime_part_set_content(part, wrapper.get());
}

Ptr<GMimeObject> TextPart(std::string_view body, bool seven_bit, const char* subtype = "plain") {
  const std::string text = NormalizedText(body);
  GMimeTextPart* part = g_mime_text_part_new_with_subtype(subtype);
  g_mime_text_part_set_charset(part, "utf-8");
  SetContent(GMIME_PART(part), text);
  g_mime_part_set_content_encoding(GMIME_PART(part), TextEncoding(text, seven_bit));
  return Ptr<GMimeObject>(GMIME_OBJECT(part));
}

Ptr<GMimeObject> AttachmentPart(const OutgoingAttachment& a) {
  Ptr<GMimeContentType> parsed(
      g_mime_content_type_parse(gmime::ParserOptions(), HeaderValue(a.content_type).c_str()));
  const char* type = parsed ? g_mime_content_type_get_media_type(parsed.get()) : nullptr;
  const char* subtype = parsed ? g_mime_content_type_get_media_subtype(parsed.get()) : nullptr;
  const bool known =
      type && subtype && *type && *subtype && a.content_type.find('/') != std::string::npos;
  GMimePart* part = known ? g_mime_part_new_with_type(type, subtype)
                          : g_mime_part_new_with_type("application", "octet-stream");
  Ptr<GMimeObject> object(GMIME_OBJECT(part));
  if (known) {  // parameters written into content_type ("text/plain; charset=gb18030")
    GMimeParamList* params = g_mime_content_type_get_parameters(parsed.get());
    for (int i = 0; i < g_mime_param_list_length(params); ++i) {
      GMimeParam* p = g_mime_param_list_get_parameter_at(params, i);
      g_mime_object_set_content_type_parameter(object.get(), g_mime_param_get_name(p),
                                               g_mime_param_get_value(p));
    }
  }
  for (const auto& [name, value] : a.content_type_params) {
    if (IsHeaderName(name) && name.find_first_of("*'%;=\"()<>@,/?[]\\") == std::string::npos) {
      g_mime_object_set_content_type_parameter(object.get(), name.c_str(),
                                               HeaderValue(value).c_str());
    }
  }
  SetContent(part, a.bytes);
  g_mime_object_set_disposition(object.get(), a.inline_disposition ? "inline" : "attachment");
  const std::string file_name = HeaderValue(a.file_name);
  if (!file_name.empty()) {
    // filename*=UTF-8''... (RFC 2231) in Content-Disposition, and name="=?UTF-8?b?...?="
    // (RFC 2047) in Content-Type, the only form some old Outlook versions read.
    g_mime_part_set_filename(part, file_name.c_str());
    GMimeParamList* params =
        g_mime_content_type_get_parameters(g_mime_object_get_content_type(object.get()));
    if (GMimeParam* name = g_mime_param_list_get_parameter(params, "name"))
      g_mime_param_set_encoding_method(name, GMIME_PARAM_ENCODING_METHOD_RFC2047);
  }
  const std::string cid = AsciiField(StripAngles(a.content_id));
  if (!cid.empty()) g_mime_object_set_content_id(object.get(), cid.c_str());
  g_mime_part_set_content_encoding(part, GMIME_CONTENT_ENCODING_BASE64);
  return object;
}

// RFC 8098 §3.1: the machine-readable part. Written 7-bit, as the RFC requires.
Ptr<GMimeObject> DispositionPart(const MdnRequest& mdn) {
  std::string type = Lower(Trim(mdn.disposition_type));
  if (type != "processed" && type != "failed" && type != "denied" && type != "deleted")
    type = "failed";
  const std::string ua = AsciiField(mdn.reporting_ua);
  std::string text = "Reporting-UA: " + (ua.empty() ? std::string("faxgate") : ua) + "\n";
  if (!mdn.final_recipient.empty())
    text += "Final-Recipient: rfc822; " + AsciiField(mdn.final_recipient) + "\n";
  if (!mdn.original_message_id.empty())
    text += "Original-Message-ID: <" + AsciiField(StripAngles(mdn.original_message_id)) + ">\n";
  text += "Disposition: automatic-action/MDN-sent-automatically; " + type + "\n";
  GMimePart* part = g_mime_part_new_with_type("message", "disposition-notification");
  SetContent(part, text);
  g_mime_part_set_content_encoding(part, GMIME_CONTENT_ENCODING_7BIT);
  return Ptr<GMimeObject>(GMIME_OBJECT(part));
}

Ptr<GMimeObject> Body(const OutgoingMessage& m, bool seven_bit) {
  Ptr<GMimeObject> text = TextPart(m.text_body, seven_bit);
  if (m.mdn) {
    Ptr<GMimeMultipart> report(g_mime_multipart_new_with_subtype("report"));
    g_mime_object_set_content_type_parameter(GMIME_OBJECT(report.get()), "report-type",
                                             "disposition-notification");
    g_mime_multipart_add(report.get(), text.get());
    g_mime_multipart_add(report.get(), DispositionPart(*m.mdn).get());
    return Ptr<GMimeObject>(GMIME_OBJECT(report.release()));
  }
  auto shown_in_html = [&](const OutgoingAttachment& a) {
    return !m.html_body.empty() && a.inline_disposition && !a.content_id.empty();
  };
  if (!m.html_body.empty()) {
    // multipart/alternative: the text, or the HTML with the images it shows beside it
    // (multipart/related, RFC 2387), which mail clients show inline.
    Ptr<GMimeMultipart> related(g_mime_multipart_new_with_subtype("related"));
    g_mime_multipart_add(related.get(), TextPart(m.html_body, seven_bit, "html").get());
    for (const OutgoingAttachment& a : m.attachments)
      if (shown_in_html(a)) g_mime_multipart_add(related.get(), AttachmentPart(a).get());
    Ptr<GMimeMultipart> alternative(g_mime_multipart_new_with_subtype("alternative"));
    g_mime_multipart_add(alternative.get(), text.get());
    g_mime_multipart_add(alternative.get(), GMIME_OBJECT(related.get()));
    text = Ptr<GMimeObject>(GMIME_OBJECT(alternative.release()));
  }
  if (std::all_of(m.attachments.begin(), m.attachments.end(), shown_in_html)) return text;
  Ptr<GMimeMultipart> mixed(g_mime_multipart_new_with_subtype("mixed"));
  g_mime_multipart_add(mixed.get(), text.get());
  for (const OutgoingAttachment& a : m.attachments)
    if (!shown_in_html(a)) g_mime_multipart_add(mixed.get(), AttachmentPart(a).get());
  return Ptr<GMimeObject>(GMIME_OBJECT(mixed.release()));
}

void SetHeaders(const OutgoingMessage& m, GMimeMessage* message) {
  GMimeObject* object = GMIME_OBJECT(message);
  const std::string from = HeaderValue(m.from_address);
  g_mime_message_add_mailbox(message, GMIME_ADDRESS_TYPE_FROM, HeaderValue(m.from_name).c_str(),
                             from.c_str());
  for (const std::string& to : m.to) {
    g_mime_message_add_mailbox(message, GMIME_ADDRESS_TYPE_TO, nullptr, HeaderValue(to).c_str());
  }
  g_mime_message_set_subject(message, HeaderValue(m.subject).c_str(), "utf-8");
  if (m.date.empty()) {
    GDateTime* now = g_date_time_new_now_local();
    g_mime_message_set_date(message, now);
    g_date_time_unref(now);
  } else {
    g_mime_object_set_header(object, "Date", AsciiField(m.date).c_str(), nullptr);
  }
  std::string id = AsciiField(StripAngles(m.message_id));
  if (id.empty()) {
    const size_t at = from.rfind('@');
    gmime::CharPtr made(g_mime_utils_generate_message_id(
        at == std::string::npos ? "faxgate.invalid" : from.c_str() + at + 1));
    id = made.get();
  }
  g_mime_message_set_message_id(message, id.c_str());
  if (const std::string v = AsciiField(StripAngles(m.in_reply_to)); !v.empty())
    g_mime_object_set_header(object, "In-Reply-To", ("<" + v + ">").c_str(), nullptr);
  if (const std::string v = AsciiField(m.references); !v.empty())
    g_mime_object_set_header(object, "References", v.c_str(), nullptr);
  for (const auto& [name, value] : m.extra_headers) {
    const std::string lower = Lower(name);
    if (!IsHeaderName(name) || lower.starts_with("content-") || lower == "mime-version") {
      log::Get("mail")->warn("mail {}: header '{}' left out: not one a message may set", id,
                             HeaderValue(name));
      continue;
    }
    g_mime_object_set_header(object, name.c_str(), HeaderValue(value).c_str(), nullptr);
  }
}

}  // namespace

std::string BuildMessage(const OutgoingMessage& m, bool seven_bit) {
  gmime::Init();
  Ptr<GMimeMessage> message(g_mime_message_new(TRUE));
  SetHeaders(m, message.get());
  g_mime_message_set_mime_part(message.get(), Body(m, seven_bit).get());
  return gmime::WireText(GMIME_OBJECT(message.get()));
}

OutgoingMessage BuildMdn(const OutgoingMessage& envelope_like, const MdnRequest& mdn) {
  OutgoingMessage m = envelope_like;
  m.attachments.clear();
  m.text_body = mdn.human_text;
  const std::string original = StripAngles(mdn.original_message_id);
  if (m.in_reply_to.empty()) m.in_reply_to = original;
  if (m.references.empty() && !original.empty()) m.references = "<" + original + ">";
  if (m.subject.empty())
    m.subject = "Disposition notification (" + Trim(mdn.disposition_type) + ")";
  const bool has_auto_submitted =
      std::any_of(m.extra_headers.begin(), m.extra_headers.end(),
                  [](const auto& h) { return Lower(h.first) == "auto-submitted"; });
  if (!has_auto_submitted) m.extra_headers.emplace_back("Auto-Submitted", "auto-replied");
  m.mdn = mdn;
  return m;
}

}  // namespace faxgate::mail
