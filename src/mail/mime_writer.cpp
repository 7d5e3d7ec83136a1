#include "mail/mime_writer.h"

#include "mail/gmime_support.h"

namespace faxgate::mail {
namespace {

using gmime::Ptr;

GMimePart* AttachmentPart(const OutgoingAttachment& a) {
  const size_t slash = a.content_type.find('/');
  const std::string type =
      slash == std::string::npos ? "application" : a.content_type.substr(0, slash);
  const std::string subtype =
      slash == std::string::npos ? "octet-stream" : a.content_type.substr(slash + 1);
  GMimePart* part = g_mime_part_new_with_type(type.c_str(), subtype.c_str());
  for (const auto& [k, v] : a.content_type_params)
    g_mime_object_set_content_type_parameter(GMIME_OBJECT(part), k.c_str(), v.c_str());
  Ptr<GMimeStream> data(g_mime_stream_mem_new_with_buffer(a.bytes.data(), a.bytes.size()));
  Ptr<GMimeDataWrapper> wrapper(
      g_mime_data_wrapper_new_with_stream(data.get(), GMIME_CONTENT_ENCODING_DEFAULT));
  g_mime_part_set_content(part, wrapper.get());
  if (!a.file_name.empty()) g_mime_part_set_filename(part, a.file_name.c_str());
  if (a.inline_disposition) g_mime_object_set_disposition(GMIME_OBJECT(part), "inline");
  if (!a.content_id.empty()) g_mime_object_set_content_id(GMIME_OBJECT(part), a.content_id.c_str());
  g_mime_part_set_content_encoding(part, GMIME_CONTENT_ENCODING_BASE64);
  return part;
}

}  // namespace

std::string BuildMessage(const OutgoingMessage& m, bool seven_bit) {
  gmime::Init();
  Ptr<GMimeMessage> msg(g_mime_message_new(TRUE));
  g_mime_message_add_mailbox(msg.get(), GMIME_ADDRESS_TYPE_FROM, m.from_name.c_str(),
                             m.from_address.c_str());
  for (const std::string& to : m.to)
    g_mime_message_add_mailbox(msg.get(), GMIME_ADDRESS_TYPE_TO, nullptr, to.c_str());
  g_mime_message_set_subject(msg.get(), m.subject.c_str(), "utf-8");
  g_mime_message_set_message_id(msg.get(), m.message_id.c_str());
  GDateTime* now = g_date_time_new_now_local();
  g_mime_message_set_date(msg.get(), now);
  g_date_time_unref(now);
  GMimeObject* object = GMIME_OBJECT(msg.get());
  if (!m.in_reply_to.empty()) {
    const std::string v = "<" + m.in_reply_to + ">";
    g_mime_object_set_header(object, "In-Reply-To", v.c_str(), nullptr);
  }
  if (!m.references.empty())
    g_mime_object_set_header(object, "References", m.references.c_str(), nullptr);
  for (const auto& [name, value] : m.extra_headers)
    g_mime_object_set_header(object, name.c_str(), value.c_str(), nullptr);

  Ptr<GMimeTextPart> text(g_mime_text_part_new_with_subtype("plain"));
  g_mime_text_part_set_text(text.get(), m.text_body.c_str());
  if (m.attachments.empty()) {
    g_mime_message_set_mime_part(msg.get(), GMIME_OBJECT(text.get()));
  } else {
    Ptr<GMimeMultipart> mixed(g_mime_multipart_new_with_subtype("mixed"));
    g_mime_multipart_add(mixed.get(), GMIME_OBJECT(text.get()));
    for (const OutgoingAttachment& a : m.attachments) {
      Ptr<GMimePart> part(AttachmentPart(a));
      g_mime_multipart_add(mixed.get(), GMIME_OBJECT(part.get()));
    }
    g_mime_message_set_mime_part(msg.get(), GMIME_OBJECT(mixed.get()));
  }
  if (seven_bit) g_mime_object_encode(object, GMIME_ENCODING_CONSTRAINT_7BIT);
  return gmime::WireText(object);
}

}  // namespace faxgate::mail
