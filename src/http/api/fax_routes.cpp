// /api/v1/faxes: send, list, look at, cancel, download.
#include <fmt/format.h>

#include "base/files.h"
#include "base/time_format.h"
#include "http/api/handler_support.h"
#include "http/api/json_views.h"
#include "http/api/routes.h"
#include "http/multipart.h"

namespace faxgate::http {
namespace {

Result<SendRequest> ReadSendForm(const Request& r, const ApiContext& ctx) {
  auto content_type = r.Header("Content-Type");
  if (!content_type) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "send the fax as multipart/form-data with 'to' and one or more files");
  }
  FG_ASSIGN_OR_RETURN(auto parts, ParseMultipart(r.body, *content_type));
  SendRequest s;
  const TimePoint now = ctx.clock->Now();
  for (FormPart& p : parts) {
    if (!p.filename.empty() || p.name == "file" || p.name == "files") {
      s.files.push_back({p.filename.empty() ? p.name : p.filename, std::move(p.data)});
    } else if (p.name == "to") {
      s.to.push_back(p.data);
    } else if (p.name == "subject") {
      s.subject = p.data;
    } else if (p.name == "recipient_name") {
      s.recipient_name = p.data;
    } else if (p.name == "send_at") {
      FG_ASSIGN_OR_RETURN(s.send_at, ParseTime(p.data, now));
    } else if (p.name == "kill_at") {
      FG_ASSIGN_OR_RETURN(s.kill_at, ParseTime(p.data, now));
    } else if (p.name == "priority") {
      FG_ASSIGN_OR_RETURN(int64_t v, ParseInteger(p.data, "priority"));
      s.priority = static_cast<int>(v);
    } else if (p.name == "max_tries") {
      FG_ASSIGN_OR_RETURN(int64_t v, ParseInteger(p.data, "max_tries"));
      s.max_tries = static_cast<int>(v);
    } else if (p.name == "resolution") {
      s.resolution = p.data;
    } else if (p.name == "paper") {
      s.paper = p.data;
    } else if (p.name == "halftone") {
      s.halftone = p.data;
    } else if (p.name == "cover") {
      s.cover = p.data;
    } else if (p.name == "cover_comments" || p.name == "comments") {
      s.cover_comments = p.data;
    } else if (p.name == "recipient_company") {
      s.recipient_company = p.data;
    } else if (p.name == "max_dials") {
      FG_ASSIGN_OR_RETURN(int64_t v, ParseInteger(p.data, "max_dials"));
      s.max_dials = static_cast<int>(v);
    } else {
      return MakeError(ErrorCode::kInvalidArgument,
                       fmt::format("unknown form field '{}'; fields are to, file, subject, "
                                   "recipient_name, recipient_company, send_at, kill_at, priority, "
                                   "max_tries, max_dials, resolution, paper, halftone, cover, "
                                   "cover_comments",
                                   p.name));
    }
  }
  return s;
}

Result<FaxQuery> ReadQuery(const Request& r, const ApiContext& ctx) {
  FaxQuery q;
  if (auto d = r.Query("direction")) {
    if (*d == "outbound")
      q.direction = Direction::kOutbound;
    else if (*d == "inbound")
      q.direction = Direction::kInbound;
    else if (*d != "all" && !d->empty())
      return MakeError(ErrorCode::kInvalidArgument,
                       fmt::format("direction is '{}'; use outbound, inbound or all", *d));
  }
  for (const std::string& s : r.QueryAll("status")) {
    size_t start = 0;
    while (start <= s.size()) {
      size_t end = s.find(',', start);
      if (end == std::string::npos) end = s.size();
      if (end > start) q.states.push_back(s.substr(start, end - start));
      start = end + 1;
    }
  }
  if (auto u = r.Query("user")) q.user = *u;
  const TimePoint now = ctx.clock->Now();
  if (auto s = r.Query("since")) {
    FG_ASSIGN_OR_RETURN(q.since, ParseTime(*s, now));
  }
  if (auto s = r.Query("until")) {
    FG_ASSIGN_OR_RETURN(q.until, ParseTime(*s, now));
  }
  if (auto c = r.Query("cursor")) {
    FG_ASSIGN_OR_RETURN(q.before_id, ParseInteger(*c, "cursor"));
  }
  if (auto l = r.Query("limit")) {
    FG_ASSIGN_OR_RETURN(int64_t v, ParseInteger(*l, "limit"));
    if (v < 1 || v > 500) return MakeError(ErrorCode::kInvalidArgument, "limit must be 1 to 500");
    q.limit = static_cast<int>(v);
  }
  return q;
}

Result<int64_t> FaxId(const Request& r) { return ParseInteger(r.PathParam("id"), "the fax id"); }

}  // namespace

void AddFaxRoutes(Router& router, const ApiContext& ctx) {
  router.Add("POST", "/api/v1/faxes", Authed(ctx, [ctx](const Request& r, const User& u) {
               auto form = ReadSendForm(r, ctx);
               if (!form.ok()) return ErrorResponse(form.error());
               auto jobs = ctx.faxes->Send(u, *form);
               if (!jobs.ok()) return ErrorResponse(jobs.error());
               nlohmann::json out = {{"faxes", nlohmann::json::array()}};
               for (const Job& j : *jobs) {
                 FaxView v;
                 v.job = j;
                 v.job.owner_name = u.name;
                 out["faxes"].push_back(ToJson(v, false));
               }
               out["group_id"] = jobs->empty() ? 0 : jobs->front().group_id;
               return JsonResponse(202, out);
             }));

  router.Add("GET", "/api/v1/faxes", Authed(ctx, [ctx](const Request& r, const User& u) {
               auto q = ReadQuery(r, ctx);
               if (!q.ok()) return ErrorResponse(q.error());
               auto page = ctx.faxes->List(u, *q);
               if (!page.ok()) return ErrorResponse(page.error());
               nlohmann::json out = {{"faxes", nlohmann::json::array()}};
               for (const FaxView& v : page->items) out["faxes"].push_back(ToJson(v, false));
               out["next_cursor"] =
                   page->next_cursor ? nlohmann::json(*page->next_cursor) : nullptr;
               return JsonResponse(200, out);
             }));

  router.Add("GET", "/api/v1/faxes/{id}", Authed(ctx, [ctx](const Request& r, const User& u) {
               auto id = FaxId(r);
               if (!id.ok()) return ErrorResponse(id.error());
               auto v = ctx.faxes->Get(u, *id);
               if (!v.ok()) return ErrorResponse(v.error());
               return JsonResponse(200, ToJson(*v, true));
             }));

  router.Add("POST", "/api/v1/faxes/{id}/cancel",
             Authed(ctx, [ctx](const Request& r, const User& u) {
               auto id = FaxId(r);
               if (!id.ok()) return ErrorResponse(id.error());
               if (Status s = ctx.faxes->Cancel(u, *id); !s.ok()) return ErrorResponse(s.error());
               auto v = ctx.faxes->Get(u, *id);
               if (!v.ok()) return ErrorResponse(v.error());
               return JsonResponse(200, ToJson(*v, true));
             }));

  router.Add("GET", "/api/v1/faxes/{id}/file", Authed(ctx, [ctx](const Request& r, const User& u) {
               auto id = FaxId(r);
               if (!id.ok()) return ErrorResponse(id.error());
               const std::string format = r.Query("format").value_or("tiff");
               int width = 400;
               if (auto w = r.Query("width")) {
                 auto v = ParseInteger(*w, "width");
                 if (!v.ok()) return ErrorResponse(v.error());
                 width = static_cast<int>(*v);
               }
               auto file = ctx.faxes->File(u, *id, format, width);
               if (!file.ok()) return ErrorResponse(file.error());
               Response resp;
               resp.status = 200;
               resp.content_type = file->content_type;
               resp.body = std::move(file->bytes);
               resp.AddHeader(
                   "Content-Disposition",
                   fmt::format("{}; filename=\"{}\"", format == "png" ? "inline" : "attachment",
                               file->file_name));
               return resp;
             }));
}

}  // namespace faxgate::http
