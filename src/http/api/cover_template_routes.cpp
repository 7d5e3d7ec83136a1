// /api/v1/cover-templates: the cover page templates users pick from, stored ones editable by
// administrators, with a PNG preview.
#include <fmt/format.h>

#include "base/time_format.h"
#include "http/api/handler_support.h"
#include "http/api/routes.h"

namespace faxgate::http {
namespace {

nlohmann::json ToJson(const CoverTemplateView& v, bool with_svg) {
  nlohmann::json j = {{"name", v.record.name},
                      {"title", v.record.title},
                      {"builtin", v.builtin},
                      {"stored", v.stored}};
  if (v.stored) j["updated_at"] = FormatRfc3339(v.record.updated_at);
  if (with_svg) j["svg"] = v.record.svg;
  return j;
}

// Sample values so a preview shows every placeholder filled; the query may override them.
CoverFields PreviewFields(const Request& r, const User& u) {
  CoverFields f;
  f.to_name = r.Query("to_name").value_or("张伟 Zhang Wei");
  f.to_company = r.Query("to_company").value_or("深圳市示例贸易有限公司");
  f.to_fax = r.Query("to_fax").value_or("+86 755 8323 5170");
  f.from_name = r.Query("from_name").value_or(u.full_name.empty() ? u.name : u.full_name);
  f.from_company = r.Query("from_company").value_or(u.company);
  f.from_phone = r.Query("from_phone").value_or(u.phone);
  f.from_fax = r.Query("from_fax").value_or(u.fax_number);
  f.from_email = r.Query("from_email").value_or(u.email);
  f.title = r.Query("title").value_or("Quotation 报价单");
  f.subject = r.Query("subject").value_or("Quotation 报价单");
  f.comments =
      r.Query("comments").value_or("Please find our quotation attached.\n请查收附件中的报价单。");
  f.date = r.Query("date").value_or("2026-11-22 10:00");
  f.pages = r.Query("pages").value_or("3");
  return f;
}

Response Preview(const ApiContext& ctx, const Request& r, const User& u, const std::string& svg) {
  PageFormat format;
  if (auto res = r.Query("resolution")) {
    auto parsed = ParseResolution(*res);
    if (!parsed) {
      return ErrorResponse(
          MakeError(ErrorCode::kInvalidArgument, "resolution: use standard, fine or superfine"));
    }
    format.resolution = *parsed;
  }
  int width = 600;
  if (auto w = r.Query("width")) {
    auto v = ParseInteger(*w, "width");
    if (!v.ok()) return ErrorResponse(v.error());
    if (*v < 16 || *v > 2048) {
      return ErrorResponse(MakeError(ErrorCode::kInvalidArgument, "width must be 16 to 2048"));
    }
    width = static_cast<int>(*v);
  }
  auto png = ctx.covers->PreviewPng(svg, PreviewFields(r, u), format, width);
  if (!png.ok()) return ErrorResponse(png.error());
  Response resp;
  resp.status = 200;
  resp.content_type = "image/png";
  resp.body = std::move(*png);
  return resp;
}

}  // namespace

void AddCoverTemplateRoutes(Router& router, const ApiContext& ctx) {
  router.Add("GET", "/api/v1/cover-templates", Authed(ctx, [ctx](const Request&, const User&) {
               auto all = ctx.covers->List();
               if (!all.ok()) return ErrorResponse(all.error());
               nlohmann::json out = {{"templates", nlohmann::json::array()}};
               for (const auto& v : *all) out["templates"].push_back(ToJson(v, false));
               return JsonResponse(200, out);
             }));

  router.Add("GET", "/api/v1/cover-templates/{name}",
             Authed(ctx, [ctx](const Request& r, const User&) {
               auto v = ctx.covers->Get(r.PathParam("name"));
               if (!v.ok()) return ErrorResponse(v.error());
               return JsonResponse(200, ToJson(*v, true));
             }));

  router.Add("PUT", "/api/v1/cover-templates/{name}",
             Authed(ctx, [ctx](const Request& r, const User& u) {
               auto body = ParseJsonBody(r);
               if (!body.ok()) return ErrorResponse(body.error());
               if (!body->contains("svg") || !(*body)["svg"].is_string()) {
                 return ErrorResponse(
                     MakeError(ErrorCode::kInvalidArgument, "give the template as \"svg\""));
               }
               CoverTemplateRecord t;
               t.name = r.PathParam("name");
               t.title = body->value("title", "");
               t.svg = (*body)["svg"].get<std::string>();
               t.updated_at = ctx.clock->Now();
               if (Status s = ctx.covers->Put(u, t); !s.ok()) return ErrorResponse(s.error());
               auto v = ctx.covers->Get(t.name);
               if (!v.ok()) return ErrorResponse(v.error());
               return JsonResponse(200, ToJson(*v, false));
             }));

  router.Add("DELETE", "/api/v1/cover-templates/{name}",
             Authed(ctx, [ctx](const Request& r, const User& u) {
               if (Status s = ctx.covers->Delete(u, r.PathParam("name")); !s.ok())
                 return ErrorResponse(s.error());
               return JsonResponse(200, {{"deleted", r.PathParam("name")}});
             }));

  router.Add("GET", "/api/v1/cover-templates/{name}/preview",
             Authed(ctx, [ctx](const Request& r, const User& u) {
               auto v = ctx.covers->Get(r.PathParam("name"));
               if (!v.ok()) return ErrorResponse(v.error());
               return Preview(ctx, r, u, v->record.svg);
             }));

  // Previews a template before it is saved: the body is {"svg": "..."}.
  router.Add("POST", "/api/v1/cover-templates/preview",
             Authed(ctx, [ctx](const Request& r, const User& u) {
               auto body = ParseJsonBody(r);
               if (!body.ok()) return ErrorResponse(body.error());
               const std::string svg = body->value("svg", "");
               if (Status s = ValidateCoverTemplate(svg); !s.ok()) return ErrorResponse(s.error());
               return Preview(ctx, r, u, svg);
             }));
}

}  // namespace faxgate::http
