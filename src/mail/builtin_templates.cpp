#include "mail/builtin_templates.h"

namespace faxgate::mail {

const std::vector<MailTemplate>& BuiltinTemplates() {
  static const std::vector<MailTemplate> templates = {
      {"fax_sent", "en", "Fax sent: {$TO}",
       "Your fax to {$TO} was sent.\n\n"
       "Subject:   {$SUBJECT}\n"
       "Pages:     {$PAGES}\n"
       "Finished:  {$DATE_TIME}\n"
       "Job:       {$JOB}\n"
       "Your mail: {$MAIL_SUBJECT}\n\n"
       "Attempts:\n{$RECORDS}\n"
       "-- \nfaxgate\n"},
      {"fax_sent", "zh-CN", "传真发送成功：{$TO}",
       "您发往 {$TO} 的传真已发送成功。\n\n"
       "主题：    {$SUBJECT}\n"
       "页数：    {$PAGES}\n"
       "完成时间：{$DATE_TIME}\n"
       "任务号：  {$JOB}\n"
       "原邮件：  {$MAIL_SUBJECT}\n\n"
       "发送记录：\n{$RECORDS}\n"
       "-- \nfaxgate 传真服务器\n"},
      {"fax_failed", "en", "Fax NOT sent: {$TO}",
       "Your fax to {$TO} could not be sent.\n\n"
       "Reason:    {$STATUS}\n"
       "Subject:   {$SUBJECT}\n"
       "Pages:     {$PAGES}\n"
       "Given up:  {$DATE_TIME}\n"
       "Job:       {$JOB}\n"
       "Your mail: {$MAIL_SUBJECT}\n\n"
       "Attempts:\n{$RECORDS}\n"
       "Check the number and send the fax again.\n"
       "-- \nfaxgate\n"},
      {"fax_failed", "zh-CN", "传真发送失败：{$TO}",
       "您发往 {$TO} 的传真未能发送。\n\n"
       "原因：    {$STATUS}\n"
       "主题：    {$SUBJECT}\n"
       "页数：    {$PAGES}\n"
       "结束时间：{$DATE_TIME}\n"
       "任务号：  {$JOB}\n"
       "原邮件：  {$MAIL_SUBJECT}\n\n"
       "发送记录：\n{$RECORDS}\n"
       "请核对号码后重新发送。\n"
       "-- \nfaxgate 传真服务器\n"},
      {"fax_received", "en", "{$SUBJECT}",
       "You have received a fax.\n\n"
       "From:          {$CALLER}\n"
       "Remote ident:  {$REMOTE_IDENT}\n"
       "To number:     {$CALLED}\n"
       "Pages:         {$PAGES}\n"
       "Received:      {$DATE_TIME}\n"
       "Duration:      {$DURATION}\n"
       "Signal rate:   {$BIT_RATE} bit/s\n"
       "Data format:   {$DATA_FORMAT}\n"
       "ECM:           {$ECM}\n"
       "Line:          {$LINE}\n"
       "Fax:           {$JOB}\n\n"
       "The pages are attached.\n"
       "-- \nfaxgate\n"},
      {"fax_received", "zh-CN", "{$SUBJECT}",
       "您收到一份传真。\n\n"
       "主叫号码：  {$CALLER}\n"
       "对方标识：  {$REMOTE_IDENT}\n"
       "被叫号码：  {$CALLED}\n"
       "页数：      {$PAGES}\n"
       "接收时间：  {$DATE_TIME}\n"
       "通话时长：  {$DURATION}\n"
       "速率：      {$BIT_RATE} bit/s\n"
       "编码：      {$DATA_FORMAT}\n"
       "纠错(ECM)： {$ECM}\n"
       "线路：      {$LINE}\n"
       "传真编号：  {$JOB}\n\n"
       "传真页面见附件。\n"
       "-- \nfaxgate 传真服务器\n"},
      {"mail_rejected", "en", "Your mail was not faxed: {$MAIL_SUBJECT}",
       "Your mail \"{$MAIL_SUBJECT}\" ({$DATE_TIME}) was not faxed.\n\n"
       "Reason: {$REASON}\n\n"
       "Write the recipients in the subject as 86-755-83235170/Name; 83235180/Name and\n"
       "attach the documents to fax.\n"
       "-- \nfaxgate\n"},
      {"mail_rejected", "zh-CN", "您的邮件未能发送传真：{$MAIL_SUBJECT}",
       "您的邮件“{$MAIL_SUBJECT}”（{$DATE_TIME}）未能发送传真。\n\n"
       "原因：{$REASON}\n\n"
       "请在邮件主题中按“86-755-83235170/姓名; 83235180/姓名”的格式填写收件人，\n"
       "并将要传真的文件作为附件。\n"
       "-- \nfaxgate 传真服务器\n"},
  };
  return templates;
}

std::optional<MailTemplate> FindBuiltinTemplate(std::string_view name, std::string_view language) {
  for (const MailTemplate& t : BuiltinTemplates())
    if (t.name == name && t.language == language) return t;
  return std::nullopt;
}

std::vector<std::string> KnownPlaceholders(std::string_view template_name) {
  if (template_name == "fax_received") {
    return {"SUBJECT",  "CALLER",      "REMOTE_IDENT", "CALLED", "PAGES", "DATE_TIME", "DURATION",
            "BIT_RATE", "DATA_FORMAT", "ECM",          "LINE",   "JOB",   "STATUS"};
  }
  if (template_name == "mail_rejected") return {"MAIL_SUBJECT", "REASON", "FROM", "DATE_TIME"};
  return {"SUBJECT", "TO",     "FROM",  "MAIL_SUBJECT", "DATE_TIME",
          "RECORDS", "STATUS", "PAGES", "JOB"};
}

}  // namespace faxgate::mail
