#include "mail/mime_reader.h"

#include <algorithm>
#include <cctype>

#include <fmt/format.h>

#include "mail/gmime_support.h"

namespace faxgate::mail {
namespace {

using gmime::Ptr;

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string Header(GMimeObject* o, const char* name) {
  const char* v = g_mime_object_get_header(o, name);
  return v ? std::string(v) : std::string();
}

std::string StripAngles(std::string s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.erase(0, 1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.pop_back();
  if (s.size() >= 2 && s.front() == '<' && s.back() == '>') s = s.substr(1, s.size() - 2);
  return s;
}

std::string FirstMailbox(InternetAddressList* list, std::string* name) {
  if (!list) return "";
  for (int i = 0; i < internet_address_list_length(list); ++i) {
    InternetAddress* a = internet_address_list_get_address(list, i);
    if (!INTERNET_ADDRESS_IS_MAILBOX(a)) continue;
    if (name && internet_address_get_name(a)) *name = internet_address_get_name(a);
    const char* addr = internet_address_mailbox_get_addr(INTERNET_ADDRESS_MAILBOX(a));
    std::string s = addr ? addr : "";
    if (const size_t at = s.rfind('@'); at != std::string::npos)
      s = s.substr(0, at + 1) + Lower(s.substr(at + 1));
    return s;
  }
  return "";
}

std::string WithoutSignature(std::string text) {
  std::string lf;
  lf.reserve(text.size());
  for (char c : text)
    if (c != '\r') lf += c;
  if (lf.rfind("-- \n", 0) == 0) return "";
  if (const size_t sig = lf.find("\n-- \n"); sig != std::string::npos) lf.resize(sig + 1);
  return lf;
}

struct Walk {
  const MimeLimits& limits;
  size_t parts = 0;
  bool too_many = false;
  bool too_deep = false;
  std::string plain, html, enriched;
  std::vector<std::string> cids_in_html;
  struct Leaf {
    MailAttachment a;
    std::string cid;
  };
  std::vector<Leaf> leaves;
};

void Visit(GMimeObject* object, Walk& w, int depth);

void VisitLeaf(GMimePart* part, Walk& w) {
  GMimeObject* o = GMIME_OBJECT(part);
  GMimeContentType* ct = g_mime_object_get_content_type(o);
  char* mime = g_mime_content_type_get_mime_type(ct);
  const std::string type = Lower(mime ? mime : "application/octet-stream");
  g_free(mime);
  const char* fn = g_mime_part_get_filename(part);
  const bool attachment = g_mime_part_is_attachment(part) || (fn && *fn);
  if (GMIME_IS_TEXT_PART(part) && !attachment) {
    char* text = g_mime_text_part_get_text(GMIME_TEXT_PART(part));
    std::string t = text ? text : "";
    g_free(text);
    if (type == "text/plain" && w.plain.empty())
      w.plain = t;
    else if (type == "text/html" && w.html.empty())
      w.html = t;
    else if (type == "text/enriched" && w.enriched.empty())
      w.enriched = t;
    return;
  }
  Walk::Leaf leaf;
  leaf.a.file_name = fn ? fn : "";
  leaf.a.content_type = type;
  leaf.a.bytes = gmime::DecodedContent(part);
  const char* cid = g_mime_object_get_content_id(o);
  if (cid) leaf.cid = cid;
  w.leaves.push_back(std::move(leaf));
}

void Visit(GMimeObject* object, Walk& w, int depth) {
  if (w.too_many || w.too_deep) return;
  if (++w.parts > w.limits.max_parts) {
    w.too_many = true;
    return;
  }
  if (depth > w.limits.max_depth) {
    w.too_deep = true;
    return;
  }
  if (GMIME_IS_MULTIPART(object)) {
    GMimeMultipart* mp = GMIME_MULTIPART(object);
    const int n = g_mime_multipart_get_count(mp);
    for (int i = 0; i < n; ++i) Visit(g_mime_multipart_get_part(mp, i), w, depth + 1);
  } else if (GMIME_IS_MESSAGE_PART(object)) {
    GMimeMessage* inner = g_mime_message_part_get_message(GMIME_MESSAGE_PART(object));
    if (inner && g_mime_message_get_mime_part(inner))
      Visit(g_mime_message_get_mime_part(inner), w, depth + 1);
  } else if (GMIME_IS_PART(object)) {
    VisitLeaf(GMIME_PART(object), w);
  }
}

std::string EnrichedToText(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '<') {
      if (i + 1 < s.size() && s[i + 1] == '<') {
        out += '<';
        ++i;
        continue;
      }
      const size_t end = s.find('>', i);
      if (end == std::string_view::npos) break;
      i = end;
    } else {
      out += s[i];
    }
  }
  return out;
}

}  // namespace

std::string HtmlToText(std::string_view html) {
  std::string out;
  for (size_t i = 0; i < html.size(); ++i) {
    const char c = html[i];
    if (c == '<') {
      const size_t end = html.find('>', i);
      if (end == std::string_view::npos) break;
      std::string tag = Lower(std::string(html.substr(i + 1, end - i - 1)));
      const bool closing = !tag.empty() && tag[0] == '/';
      if (closing) tag.erase(0, 1);
      const std::string name = tag.substr(0, tag.find_first_of(" \t\r\n/"));
      if (name == "br" || name == "p" || name == "div" || name == "tr" || name == "li" ||
          name == "h1" || name == "h2" || name == "h3")
        out += '\n';
      if (!closing && (name == "style" || name == "script" || name == "head")) {
        const size_t close = Lower(std::string(html.substr(end))).find("</" + name);
        if (close == std::string::npos) break;
        i = end + close - 1;  // the loop steps onto the closing tag
        continue;
      }
      i = end;
    } else if (c == '&') {
      const size_t semi = html.find(';', i);
      std::string_view e =
          semi == std::string_view::npos || semi - i > 8 ? "" : html.substr(i + 1, semi - i - 1);
      if (e == "nbsp")
        out += ' ';
      else if (e == "amp")
        out += '&';
      else if (e == "lt")
        out += '<';
      else if (e == "gt")
        out += '>';
      else if (e == "quot")
        out += '"';
      else if (e == "#39" || e == "apos")
        out += '\'';
      else {
        out += c;
        continue;
      }
      i = semi;
    } else if (c != '\r') {
      out += c;
    }
  }
  return out;
}

Result<ParsedMail> ParseMail(std::string_view raw, const MimeLimits& limits) {
  if (raw.size() > limits.max_bytes) {
    return MakeError(ErrorCode::kInvalidArgument,
                     fmt::format("the message has {} bytes, more than the {} accepted", raw.size(),
                                 limits.max_bytes));
  }
  gmime::Init();
  Ptr<GMimeStream> stream(g_mime_stream_mem_new_with_buffer(raw.data(), raw.size()));
  Ptr<GMimeParser> parser(g_mime_parser_new_with_stream(stream.get()));
  Ptr<GMimeMessage> msg(g_mime_parser_construct_message(parser.get(), gmime::ParserOptions()));
  if (!msg) return MakeError(ErrorCode::kInvalidArgument, "the data is not a mail message");
  GMimeObject* top = GMIME_OBJECT(msg.get());
  ParsedMail out;
  if (const char* id = g_mime_message_get_message_id(msg.get())) out.message_id = id;
  out.from_address = FirstMailbox(g_mime_message_get_from(msg.get()), &out.from_name);
  out.reply_to = FirstMailbox(g_mime_message_get_reply_to(msg.get()), nullptr);
  if (InternetAddressList* to = g_mime_message_get_to(msg.get())) {
    for (int i = 0; i < internet_address_list_length(to); ++i) {
      InternetAddress* a = internet_address_list_get_address(to, i);
      if (INTERNET_ADDRESS_IS_MAILBOX(a))
        out.to.emplace_back(internet_address_mailbox_get_addr(INTERNET_ADDRESS_MAILBOX(a)));
    }
  }
  if (const char* s = g_mime_message_get_subject(msg.get())) out.subject = s;
  out.date = Header(top, "Date");
  out.in_reply_to = StripAngles(Header(top, "In-Reply-To"));
  out.references = Header(top, "References");
  out.disposition_notification_to = StripAngles(Header(top, "Disposition-Notification-To"));
  out.auto_submitted = Lower(Header(top, "Auto-Submitted"));
  out.authentication_results = Header(top, "Authentication-Results");
  const std::string return_path = Header(top, "Return-Path");
  out.has_null_return_path = !return_path.empty() && StripAngles(return_path).empty();

  Walk w{limits};
  if (GMimeObject* body = g_mime_message_get_mime_part(msg.get())) {
    GMimeContentType* ct = g_mime_object_get_content_type(body);
    if (ct && g_mime_content_type_is_type(ct, "multipart", "report")) out.is_report = true;
    Visit(body, w, 0);
  }
  if (w.too_many) {
    return MakeError(ErrorCode::kInvalidArgument,
                     fmt::format("the message has more than {} parts", limits.max_parts));
  }
  if (w.too_deep) {
    return MakeError(ErrorCode::kInvalidArgument,
                     fmt::format("the message nests parts more than {} deep", limits.max_depth));
  }
  std::string text = w.plain;
  if (text.empty() && !w.html.empty()) text = HtmlToText(w.html);
  if (text.empty() && !w.enriched.empty()) text = EnrichedToText(w.enriched);
  out.body_text = WithoutSignature(std::move(text));
  for (Walk::Leaf& leaf : w.leaves) {
    const bool logo = !leaf.cid.empty() && !w.html.empty() &&
                      w.html.find("cid:" + leaf.cid) != std::string::npos &&
                      leaf.a.content_type.rfind("image/", 0) == 0;
    if (!logo) out.attachments.push_back(std::move(leaf.a));
  }
  if (!out.auto_submitted.empty() && out.auto_submitted != "no") out.is_report = true;
  if (out.has_null_return_path) out.is_report = true;
  return out;
}

}  // namespace faxgate::mail
