#include "mail/builtin_templates.h"

namespace faxgate::mail {
namespace {

// Plain text, lines under 78 characters (RFC 5322), "-- " before the signature so that mail
// clients fold it away. Chinese labels end in a full-width colon and are not padded.

constexpr const char* kFaxSentEn =
    "Your fax to {$TO} has been sent.\n"
    "\n"
    "Subject:     {$SUBJECT}\n"
    "Pages sent:  {$PAGES}\n"
    "Completed:   {$DATE_TIME}\n"
    "Sent by:     {$FROM}\n"
    "Job number:  {$JOB}\n"
    "Your mail:   {$MAIL_SUBJECT}\n"
    "\n"
    "Transmission attempts:\n"
    "{$RECORDS}\n"
    "-- \n"
    "faxgate fax server. This message was sent automatically.\n";

constexpr const char* kFaxSentZh =
    "您发往 {$TO} 的传真已成功发送。\n"
    "\n"
    "传真主题：{$SUBJECT}\n"
    "已发页数：{$PAGES}\n"
    "完成时间：{$DATE_TIME}\n"
    "发送人：{$FROM}\n"
    "任务编号：{$JOB}\n"
    "原邮件主题：{$MAIL_SUBJECT}\n"
    "\n"
    "发送记录：\n"
    "{$RECORDS}\n"
    "-- \n"
    "faxgate 传真服务器（本邮件由系统自动发送）\n";

constexpr const char* kFaxFailedEn =
    "Your fax to {$TO} could not be sent.\n"
    "\n"
    "Reason:      {$STATUS}\n"
    "Subject:     {$SUBJECT}\n"
    "Pages sent:  {$PAGES}\n"
    "Last try:    {$DATE_TIME}\n"
    "Sent by:     {$FROM}\n"
    "Job number:  {$JOB}\n"
    "Your mail:   {$MAIL_SUBJECT}\n"
    "\n"
    "Transmission attempts:\n"
    "{$RECORDS}\n"
    "Please check the fax number and send the fax again. If the problem persists,\n"
    "contact your fax administrator.\n"
    "\n"
    "-- \n"
    "faxgate fax server. This message was sent automatically.\n";

constexpr const char* kFaxFailedZh =
    "很抱歉，您发往 {$TO} 的传真未能发送成功。\n"
    "\n"
    "失败原因：{$STATUS}\n"
    "传真主题：{$SUBJECT}\n"
    "已发页数：{$PAGES}\n"
    "最后尝试：{$DATE_TIME}\n"
    "发送人：{$FROM}\n"
    "任务编号：{$JOB}\n"
    "原邮件主题：{$MAIL_SUBJECT}\n"
    "\n"
    "发送记录：\n"
    "{$RECORDS}\n"
    "请核对传真号码后重新发送。如问题仍然存在，请与传真管理员联系。\n"
    "\n"
    "-- \n"
    "faxgate 传真服务器（本邮件由系统自动发送）\n";

constexpr const char* kFaxReceivedEn =
    "You have received a fax. The pages are attached.\n"
    "\n"
    "From number:       {$CALLER}\n"
    "Sender's fax ID:   {$REMOTE_IDENT}\n"
    "To number:         {$CALLED}\n"
    "Pages:             {$PAGES}\n"
    "Received:          {$DATE_TIME}\n"
    "Duration:          {$DURATION}\n"
    "Signal rate:       {$BIT_RATE} bit/s\n"
    "Data format:       {$DATA_FORMAT}\n"
    "Error correction:  {$ECM}\n"
    "Line:              {$LINE}\n"
    "Reference:         {$JOB}\n"
    "\n"
    "-- \n"
    "faxgate fax server. This message was sent automatically.\n";

constexpr const char* kFaxReceivedZh =
    "您收到一份新传真，传真页面见附件。\n"
    "\n"
    "主叫号码：{$CALLER}\n"
    "对方传真标识：{$REMOTE_IDENT}\n"
    "被叫号码：{$CALLED}\n"
    "页数：{$PAGES}\n"
    "接收时间：{$DATE_TIME}\n"
    "通信时长：{$DURATION}\n"
    "传输速率：{$BIT_RATE} bit/s\n"
    "数据格式：{$DATA_FORMAT}\n"
    "纠错模式（ECM）：{$ECM}\n"
    "接收线路：{$LINE}\n"
    "记录编号：{$JOB}\n"
    "\n"
    "-- \n"
    "faxgate 传真服务器（本邮件由系统自动发送）\n";

constexpr const char* kMailRejectedEn =
    "Your mail \"{$MAIL_SUBJECT}\" of {$DATE_TIME} was not faxed.\n"
    "Nothing has been sent.\n"
    "\n"
    "Reason: {$REASON}\n"
    "\n"
    "To send a fax by mail, write the recipients' fax numbers in the subject,\n"
    "separated by semicolons, each optionally followed by \"/\" and the recipient's\n"
    "name, and attach the documents to fax. For example:\n"
    "\n"
    "    86-755-83235170/Zhang San; 83235180/Li Si\n"
    "\n"
    "If your administrator requires a password, end the subject with \":\" and your\n"
    "faxgate password.\n"
    "\n"
    "-- \n"
    "faxgate fax server. This reply was sent automatically to {$FROM}.\n";

constexpr const char* kMailRejectedZh =
    "您于 {$DATE_TIME} 发送的邮件“{$MAIL_SUBJECT}”未能转为传真，所有传真均未发送。\n"
    "\n"
    "原因：{$REASON}\n"
    "\n"
    "通过邮件发送传真时，请在邮件主题中填写收件人的传真号码，多个收件人之间用分号\n"
    "分隔，号码后可加“/”和收件人姓名，并将需要传真的文件作为附件。例如：\n"
    "\n"
    "    86-755-83235170/张三; 83235180/李四\n"
    "\n"
    "如管理员要求密码验证，请在主题末尾加上“:”和您的 faxgate 密码。\n"
    "\n"
    "-- \n"
    "faxgate 传真服务器（本邮件由系统自动回复至 {$FROM}）\n";

}  // namespace

const std::vector<MailTemplate>& BuiltinTemplates() {
  static const std::vector<MailTemplate> templates = {
      {"fax_sent", "en", "Fax sent to {$TO}", kFaxSentEn},
      {"fax_sent", "zh-CN", "传真已成功发送至 {$TO}", kFaxSentZh},
      {"fax_failed", "en", "Fax to {$TO} could not be sent", kFaxFailedEn},
      {"fax_failed", "zh-CN", "传真发送失败：{$TO}", kFaxFailedZh},
      {"fax_received", "en", "{$SUBJECT}", kFaxReceivedEn},
      {"fax_received", "zh-CN", "{$SUBJECT}", kFaxReceivedZh},
      {"mail_rejected", "en", "Your mail was not faxed: {$MAIL_SUBJECT}", kMailRejectedEn},
      {"mail_rejected", "zh-CN", "您的邮件未能转为传真：{$MAIL_SUBJECT}", kMailRejectedZh},
  };
  return templates;
}

std::optional<MailTemplate> FindBuiltinTemplate(std::string_view name, std::string_view language) {
  for (const MailTemplate& t : BuiltinTemplates())
    if (t.name == name && t.language == language) return t;
  return std::nullopt;
}

std::vector<std::string> KnownPlaceholders(std::string_view template_name) {
  if (template_name == "fax_sent" || template_name == "fax_failed") {
    return {"SUBJECT", "TO",     "FROM",  "MAIL_SUBJECT", "DATE_TIME",
            "RECORDS", "STATUS", "PAGES", "JOB"};
  }
  if (template_name == "fax_received") {
    return {"SUBJECT",  "CALLER",      "REMOTE_IDENT", "CALLED", "PAGES", "DATE_TIME", "DURATION",
            "BIT_RATE", "DATA_FORMAT", "ECM",          "LINE",   "JOB",   "STATUS"};
  }
  if (template_name == "mail_rejected") return {"MAIL_SUBJECT", "REASON", "FROM", "DATE_TIME"};
  return {};
}

}  // namespace faxgate::mail
