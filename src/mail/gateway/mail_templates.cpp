#include "mail/gateway/mail_templates.h"

#include <algorithm>

#include <fmt/format.h>

namespace faxgate::mail {
namespace {

std::vector<std::string> Unknown(const MailTemplate& t, const std::string& name) {
  const std::vector<std::string> known = KnownPlaceholders(name);
  std::vector<std::string> unknown = UnknownPlaceholders(t.subject, known);
  for (std::string& u : UnknownPlaceholders(t.body, known)) {
    if (std::find(unknown.begin(), unknown.end(), u) == unknown.end()) unknown.push_back(u);
  }
  return unknown;
}

}  // namespace

MailTemplate MailTemplates::Find(const std::string& name, const std::string& language) {
  if (auto stored = store_.ListMailTemplates(); stored.ok()) {
    for (const MailTemplateRecord& r : *stored) {
      if (r.name == name && r.language == language) return {r.name, r.language, r.subject, r.body};
    }
  }
  if (auto builtin = FindBuiltinTemplate(name, language)) return *builtin;
  if (language != "en") return Find(name, "en");
  return {name, language, name, ""};
}

RenderedMail MailTemplates::Render(const std::string& name, const std::string& language,
                                   const TemplateValues& values) {
  MailTemplate t = Find(name, language);
  return {RenderTemplate(t.subject, values), RenderTemplate(t.body, values), Unknown(t, name)};
}

Status MailTemplates::CheckAdmin(const User& actor) const {
  if (!IsAdmin(actor.role)) {
    return MakeError(ErrorCode::kPermissionDenied, "only administrators may change mail templates");
  }
  return Status::Ok();
}

Status MailTemplates::CheckKnown(const std::string& name, const std::string& language) const {
  if (!FindBuiltinTemplate(name, "en")) {
    std::string names;
    for (const MailTemplate& t : BuiltinTemplates())
      if (t.language == "en") names += (names.empty() ? "" : ", ") + t.name;
    return MakeError(ErrorCode::kNotFound,
                     fmt::format("no mail template '{}'; the templates are {}", name, names));
  }
  if (language != "en" && language != "zh-CN") {
    return MakeError(ErrorCode::kInvalidArgument,
                     fmt::format("language '{}': use en or zh-CN", language));
  }
  return Status::Ok();
}

Result<std::vector<TemplateListing>> MailTemplates::List(const User& actor) {
  FG_RETURN_IF_ERROR(CheckAdmin(actor));
  FG_ASSIGN_OR_RETURN(std::vector<MailTemplateRecord> stored, store_.ListMailTemplates());
  std::vector<TemplateListing> out;
  for (const MailTemplate& b : BuiltinTemplates()) {
    TemplateListing l;
    l.text = b;
    for (const MailTemplateRecord& r : stored) {
      if (r.name == b.name && r.language == b.language) {
        l.text = {r.name, r.language, r.subject, r.body};
        l.stored = true;
      }
    }
    l.placeholders = KnownPlaceholders(b.name);
    out.push_back(std::move(l));
  }
  return out;
}

Status MailTemplates::Put(const User& actor, const MailTemplateRecord& record) {
  FG_RETURN_IF_ERROR(CheckAdmin(actor));
  FG_RETURN_IF_ERROR(CheckKnown(record.name, record.language));
  if (record.subject.empty() || record.subject.size() > 998 || record.body.size() > 100000) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "a template needs a subject (at most 998 bytes) and a body of at most 100 kB");
  }
  return store_.PutMailTemplate(record);
}

Status MailTemplates::Revert(const User& actor, const std::string& name,
                             const std::string& language) {
  FG_RETURN_IF_ERROR(CheckAdmin(actor));
  FG_RETURN_IF_ERROR(CheckKnown(name, language));
  return store_.DeleteMailTemplate(name, language);
}

Result<RenderedMail> MailTemplates::Preview(const User& actor, const std::string& name,
                                            const std::string& language,
                                            const MailTemplate& draft) {
  FG_RETURN_IF_ERROR(CheckAdmin(actor));
  FG_RETURN_IF_ERROR(CheckKnown(name, language));
  MailTemplate t = draft.subject.empty() && draft.body.empty() ? Find(name, language) : draft;
  const TemplateValues values = SampleTemplateValues(name);
  return RenderedMail{RenderTemplate(t.subject, values), RenderTemplate(t.body, values),
                      Unknown(t, name)};
}

TemplateValues SampleTemplateValues(const std::string& name) {
  TemplateValues v;
  v.fields = {{"SUBJECT", "Quarterly report / 季度报告"},
              {"TO", "+86 755 8323 5170 (Acme 张三)"},
              {"FROM", "demo"},
              {"MAIL_SUBJECT", "86-755-83235170/张三"},
              {"DATE_TIME", "2026-11-22 14:05"},
              {"STATUS", "failed: busy"},
              {"PAGES", "3"},
              {"JOB", "42"},
              {"REASON", "recipient 1: \"86-75x\" is not a number"},
              {"CALLER", "+86 755 8323 5180"},
              {"REMOTE_IDENT", "ACME FAX"},
              {"CALLED", "8001"},
              {"DURATION", "1 min 12 s"},
              {"BIT_RATE", "14400"},
              {"DATA_FORMAT", "MMR"},
              {"ECM", "yes"},
              {"LINE", "loopback"}};
  if (name == "fax_sent" || name == "fax_failed") {
    v.records_header_and_rows = {
        {"#", "Time", "Result", "Pages"}, {"1", "14:01", "busy", "0"}, {"2", "14:05", "sent", "3"}};
  }
  return v;
}

}  // namespace faxgate::mail
