// Cover page templates as users pick them: the built-in ones (document/cover_templates.h) and
// those administrators store, a stored template replacing a built-in one of the same name.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "base/result.h"
#include "document/cover_page.h"
#include "document/page_format.h"
#include "domain/user.h"
#include "store/spool.h"
#include "store/store.h"

namespace faxgate {

struct CoverTemplateView {
  CoverTemplateRecord record;
  bool builtin = false;  // a built-in name (possibly replaced by a stored template)
  bool stored = false;
};

class CoverTemplateService {
 public:
  CoverTemplateService(Store& store, Spool& spool) : store_(store), spool_(spool) {}

  Result<std::vector<CoverTemplateView>> List();
  // kNotFound "no cover page template 'x'; the templates are: plain, business, ...".
  Result<CoverTemplateView> Get(const std::string& name);
  // Administrators only. The SVG is checked (parses, no external references, size) first.
  Status Put(const User& by, const CoverTemplateRecord& record);
  Status Delete(const User& by, const std::string& name);
  // A PNG of the template filled with sample (or given) fields, as the portal previews it.
  Result<std::string> PreviewPng(const std::string& svg, const CoverFields& fields,
                                 const PageFormat& format, int width);

 private:
  Store& store_;
  Spool& spool_;
};

}  // namespace faxgate
