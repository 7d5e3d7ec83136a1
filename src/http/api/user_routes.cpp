// /api/v1/users and /api/v1/tokens.
#include <fmt/format.h>

#include "http/api/handler_support.h"
#include "http/api/json_views.h"
#include "http/api/routes.h"

namespace faxgate::http {
namespace {

// Reads a JSON field of the expected type into `out`; absent fields are left alone.
template <typename T>
Status Field(const nlohmann::json& body, const char* name, std::optional<T>* out) {
  auto it = body.find(name);
  if (it == body.end() || it->is_null()) return Status::Ok();
  try {
    *out = it->get<T>();
  } catch (const nlohmann::json::exception&) {
    return MakeError(ErrorCode::kInvalidArgument,
                     fmt::format("field '{}' has the wrong type", name));
  }
  return Status::Ok();
}

Result<UserChanges> ReadChanges(const nlohmann::json& body) {
  UserChanges c;
  std::optional<std::string> role;
  FG_RETURN_IF_ERROR(Field(body, "password", &c.password));
  FG_RETURN_IF_ERROR(Field(body, "role", &role));
  FG_RETURN_IF_ERROR(Field(body, "full_name", &c.full_name));
  FG_RETURN_IF_ERROR(Field(body, "fax_number", &c.fax_number));
  FG_RETURN_IF_ERROR(Field(body, "email", &c.email));
  FG_RETURN_IF_ERROR(Field(body, "other_emails", &c.other_emails));
  FG_RETURN_IF_ERROR(Field(body, "notify_on_success", &c.notify_on_success));
  FG_RETURN_IF_ERROR(Field(body, "fax_by_email", &c.fax_by_email));
  FG_RETURN_IF_ERROR(Field(body, "language", &c.language));
  FG_RETURN_IF_ERROR(Field(body, "disabled", &c.disabled));
  FG_RETURN_IF_ERROR(Field(body, "company", &c.company));
  FG_RETURN_IF_ERROR(Field(body, "phone", &c.phone));
  FG_RETURN_IF_ERROR(Field(body, "cover", &c.cover));
  if (role) {
    c.role = ParseRole(*role);
    if (!c.role) {
      return MakeError(
          ErrorCode::kInvalidArgument,
          fmt::format("role '{}' is unknown: use sysadmin, domainadmin or user", *role));
    }
  }
  if (auto it = body.find("rights"); it != body.end() && it->is_object()) {
    CallRights r;
    r.local = it->value("local", true);
    r.domestic = it->value("domestic", true);
    r.international = it->value("international", false);
    c.rights = r;
  }
  return c;
}

}  // namespace

void AddUserRoutes(Router& router, const ApiContext& ctx) {
  router.Add("POST", "/api/v1/users", Authed(ctx, [ctx](const Request& r, const User& actor) {
               auto body = ParseJsonBody(r);
               if (!body.ok()) return ErrorResponse(body.error());
               auto changes = ReadChanges(*body);
               if (!changes.ok()) return ErrorResponse(changes.error());
               NewUser n;
               n.name = body->value("name", "");
               n.password = changes->password.value_or("");
               n.role = changes->role.value_or(Role::kUser);
               n.full_name = changes->full_name.value_or("");
               n.fax_number = changes->fax_number.value_or("");
               n.email = changes->email.value_or("");
               n.other_emails = changes->other_emails.value_or(std::vector<std::string>{});
               n.rights = changes->rights.value_or(CallRights{});
               n.notify_on_success = changes->notify_on_success.value_or(false);
               n.fax_by_email = changes->fax_by_email.value_or(true);
               n.language = changes->language.value_or("");
               auto created = ctx.users->Create(actor, n);
               if (!created.ok()) return ErrorResponse(created.error());
               nlohmann::json out = {{"user", ToJson(created->user)}};
               if (!created->password.empty()) out["password"] = created->password;
               return JsonResponse(201, out);
             }));

  router.Add("GET", "/api/v1/users", Authed(ctx, [ctx](const Request&, const User& actor) {
               auto users = ctx.users->List(actor);
               if (!users.ok()) return ErrorResponse(users.error());
               nlohmann::json out = {{"users", nlohmann::json::array()}};
               for (const User& u : *users) out["users"].push_back(ToJson(u));
               return JsonResponse(200, out);
             }));

  router.Add("GET", "/api/v1/users/{name}", Authed(ctx, [ctx](const Request& r, const User& actor) {
               auto u = ctx.users->Get(actor, r.PathParam("name"));
               if (!u.ok()) return ErrorResponse(u.error());
               return JsonResponse(200, ToJson(*u));
             }));

  router.Add("PATCH", "/api/v1/users/{name}",
             Authed(ctx, [ctx](const Request& r, const User& actor) {
               auto body = ParseJsonBody(r);
               if (!body.ok()) return ErrorResponse(body.error());
               auto changes = ReadChanges(*body);
               if (!changes.ok()) return ErrorResponse(changes.error());
               auto u = ctx.users->Update(actor, r.PathParam("name"), *changes);
               if (!u.ok()) return ErrorResponse(u.error());
               return JsonResponse(200, ToJson(*u));
             }));

  router.Add("POST", "/api/v1/tokens", Authed(ctx, [ctx](const Request& r, const User& actor) {
               auto body = ParseJsonBody(r);
               if (!body.ok()) return ErrorResponse(body.error());
               std::string user = body->value("user", actor.name);
               std::string name = body->value("name", "api");
               auto secret = ctx.users->CreateToken(actor, user, name);
               if (!secret.ok()) return ErrorResponse(secret.error());
               return JsonResponse(201, {{"token", *secret}, {"user", user}, {"name", name}});
             }));
}

}  // namespace faxgate::http
