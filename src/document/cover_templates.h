// The cover page templates built into faxgate. A template stored under the same name
// (domain/user.h CoverTemplateRecord) replaces the built-in one.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace faxgate {

struct CoverTemplate {
  std::string name;   // "plain", "business", "chinese-business"
  std::string title;  // what the portal shows
  std::string svg;    // A4 portrait, {$FIELD} placeholders (cover_page.h)
};

const std::vector<CoverTemplate>& BuiltinCoverTemplates();
// nullptr when there is no built-in template of that name.
const CoverTemplate* FindBuiltinCoverTemplate(std::string_view name);

}  // namespace faxgate
