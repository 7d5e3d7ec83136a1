#include "mail/mime_reader.h"

#include <cctype>
#include <unordered_set>

#include <fmt/format.h>

#include "mail/gmime_support.h"
#include "mail/mime_text.h"

namespace faxgate::mail {
namespace {

using gmime::CharPtr;
using gmime::Ptr;

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

// ---- Headers ----

// The header's text as written, unfolded; empty when absent.
std::string RawHeader(GMimeObject* o, const char* name) {
  GMimeHeader* h = g_mime_header_list_get_header(g_mime_object_get_header_list(o), name);
  const char* raw = h ? g_mime_header_get_raw_value(h) : nullptr;
  if (!raw) return "";
  CharPtr unfolded(g_mime_utils_header_unfold(raw));
  return Trim(unfolded ? unfolded.get() : raw);
}

// Every header of that name, unfolded, one a line.
std::string AllRawHeaders(GMimeObject* o, std::string_view name) {
  GMimeHeaderList* list = g_mime_object_get_header_list(o);
  std::string out;
  for (int i = 0; i < g_mime_header_list_get_count(list); ++i) {
    GMimeHeader* h = g_mime_header_list_get_header_at(list, i);
    const char* n = g_mime_header_get_name(h);
    const char* raw = g_mime_header_get_raw_value(h);
    if (!n || !raw || Lower(n) != Lower(name)) continue;
    CharPtr unfolded(g_mime_utils_header_unfold(raw));
    if (!out.empty()) out += '\n';
    out += Trim(unfolded ? unfolded.get() : raw);
  }
  return out;
}

// Unstructured text (Subject): encoded words decoded, GB2312 labels read as GB18030.
std::string DecodedText(const std::string& raw) {
  if (raw.empty()) return "";
  const std::string labelled = gmime::WithGb18030Labels(raw);
  CharPtr text(g_mime_utils_header_decode_text(gmime::ParserOptions(), labelled.c_str()));
  return gmime::ValidUtf8(text ? text.get() : "");
}

std::string StripAngles(std::string_view s) {
  std::string t = Trim(s);
  const size_t open = t.find('<');
  const size_t close = open == std::string::npos ? std::string::npos : t.find('>', open);
  if (close != std::string::npos)
    return Trim(std::string_view(t).substr(open + 1, close - open - 1));
  return t;
}

std::string MailboxAddress(InternetAddress* a) {
  const char* addr = internet_address_mailbox_get_addr(INTERNET_ADDRESS_MAILBOX(a));
  std::string s = gmime::ValidUtf8(addr ? addr : "");
  if (const size_t at = s.rfind('@'); at != std::string::npos)
    s = s.substr(0, at + 1) + Lower(s.substr(at + 1));
  return s;
}

struct Mailbox {
  std::string address;
  std::string name;
};

void CollectMailboxes(InternetAddressList* list, std::vector<Mailbox>& out, int depth = 0) {
  if (!list || depth > 2) return;
  for (int i = 0; i < internet_address_list_length(list); ++i) {
    InternetAddress* a = internet_address_list_get_address(list, i);
    if (INTERNET_ADDRESS_IS_GROUP(a)) {
      CollectMailboxes(internet_address_group_get_members(INTERNET_ADDRESS_GROUP(a)), out,
                       depth + 1);
    } else if (INTERNET_ADDRESS_IS_MAILBOX(a)) {
      const char* name = internet_address_get_name(a);
      out.push_back({MailboxAddress(a), gmime::ValidUtf8(name ? name : "")});
    }
  }
}

// The mailboxes of an address header (From, To, ...), names decoded as DecodedText does.
std::vector<Mailbox> Mailboxes(GMimeObject* o, const char* header) {
  std::vector<Mailbox> out;
  const std::string raw = RawHeader(o, header);
  if (raw.empty()) return out;
  const std::string labelled = gmime::WithGb18030Labels(raw);
  Ptr<InternetAddressList> list(
      internet_address_list_parse(gmime::ParserOptions(), labelled.c_str()));
  CollectMailboxes(list.get(), out);
  return out;
}

Mailbox FirstMailbox(GMimeObject* o, const char* header) {
  std::vector<Mailbox> all = Mailboxes(o, header);
  return all.empty() ? Mailbox{} : std::move(all.front());
}

void ReadHeaders(GMimeMessage* message, ParsedMail& out) {
  GMimeObject* top = GMIME_OBJECT(message);
  if (const char* id = g_mime_message_get_message_id(message))
    out.message_id = gmime::ValidUtf8(id);
  Mailbox from = FirstMailbox(top, "From");
  out.from_address = std::move(from.address);
  out.from_name = std::move(from.name);
  out.reply_to = FirstMailbox(top, "Reply-To").address;
  for (Mailbox& m : Mailboxes(top, "To")) out.to.push_back(std::move(m.address));
  const std::string return_path = RawHeader(top, "Return-Path");
  if (!return_path.empty()) {
    out.return_path = StripAngles(return_path);
    out.has_null_return_path = out.return_path.empty();
  }
  out.subject = DecodedText(RawHeader(top, "Subject"));
  out.date = gmime::ValidUtf8(RawHeader(top, "Date"));
  out.in_reply_to = gmime::ValidUtf8(StripAngles(RawHeader(top, "In-Reply-To")));
  out.references = gmime::ValidUtf8(RawHeader(top, "References"));
  out.disposition_notification_to = FirstMailbox(top, "Disposition-Notification-To").address;
  out.auto_submitted = gmime::ValidUtf8(RawHeader(top, "Auto-Submitted"));
  out.authentication_results = gmime::ValidUtf8(AllRawHeaders(top, "Authentication-Results"));
}

// ---- Parts ----

std::string CleanFileName(std::string_view name) {
  std::string valid = gmime::ValidUtf8(name);
  if (const size_t slash = valid.find_last_of("/\\"); slash != std::string::npos)
    valid.erase(0, slash + 1);  // "C:\docs\a.pdf", "../../a.pdf": only the name is ours
  std::string out;
  for (char c : valid) {
    if (static_cast<unsigned char>(c) >= 0x20 && c != 0x7F) out += c;
  }
  out = Trim(out);
  return out == "." || out == ".." ? "" : out;
}

// The part's file name. GMime reads GB2312 labels as GBK; when the headers have such labels
// they are read again as GB18030.
std::string FileName(GMimePart* part) {
  GMimeObject* o = GMIME_OBJECT(part);
  const std::string disposition = RawHeader(o, "Content-Disposition");
  const std::string type = RawHeader(o, "Content-Type");
  const std::string gb_disposition = gmime::WithGb18030Labels(disposition);
  const std::string gb_type = gmime::WithGb18030Labels(type);
  if (gb_disposition != disposition || gb_type != type) {
    if (!disposition.empty()) {
      Ptr<GMimeContentDisposition> d(
          g_mime_content_disposition_parse(gmime::ParserOptions(), gb_disposition.c_str()));
      const char* name =
          d ? g_mime_content_disposition_get_parameter(d.get(), "filename") : nullptr;
      if (name && *name) return CleanFileName(name);
    }
    if (!type.empty()) {
      Ptr<GMimeContentType> t(g_mime_content_type_parse(gmime::ParserOptions(), gb_type.c_str()));
      const char* name = t ? g_mime_content_type_get_parameter(t.get(), "name") : nullptr;
      if (name && *name) return CleanFileName(name);
    }
  }
  const char* name = g_mime_part_get_filename(part);
  return name ? CleanFileName(name) : "";
}

std::string MimeType(GMimeObject* o) {
  GMimeContentType* ct = g_mime_object_get_content_type(o);
  CharPtr mime(ct ? g_mime_content_type_get_mime_type(ct) : nullptr);
  return mime ? Lower(mime.get()) : "application/octet-stream";
}

// "cid:" references of an HTML text, lower case.
void CollectCids(std::string_view html, std::unordered_set<std::string>& cids) {
  const std::string lower = Lower(html);
  for (size_t pos = lower.find("cid:"); pos != std::string::npos;
       pos = lower.find("cid:", pos + 4)) {
    const size_t end = lower.find_first_of("\"' >)\r\n", pos + 4);
    cids.insert(lower.substr(pos + 4, end == std::string::npos ? end : end - pos - 4));
  }
}

struct Walk {
  const MimeLimits& limits;
  size_t parts = 0;
  bool too_many = false;
  bool too_deep = false;
  bool has_plain = false, has_html = false, has_enriched = false;
  std::string plain, html, enriched;
  std::unordered_set<std::string> cids_in_html;
  struct Leaf {
    MailAttachment attachment;
    std::string cid;  // lower case
  };
  std::vector<Leaf> leaves;
};

void Visit(GMimeObject* object, Walk& w, int depth, bool in_alternative);

// Takes the part as body text; false when it is an attachment instead.
bool ReadAsBody(GMimePart* part, const std::string& type, Walk& w, bool in_alternative) {
  if (!GMIME_IS_TEXT_PART(part) || g_mime_part_is_attachment(part)) return false;
  const char* filename = g_mime_part_get_filename(part);
  if (filename && *filename) return false;  // a named text file is a document to send
  if (type != "text/plain" && type != "text/html" && type != "text/enriched") return false;
  const char* charset = g_mime_object_get_content_type_parameter(GMIME_OBJECT(part), "charset");
  std::string text = gmime::ToUtf8(gmime::DecodedContent(part), charset ? charset : "");
  if (type == "text/plain") {
    if (!w.has_plain) {
      w.plain = std::move(text);
      w.has_plain = true;
    } else if (!in_alternative) {
      // Mail clients split a body around inline images into several text parts.
      if (!w.plain.empty() && w.plain.back() != '\n') w.plain += '\n';
      w.plain += text;
    }
  } else if (type == "text/html") {
    CollectCids(text, w.cids_in_html);
    if (!w.has_html) {
      w.html = std::move(text);
      w.has_html = true;
    }
  } else if (!w.has_enriched) {
    w.enriched = std::move(text);
    w.has_enriched = true;
  }
  return true;
}

void VisitLeaf(GMimePart* part, Walk& w, bool in_alternative) {
  GMimeObject* o = GMIME_OBJECT(part);
  const std::string type = MimeType(o);
  if (ReadAsBody(part, type, w, in_alternative)) return;
  Walk::Leaf leaf;
  leaf.attachment.file_name = FileName(part);
  leaf.attachment.content_type = type;
  leaf.attachment.bytes = gmime::DecodedContent(part);
  if (const char* cid = g_mime_object_get_content_id(o)) leaf.cid = Lower(cid);
  w.leaves.push_back(std::move(leaf));
}

void Visit(GMimeObject* object, Walk& w, int depth, bool in_alternative) {
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
    GMimeMultipart* multipart = GMIME_MULTIPART(object);
    GMimeContentType* ct = g_mime_object_get_content_type(object);
    const bool alternative = ct && g_mime_content_type_is_type(ct, "multipart", "alternative");
    for (int i = 0; i < g_mime_multipart_get_count(multipart); ++i)
      Visit(g_mime_multipart_get_part(multipart, i), w, depth + 1, alternative);
  } else if (GMIME_IS_MESSAGE_PART(object)) {
    GMimeMessage* inner = g_mime_message_part_get_message(GMIME_MESSAGE_PART(object));
    if (GMimeObject* body = inner ? g_mime_message_get_mime_part(inner) : nullptr)
      Visit(body, w, depth + 1, false);
  } else if (GMIME_IS_PART(object)) {
    VisitLeaf(GMIME_PART(object), w, in_alternative);
  }
}

// LF line ends, ending in one; the signature ("-- " on a line of its own, and what follows)
// removed.
std::string BodyText(std::string text) {
  std::string lf;
  lf.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '\r') {
      lf += text[i];
    } else if (i + 1 >= text.size() || text[i + 1] != '\n') {
      lf += '\n';  // a lone CR ends a line too
    }
  }
  if (lf.rfind("-- \n", 0) == 0 || lf == "-- ") return "";
  if (const size_t sig = lf.find("\n-- \n"); sig != std::string::npos) {
    lf.resize(sig + 1);
  } else if (lf.ends_with("\n-- ")) {
    lf.resize(lf.size() - 3);
  }
  // The line break before a boundary belongs to the boundary (RFC 2046 §5.1.1): give the text
  // its last line end back, as a single-part mail has it.
  if (!lf.empty() && lf.back() != '\n') lf += '\n';
  return lf;
}

bool IsAutomatic(const std::string& auto_submitted) {
  const std::string token = Lower(Trim(auto_submitted.substr(0, auto_submitted.find(';'))));
  return !token.empty() && token != "no";
}

}  // namespace

Result<ParsedMail> ParseMail(std::string_view raw, const MimeLimits& limits) {
  FG_ASSIGN_OR_RETURN(Ptr<GMimeMessage> message, gmime::ParseMessage(raw, limits));
  ParsedMail out;
  ReadHeaders(message.get(), out);
  Walk w{limits};
  if (GMimeObject* body = g_mime_message_get_mime_part(message.get())) {
    GMimeContentType* ct = g_mime_object_get_content_type(body);
    if (ct && g_mime_content_type_is_type(ct, "multipart", "report")) out.is_report = true;
    Visit(body, w, 0, false);
  }
  if (w.too_many) {
    return MakeError(ErrorCode::kInvalidArgument,
                     fmt::format("the message has more than {} parts", limits.max_parts));
  }
  if (w.too_deep) {
    return MakeError(
        ErrorCode::kInvalidArgument,
        fmt::format("the message has parts nested more than {} deep", limits.max_depth));
  }
  const bool blank_plain = w.plain.find_first_not_of(" \t\r\n") == std::string::npos;
  if (w.has_plain && (!blank_plain || (!w.has_html && !w.has_enriched))) {
    out.body_text = BodyText(std::move(w.plain));
  } else if (w.has_html) {  // also when the text/plain alternative is left empty
    out.body_text = BodyText(HtmlToText(w.html));
  } else if (w.has_enriched) {
    out.body_text = BodyText(EnrichedToText(w.enriched));
  }
  for (Walk::Leaf& leaf : w.leaves) {
    const bool logo = !leaf.cid.empty() && w.cids_in_html.count(leaf.cid) &&
                      leaf.attachment.content_type.starts_with("image/");
    if (!logo) out.attachments.push_back(std::move(leaf.attachment));
  }
  if (IsAutomatic(out.auto_submitted) || out.has_null_return_path) out.is_report = true;
  return out;
}

}  // namespace faxgate::mail
