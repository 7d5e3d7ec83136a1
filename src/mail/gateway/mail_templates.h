// The templates of the mails faxgate writes: a stored template replaces the built-in one of the
// same name and language; a language without its own falls back to English.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "base/result.h"
#include "domain/user.h"
#include "mail/builtin_templates.h"
#include "mail/template_renderer.h"
#include "store/store.h"

namespace faxgate::mail {

struct TemplateListing {
  MailTemplate text;
  bool stored = false;  // false: the built-in text
  std::vector<std::string> placeholders;
};

struct RenderedMail {
  std::string subject;
  std::string body;
  std::vector<std::string> unknown_placeholders;  // for the preview: typos show up here
};

class MailTemplates {
 public:
  explicit MailTemplates(Store& store) : store_(store) {}

  MailTemplate Find(const std::string& name, const std::string& language);
  RenderedMail Render(const std::string& name, const std::string& language,
                      const TemplateValues& values);

  // Administration (REQUIREMENTS S4 "mail templates ... with preview").
  Result<std::vector<TemplateListing>> List(const User& actor);
  Status Put(const User& actor, const MailTemplateRecord& record);
  Status Revert(const User& actor, const std::string& name, const std::string& language);
  // Renders `draft` (or the current text when the draft is empty) with sample values.
  Result<RenderedMail> Preview(const User& actor, const std::string& name,
                               const std::string& language, const MailTemplate& draft);

 private:
  Status CheckAdmin(const User& actor) const;
  Status CheckKnown(const std::string& name, const std::string& language) const;

  Store& store_;
};

// Sample values for previews: a fax to two numbers with one failed attempt.
TemplateValues SampleTemplateValues(const std::string& name);

}  // namespace faxgate::mail
