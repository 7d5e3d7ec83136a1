// The mail templates faxgate ships, in English and Simplified Chinese. Administrators replace
// them through the API (stored templates win).
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

const std::vector<MailTemplate>& BuiltinTemplates();
std::optional<MailTemplate> FindBuiltinTemplate(std::string_view name, std::string_view language);
// The placeholders a template of this name is given values for.
std::vector<std::string> KnownPlaceholders(std::string_view template_name);

}  // namespace faxgate::mail
