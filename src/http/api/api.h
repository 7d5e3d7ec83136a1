// The REST API under /api/v1, plus /healthz and /metrics. Handlers translate HTTP to the
// service layer and back; they hold no state of their own.
#pragma once

#include "http/router.h"
#include "lines/line_pool.h"
#include "service/cover_template_service.h"
#include "service/fax_service.h"
#include "service/settings_service.h"
#include "service/user_service.h"
#include "store/store.h"

namespace faxgate::mail {
class MailGateway;
class MailServers;
}  // namespace faxgate::mail

namespace faxgate::http {

struct ApiContext {
  Store* store = nullptr;
  UserService* users = nullptr;
  FaxService* faxes = nullptr;
  SettingsService* settings = nullptr;
  LinePool* lines = nullptr;
  const Clock* clock = nullptr;
  CoverTemplateService* covers = nullptr;
  Spool* spool = nullptr;
  mail::MailGateway* mail = nullptr;  // null: no mail routes
  mail::MailServers* mail_servers = nullptr;
};

void AddApiRoutes(Router& router, ApiContext context);

}  // namespace faxgate::http
