#include "app/serve.h"

#include <sys/stat.h>

#include <cstdio>
#include <filesystem>
#include <iostream>

#include <fmt/format.h>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <nlohmann/json.hpp>

#include "base/config.h"
#include "base/files.h"
#include "base/log.h"
#include "fax/fax_session.h"
#include "http/api/api.h"
#include "http/http_server.h"
#include "http/url.h"
#include "lines/line_pool.h"
#include "mail/gateway/mail_gateway.h"
#include "mail/gateway/mail_servers.h"
#include "queue/scheduler.h"
#include "service/fax_service.h"
#include "service/inbound_service.h"
#include "service/queue_driver.h"
#include "service/settings_service.h"
#include "service/user_service.h"

namespace faxgate {
namespace {

Result<Config> ChooseConfig(const ServeOptions& o) {
  Config config;
  if (!o.config_file.empty()) {
    FG_ASSIGN_OR_RETURN(config, LoadConfig(o.config_file));
  } else if (std::filesystem::exists("faxgate.toml")) {
    FG_ASSIGN_OR_RETURN(config, LoadConfig("faxgate.toml"));
  }
  if (!o.data_dir.empty()) config.data_dir = o.data_dir;
  if (!o.listen.empty()) config.http_listen = o.listen;
  return config;
}

// The first start of a data directory: the demo accounts' secrets are printed once and the admin
// token is kept (mode 0600) so that client verbs run beside it find it.
void AnnounceDemoAccounts(const DemoAccounts& demo, const std::filesystem::path& data_dir) {
  if (!demo.created) return;
  const auto token_file = data_dir / "admin.token";
  (void)WriteFileAtomic(token_file, demo.admin_token + "\n");
  ::chmod(token_file.c_str(), 0600);
  std::cout << fmt::format(
                   "\nfaxgate created its first accounts (shown once, keep them):\n"
                   "  admin  password {}  (system administrator, fax number 8000)\n"
                   "  demo   password {}  (user, fax number 8001)\n"
                   "  admin API token  {}  (also saved in {})\n\n",
                   demo.admin_password, demo.demo_password, demo.admin_token, token_file.string())
            << std::flush;
}

void WriteServerInfo(const std::filesystem::path& data_dir, const std::string& host, uint16_t port,
                     uint16_t smtp_port) {
  nlohmann::json info = {
      {"url", fmt::format("http://{}:{}", host == "0.0.0.0" ? "127.0.0.1" : host, port)},
      {"pid", static_cast<int>(::getpid())}};
  if (smtp_port != 0) info["smtp_port"] = smtp_port;
  (void)WriteFileAtomic(data_dir / "server.json", info.dump() + "\n");
}

}  // namespace

int RunServe(const ServeOptions& options) {
  auto config = ChooseConfig(options);
  if (!config.ok()) {
    std::cerr << "faxgate: " << config.error().message << "\n";
    return 2;
  }
  log::SetLevel(config->log_level);
  auto logger = log::Get("app");
  InstallFaxLogging();
  std::error_code ec;
  std::filesystem::create_directories(config->data_dir, ec);
  if (ec) {
    std::cerr << fmt::format("faxgate: cannot create the data directory {}: {}\n",
                             config->data_dir.string(), ec.message());
    return 2;
  }
  auto listen = http::ParseHostPort(config->http_listen);
  if (!listen.ok()) {
    std::cerr << "faxgate: http.listen: " << listen.error().message << "\n";
    return 2;
  }

  auto store = OpenSqliteStore(config->data_dir / "faxgate.db");
  if (!store.ok()) {
    std::cerr << "faxgate: " << store.error().message << "\n";
    return 1;
  }
  Spool spool(config->data_dir / "spool");
  SystemClock clock;
  SettingsService settings(**store);
  if (Status s = settings.Load(); !s.ok()) {
    std::cerr << "faxgate: " << s.error().message << "\n";
    return 1;
  }
  UserService users(**store, clock);
  auto demo = users.EnsureDemoAccounts();
  if (!demo.ok()) {
    std::cerr << "faxgate: cannot create the first accounts: " << demo.error().message << "\n";
    return 1;
  }
  AnnounceDemoAccounts(*demo, config->data_dir);

  boost::asio::io_context control;
  InboundService inbound(**store, spool, settings, clock);
  // The scheduler and the line pool refer to each other through interfaces: the pool is the
  // scheduler's Dialer, the driver (over the scheduler) receives the pool's call events.
  struct DialerProxy : Dialer {
    LinePool* pool = nullptr;
    bool HasFreeLine() const override { return pool->HasFreeLine(); }
    Status Dial(const DialRequest& r) override { return pool->Dial(r); }
    void HangUp(JobId job) override { pool->HangUp(job); }
  } dialer;
  Scheduler scheduler(**store, spool, dialer, clock, [&settings] { return settings.Get(); });
  QueueDriver driver(control, scheduler, clock);
  LinePool lines(
      control, *config,
      [&settings] {
        const SystemSettings s = settings.Get();
        FaxOptions o;
        o.local_ident = s.local_ident;
        o.page_header = s.page_header;
        o.max_receive_pages = s.max_receive_pages;
        return o;
      },
      inbound, driver);
  dialer.pool = &lines;
  CoverTemplateService covers(**store, spool);
  PreparerOptions prep;
  prep.worker = std::filesystem::read_symlink("/proc/self/exe", ec);
  prep.work_root = config->data_dir / "work";
  prep.threads = config->documents.workers;
  prep.office_instances = config->documents.office_instances;
  prep.limits.wall_time = std::chrono::seconds(config->documents.timeout_s);
  prep.limits.cpu_seconds = config->documents.timeout_s;
  prep.limits.max_pages = config->documents.max_pages;
  prep.limits.memory_bytes = int64_t{config->documents.memory_mb} << 20;
  std::filesystem::remove_all(prep.work_root, ec);  // what a crash left
  DocumentPreparer preparer(control, **store, spool, settings, covers, driver, clock, prep);
  FaxService faxes(**store, spool, driver, settings, preparer, covers, clock);

  if (Status s = inbound.Recover(); !s.ok())
    logger->error("recovery of receptions: {}", s.error().message);
  if (Status s = scheduler.Recover(); !s.ok()) {
    std::cerr << "faxgate: cannot recover the queue: " << s.error().message << "\n";
    return 1;
  }
  if (int n = spool.SweepScratch(); n > 0) {
    logger->info("removed {} unfinished temporary files from the spool", n);
  }
  if (Status s = preparer.Recover(); !s.ok())
    logger->error("recovery of conversions: {}", s.error().message);

  mail::MailGateway mail(control, config->mail, **store, spool, faxes, users, settings, clock);
  mail::MailServers mail_servers(**store, clock);

  http::Router router;
  http::AddApiRoutes(router, {store->get(), &users, &faxes, &settings, &lines, &clock, &covers,
                              &spool, &mail, &mail_servers});
  http::HttpServer server(control, router);
  auto port = server.Listen(listen->host, listen->port);
  if (!port.ok()) {
    std::cerr << "faxgate: " << port.error().message << "\n";
    return 1;
  }
  if (Status s = mail.Start(); !s.ok()) {
    std::cerr << "faxgate: cannot start the mail gateway: " << s.error().message << "\n";
    return 1;
  }
  WriteServerInfo(config->data_dir, listen->host, *port, mail.smtp_port());
  if (Status s = lines.Start(); !s.ok()) {
    std::cerr << "faxgate: cannot start the SIP trunks: " << s.error().message << "\n";
    return 1;
  }
  driver.Kick();
  logger->info("faxgate serving on http://{}:{} with data in {}", listen->host, *port,
               std::filesystem::absolute(config->data_dir).string());
  std::cout << fmt::format(
                   "faxgate is running: REST API on http://{}:{}/api/v1{} (Ctrl-C stops it)\n",
                   listen->host, *port,
                   mail.smtp_port() ? fmt::format(", mail to fax on SMTP port {}", mail.smtp_port())
                                    : "")
            << std::flush;

  boost::asio::signal_set signals(control, SIGINT, SIGTERM);
  signals.async_wait([&](const boost::system::error_code&, int sig) {
    logger->info("signal {}: stopping; calls in progress are hung up and resumed at next start",
                 sig);
    server.Stop();
    mail.Stop();
    driver.Stop();
    control.stop();
  });
  control.run();
  // Conversions in progress are dropped (recovery redoes them); then let the lines hang up and
  // report, and record those reports before leaving.
  preparer.Stop();
  lines.Stop();
  control.restart();
  control.poll();
  std::filesystem::remove(config->data_dir / "server.json", ec);
  logger->info("faxgate stopped");
  return 0;
}

}  // namespace faxgate
