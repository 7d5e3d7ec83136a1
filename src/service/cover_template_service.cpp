#include "service/cover_template_service.h"

#include <algorithm>
#include <map>
#include <system_error>

#include <fmt/format.h>

#include "base/files.h"
#include "base/log.h"
#include "document/cover_templates.h"
#include "document/fax_page_writer.h"
#include "document/halftone.h"
#include "document/received_outputs.h"

namespace faxgate {
namespace {

Status CheckName(const std::string& name) {
  const bool ok =
      !name.empty() && name.size() <= 64 && std::all_of(name.begin(), name.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
      });
  if (!ok) {
    return MakeError(ErrorCode::kInvalidArgument,
                     fmt::format("template name '{}': use 1 to 64 lower-case letters, digits, "
                                 "'-' or '_'",
                                 name));
  }
  return Status::Ok();
}

Status RequireAdmin(const User& by) {
  if (!IsAdmin(by.role)) {
    return MakeError(ErrorCode::kPermissionDenied,
                     "only administrators may change cover page templates");
  }
  return Status::Ok();
}

}  // namespace

Result<std::vector<CoverTemplateView>> CoverTemplateService::List() {
  std::map<std::string, CoverTemplateView> by_name;
  for (const CoverTemplate& t : BuiltinCoverTemplates()) {
    CoverTemplateView& v = by_name[t.name];
    v.record = {t.name, t.title, t.svg, TimePoint{}};
    v.builtin = true;
  }
  FG_ASSIGN_OR_RETURN(std::vector<CoverTemplateRecord> stored, store_.ListCoverTemplates());
  for (CoverTemplateRecord& r : stored) {
    CoverTemplateView& v = by_name[r.name];
    v.record = std::move(r);
    v.stored = true;
  }
  std::vector<CoverTemplateView> out;
  for (auto& [name, view] : by_name) out.push_back(std::move(view));
  return out;
}

Result<CoverTemplateView> CoverTemplateService::Get(const std::string& name) {
  auto stored = store_.GetCoverTemplate(name);
  const CoverTemplate* builtin = FindBuiltinCoverTemplate(name);
  if (stored.ok()) return CoverTemplateView{std::move(*stored), builtin != nullptr, true};
  if (stored.error().code != ErrorCode::kNotFound) return stored.error();
  if (builtin)
    return CoverTemplateView{{builtin->name, builtin->title, builtin->svg, {}}, true, false};
  FG_ASSIGN_OR_RETURN(std::vector<CoverTemplateView> all, List());
  std::vector<std::string> names;
  for (const auto& v : all) names.push_back(v.record.name);
  return MakeError(ErrorCode::kNotFound,
                   fmt::format("no cover page template '{}'; the templates are: {}", name,
                               fmt::join(names, ", ")));
}

Status CoverTemplateService::Put(const User& by, const CoverTemplateRecord& record) {
  FG_RETURN_IF_ERROR(RequireAdmin(by));
  FG_RETURN_IF_ERROR(CheckName(record.name));
  if (Status s = ValidateCoverTemplate(record.svg); !s.ok()) {
    return MakeError(ErrorCode::kInvalidArgument,
                     fmt::format("cover page template '{}': {}", record.name, s.error().message));
  }
  CoverTemplateRecord r = record;
  if (r.title.empty()) r.title = r.name;
  FG_RETURN_IF_ERROR(store_.PutCoverTemplate(r));
  log::Get("user")->info("{} saved cover page template '{}'", by.name, r.name);
  return Status::Ok();
}

Status CoverTemplateService::Delete(const User& by, const std::string& name) {
  FG_RETURN_IF_ERROR(RequireAdmin(by));
  FG_RETURN_IF_ERROR(store_.DeleteCoverTemplate(name));
  log::Get("user")->info("{} deleted cover page template '{}'", by.name, name);
  return Status::Ok();
}

Result<std::string> CoverTemplateService::PreviewPng(const std::string& svg,
                                                     const CoverFields& fields,
                                                     const PageFormat& format, int width) {
  FG_ASSIGN_OR_RETURN(GreyImage page, RenderCoverPage(svg, fields, format));
  const std::filesystem::path tiff = spool_.ScratchPath(".preview.tif");
  const std::filesystem::path png = spool_.ScratchPath(".preview.png");
  FaxPageWriter writer;
  FG_RETURN_IF_ERROR(writer.Open(tiff, format));
  FG_RETURN_IF_ERROR(writer.Append(ToBilevel(page, format.halftone)));
  FG_RETURN_IF_ERROR(writer.Finish());
  Status written = WritePngThumbnail(tiff, 0, width, png);
  auto bytes = written.ok() ? ReadFile(png) : Result<std::string>(written.error());
  std::error_code ec;
  std::filesystem::remove(tiff, ec);
  std::filesystem::remove(png, ec);
  return bytes;
}

}  // namespace faxgate
