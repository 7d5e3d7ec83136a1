// /api/v1/mail: mail servers (relay, shared mailboxes), mail templates with preview, the
// outgoing mail queue, and the mails written about a fax. Administrators only, except a fax's
// own mails, which its owner may see.
#include <fmt/format.h>

#include "base/time_format.h"
#include "http/api/handler_support.h"
#include "http/api/routes.h"
#include "mail/gateway/mail_gateway.h"
#include "mail/gateway/mail_servers.h"
#include "mail/gateway/mail_templates.h"
#include "mail/gateway/mailbox_poller.h"

namespace faxgate::http {
namespace {

nlohmann::json ToJson(const MailServer& s) {
  return {{"name", s.name},
          {"protocol", s.protocol},
          {"host", s.host},
          {"port", s.port},
          {"tls", s.tls},
          {"verify_certificate", s.verify_certificate},
          {"ca_file", s.ca_file},
          {"user", s.user},
          {"has_password", !s.password.empty()},  // the password itself is never shown
          {"folder", s.folder},
          {"enabled", s.enabled},
          {"updated_at", FormatRfc3339(s.updated_at)}};
}

nlohmann::json ToJson(const QueuedMail& m) {
  nlohmann::json rcpts = nlohmann::json::array();
  for (const QueuedMailRecipient& r : m.recipients)
    rcpts.push_back({{"address", r.address}, {"outcome", r.outcome}});
  nlohmann::json j = {{"id", m.id},
                      {"kind", m.kind},
                      {"subject", m.subject},
                      {"state", ToString(m.state)},
                      {"attempts", m.attempts},
                      {"recipients", rcpts},
                      {"created_at", FormatRfc3339(m.created_at)},
                      {"next_try_at", FormatRfc3339(m.next_try_at)},
                      {"last_result", m.last_result},
                      {"envid", m.envid}};
  if (m.fax_id) j["fax_id"] = *m.fax_id;
  if (m.sent_at) j["sent_at"] = FormatRfc3339(*m.sent_at);
  return j;
}

Result<MailServer> ReadServer(const nlohmann::json& body, const std::string& name) {
  MailServer s;
  s.name = name;
  try {
    s.protocol = body.value("protocol", s.protocol);
    s.host = body.value("host", "");
    s.port = body.value("port", 0);
    s.tls = body.value("tls", s.tls);
    s.verify_certificate = body.value("verify_certificate", true);
    s.ca_file = body.value("ca_file", "");
    s.user = body.value("user", "");
    s.password = body.value("password", "");
    s.folder = body.value("folder", s.folder);
    s.enabled = body.value("enabled", true);
  } catch (const nlohmann::json::exception&) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "a mail server is {protocol, host, port, tls, user, password, folder, "
                     "enabled, verify_certificate, ca_file} with text, numbers and true/false");
  }
  return s;
}

nlohmann::json ToJson(const mail::TemplateListing& l) {
  return {{"name", l.text.name}, {"language", l.text.language}, {"subject", l.text.subject},
          {"body", l.text.body}, {"stored", l.stored},          {"placeholders", l.placeholders}};
}

}  // namespace

void AddMailRoutes(Router& router, const ApiContext& ctx) {
  if (!ctx.mail || !ctx.mail_servers) return;

  router.Add("GET", "/api/v1/mail/servers", Authed(ctx, [ctx](const Request&, const User& u) {
               auto list = ctx.mail_servers->List(u);
               if (!list.ok()) return ErrorResponse(list.error());
               nlohmann::json out = {{"servers", nlohmann::json::array()}};
               for (const MailServer& s : *list) out["servers"].push_back(ToJson(s));
               return JsonResponse(200, out);
             }));

  router.Add("PUT", "/api/v1/mail/servers/{name}",
             Authed(ctx, [ctx](const Request& r, const User& u) {
               auto body = ParseJsonBody(r);
               if (!body.ok()) return ErrorResponse(body.error());
               auto server = ReadServer(*body, r.PathParam("name"));
               if (!server.ok()) return ErrorResponse(server.error());
               auto saved = ctx.mail_servers->Put(u, *server);
               if (!saved.ok()) return ErrorResponse(saved.error());
               if (saved->protocol == "smtp") {
                 ctx.mail->RelayChanged();
               } else {
                 ctx.mail->Kick();
               }
               ctx.mail->poller().PollNow();
               return JsonResponse(200, ToJson(*saved));
             }));

  router.Add("DELETE", "/api/v1/mail/servers/{name}",
             Authed(ctx, [ctx](const Request& r, const User& u) {
               if (Status s = ctx.mail_servers->Delete(u, r.PathParam("name")); !s.ok())
                 return ErrorResponse(s.error());
               return JsonResponse(200, {{"deleted", r.PathParam("name")}});
             }));

  router.Add("POST", "/api/v1/mail/poll", Authed(ctx, [ctx](const Request&, const User& u) {
               if (!IsAdmin(u.role)) {
                 return ErrorResponse(MakeError(ErrorCode::kPermissionDenied,
                                                "only administrators may poll the mailboxes"));
               }
               ctx.mail->poller().PollNow();
               return JsonResponse(202, {{"polling", true}});
             }));

  router.Add("GET", "/api/v1/mail/templates", Authed(ctx, [ctx](const Request&, const User& u) {
               auto list = ctx.mail->templates().List(u);
               if (!list.ok()) return ErrorResponse(list.error());
               nlohmann::json out = {{"templates", nlohmann::json::array()}};
               for (const auto& l : *list) out["templates"].push_back(ToJson(l));
               return JsonResponse(200, out);
             }));

  router.Add("PUT", "/api/v1/mail/templates/{name}/{language}",
             Authed(ctx, [ctx](const Request& r, const User& u) {
               auto body = ParseJsonBody(r);
               if (!body.ok()) return ErrorResponse(body.error());
               MailTemplateRecord t;
               t.name = r.PathParam("name");
               t.language = r.PathParam("language");
               t.subject = body->value("subject", "");
               t.body = body->value("body", "");
               t.updated_at = ctx.clock->Now();
               if (Status s = ctx.mail->templates().Put(u, t); !s.ok())
                 return ErrorResponse(s.error());
               return JsonResponse(200, {{"name", t.name},
                                         {"language", t.language},
                                         {"subject", t.subject},
                                         {"body", t.body},
                                         {"stored", true}});
             }));

  router.Add("DELETE", "/api/v1/mail/templates/{name}/{language}",
             Authed(ctx, [ctx](const Request& r, const User& u) {
               Status s =
                   ctx.mail->templates().Revert(u, r.PathParam("name"), r.PathParam("language"));
               if (!s.ok()) return ErrorResponse(s.error());
               return JsonResponse(200, {{"reverted", r.PathParam("name")}});
             }));

  // Renders a draft ({"subject", "body"}; empty: the current text) with sample values.
  router.Add("POST", "/api/v1/mail/templates/{name}/{language}/preview",
             Authed(ctx, [ctx](const Request& r, const User& u) {
               mail::MailTemplate draft;
               if (!r.body.empty()) {
                 auto body = ParseJsonBody(r);
                 if (!body.ok()) return ErrorResponse(body.error());
                 draft.subject = body->value("subject", "");
                 draft.body = body->value("body", "");
               }
               draft.name = r.PathParam("name");
               draft.language = r.PathParam("language");
               auto out = ctx.mail->templates().Preview(u, draft.name, draft.language, draft);
               if (!out.ok()) return ErrorResponse(out.error());
               return JsonResponse(200, {{"subject", out->subject},
                                         {"body", out->body},
                                         {"unknown_placeholders", out->unknown_placeholders}});
             }));

  router.Add("GET", "/api/v1/mail/queue", Authed(ctx, [ctx](const Request&, const User& u) {
               if (!IsAdmin(u.role)) {
                 return ErrorResponse(MakeError(ErrorCode::kPermissionDenied,
                                                "only administrators may see the mail queue"));
               }
               auto due =
                   ctx.store->ListDueMail(ctx.clock->Now() + std::chrono::hours(24 * 365), 500);
               if (!due.ok()) return ErrorResponse(due.error());
               nlohmann::json out = {{"mails", nlohmann::json::array()}};
               for (const QueuedMail& m : *due) out["mails"].push_back(ToJson(m));
               return JsonResponse(200, out);
             }));

  // The mails written about a fax (received fax mailed, result mail) and what became of them.
  router.Add("GET", "/api/v1/faxes/{id}/mails", Authed(ctx, [ctx](const Request& r, const User& u) {
               auto id = ParseInteger(r.PathParam("id"), "id");
               if (!id.ok()) return ErrorResponse(id.error());
               auto fax = ctx.faxes->Get(u, *id);  // checks the viewer may see it
               if (!fax.ok()) return ErrorResponse(fax.error());
               auto mails = ctx.store->ListMailAbout(*id);
               if (!mails.ok()) return ErrorResponse(mails.error());
               nlohmann::json out = {{"mails", nlohmann::json::array()}};
               for (const QueuedMail& m : *mails) out["mails"].push_back(ToJson(m));
               return JsonResponse(200, out);
             }));
}

}  // namespace faxgate::http
