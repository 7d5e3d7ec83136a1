// The mail templates faxgate ships, in English and Simplified Chinese. Administrators replace
// them through the API (stored templates win, see gateway/mail_templates.h).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace faxgate::mail {

struct MailTemplate {
  std::string name;      // "fax_sent", "fax_failed", "fax_received", "mail_rejected"
  std::string language;  // "en", "zh-CN"
  std::string subject;
  std::string body;
};

// Every name in every language:
//   fax_sent, fax_failed  the result of a fax sent by mail:
//                         {$SUBJECT} {$TO} {$FROM} {$MAIL_SUBJECT} {$DATE_TIME} {$RECORDS}
//                         {$STATUS} {$PAGES} {$JOB}
//   fax_received          the text part of an OnRamp mail about a received fax:
//                         {$SUBJECT} {$CALLER} {$REMOTE_IDENT} {$CALLED} {$PAGES} {$DATE_TIME}
//                         {$DURATION} {$BIT_RATE} {$DATA_FORMAT} {$ECM} {$LINE} {$JOB} {$STATUS}
//   mail_rejected         the reply to a mail that could not be faxed:
//                         {$MAIL_SUBJECT} {$REASON} {$FROM} {$DATE_TIME}
const std::vector<MailTemplate>& BuiltinTemplates();
std::optional<MailTemplate> FindBuiltinTemplate(std::string_view name, std::string_view language);
// The placeholders a template of this name is given values for (above); empty for other names.
std::vector<std::string> KnownPlaceholders(std::string_view template_name);

}  // namespace faxgate::mail
