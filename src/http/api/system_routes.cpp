// /healthz, /metrics, /api/v1/lines, /api/v1/settings, /api/v1/events.
#include <fmt/format.h>

#include "http/api/handler_support.h"
#include "http/api/json_views.h"
#include "http/api/routes.h"
#include "service/metrics.h"

namespace faxgate::http {

void AddSystemRoutes(Router& router, const ApiContext& ctx) {
  router.Add("GET", "/healthz", [](const Request&) {
    return JsonResponse(200, {{"status", "ok"}});
  });

  router.Add("GET", "/metrics", [ctx](const Request&) {
    Response r;
    r.status = 200;
    r.content_type = "text/plain; version=0.0.4; charset=utf-8";
    r.body = RenderMetrics(*ctx.store, *ctx.lines);
    return r;
  });

  router.Add("GET", "/api/v1/lines", Authed(ctx, [ctx](const Request&, const User&) {
               nlohmann::json out = {{"lines", nlohmann::json::array()}};
               for (const LineStatus& l : ctx.lines->Lines()) out["lines"].push_back(ToJson(l));
               return JsonResponse(200, out);
             }));

  router.Add("GET", "/api/v1/settings", Authed(ctx, [ctx](const Request&, const User&) {
               nlohmann::json out = nlohmann::json::object();
               for (const auto& [k, v] : ToKeyValues(ctx.settings->Get())) out[k] = v;
               return JsonResponse(200, out);
             }));

  router.Add("PATCH", "/api/v1/settings", Authed(ctx, [ctx](const Request& r, const User& u) {
               if (u.role != Role::kSysAdmin) {
                 return ErrorResponse(MakeError(ErrorCode::kPermissionDenied,
                                                "only a system administrator may change system "
                                                "parameters"));
               }
               auto body = ParseJsonBody(r);
               if (!body.ok()) return ErrorResponse(body.error());
               std::map<std::string, std::string> changes;
               for (const auto& [k, v] : body->items())
                 changes[k] = v.is_string() ? v.get<std::string>() : v.dump();
               if (Status s = ctx.settings->Put(changes); !s.ok()) return ErrorResponse(s.error());
               nlohmann::json out = nlohmann::json::object();
               for (const auto& [k, v] : ToKeyValues(ctx.settings->Get())) out[k] = v;
               return JsonResponse(200, out);
             }));

  router.Add("GET", "/api/v1/events", Authed(ctx, [ctx](const Request&, const User& u) {
               if (!IsAdmin(u.role)) {
                 return ErrorResponse(MakeError(ErrorCode::kPermissionDenied,
                                                "only an administrator may read the system log"));
               }
               auto events = ctx.store->ListEvents(200);
               if (!events.ok()) return ErrorResponse(events.error());
               nlohmann::json out = {{"events", nlohmann::json::array()}};
               for (const Event& e : *events) out["events"].push_back(ToJson(e));
               return JsonResponse(200, out);
             }));
}

void AddApiRoutes(Router& router, ApiContext context) {
  AddSystemRoutes(router, context);
  AddFaxRoutes(router, context);
  AddUserRoutes(router, context);
  AddCoverTemplateRoutes(router, context);
  AddMailRoutes(router, context);
}

}  // namespace faxgate::http
