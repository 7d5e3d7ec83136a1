// [mail] and [[mail.route]] of faxgate.toml.
#include <fmt/format.h>

#include "base/telephony_config.h"
#include "base/toml_reader.h"

namespace faxgate {
namespace {

using namespace toml_reader;

Status CheckFormats(const std::vector<std::string>& formats, std::string_view where) {
  if (formats.empty()) return BadKey(where, "formats", "must name at least one format");
  for (const std::string& f : formats) {
    if (f != "tiff-s" && f != "tiff-f" && f != "pdf") {
      return BadKey(where, "formats",
                    fmt::format("has '{}'; use \"tiff-s\", \"tiff-f\" or \"pdf\"", f));
    }
  }
  return Status::Ok();
}

// "never", or a comma list of success, failure and delay.
Status CheckDsn(const std::string& dsn, std::string_view where) {
  if (dsn == "never" || dsn.empty()) return Status::Ok();
  size_t start = 0;
  while (start <= dsn.size()) {
    size_t end = dsn.find(',', start);
    if (end == std::string::npos) end = dsn.size();
    const std::string part = dsn.substr(start, end - start);
    if (part != "success" && part != "failure" && part != "delay") {
      return BadKey(where, "dsn",
                    fmt::format("is '{}'; write \"never\" or a list of success, failure, delay "
                                "separated by commas",
                                dsn));
    }
    start = end + 1;
  }
  return Status::Ok();
}

Status ParseRoute(const toml::table& t, size_t index, MailRoute* route) {
  const std::string where = fmt::format("mail.route[{}].", index);
  FG_RETURN_IF_ERROR(CheckKeys(t, {"dids", "to", "formats", "dsn", "mdn", "owner_too"}, where));
  FG_RETURN_IF_ERROR(ReadStrings(t, "dids", where, &route->dids));
  FG_RETURN_IF_ERROR(ReadString(t, "to", where, &route->to));
  if (route->to.empty() || route->to.find('@') == std::string::npos) {
    return BadKey(where, "to",
                  "must be a mail address or template such as \"FAX=$d$@example.com\"");
  }
  FG_RETURN_IF_ERROR(ReadStrings(t, "formats", where, &route->formats));
  FG_RETURN_IF_ERROR(CheckFormats(route->formats, where));
  FG_RETURN_IF_ERROR(ReadString(t, "dsn", where, &route->dsn));
  FG_RETURN_IF_ERROR(CheckDsn(route->dsn, where));
  FG_RETURN_IF_ERROR(ReadBool(t, "mdn", where, &route->mdn));
  return ReadBool(t, "owner_too", where, &route->owner_too);
}

}  // namespace

Status ParseMailConfig(const toml::table& t, MailConfig* mail) {
  const char* where = "mail.";
  FG_RETURN_IF_ERROR(
      CheckKeys(t,
                {"smtp_listen", "hostname", "fax_domains", "tls_certificate", "tls_key",
                 "max_message_bytes", "postmaster", "mail_from", "subject", "subject_append",
                 "formats", "dsn", "return_receipt_to", "queue_lifetime_h", "retry_s",
                 "spf_records", "dkim_keys", "trusted_authserv_ids", "route"},
                where));
  FG_RETURN_IF_ERROR(ReadString(t, "smtp_listen", where, &mail->smtp_listen));
  FG_RETURN_IF_ERROR(ReadString(t, "hostname", where, &mail->hostname));
  if (mail->hostname.empty()) return BadKey(where, "hostname", "must not be empty");
  FG_RETURN_IF_ERROR(ReadStrings(t, "fax_domains", where, &mail->fax_domains));
  std::string path;
  FG_RETURN_IF_ERROR(ReadString(t, "tls_certificate", where, &path));
  mail->tls_certificate = path;
  path.clear();
  FG_RETURN_IF_ERROR(ReadString(t, "tls_key", where, &path));
  mail->tls_key = path;
  if (mail->tls_certificate.empty() != mail->tls_key.empty()) {
    return BadKey(where, "tls_certificate", "and mail.tls_key must be set together");
  }
  if (const toml::node* size = t.get("max_message_bytes")) {
    auto v = size->value<int64_t>();
    if (!v || *v < 1024 || *v > (int64_t{1} << 31)) {
      return BadKey(where, "max_message_bytes", "must be a byte count from 1024 to 2147483648");
    }
    mail->max_message_bytes = *v;
  }
  FG_RETURN_IF_ERROR(ReadString(t, "postmaster", where, &mail->postmaster));
  FG_RETURN_IF_ERROR(ReadString(t, "mail_from", where, &mail->mail_from));
  FG_RETURN_IF_ERROR(ReadString(t, "subject", where, &mail->subject));
  if (t.get("subject_append")) {
    FG_RETURN_IF_ERROR(ReadChoice(t, "subject_append", where, {"calling", "called", "both", "none"},
                                  &mail->subject_append));
  }
  FG_RETURN_IF_ERROR(ReadStrings(t, "formats", where, &mail->formats));
  FG_RETURN_IF_ERROR(CheckFormats(mail->formats, where));
  FG_RETURN_IF_ERROR(ReadString(t, "dsn", where, &mail->dsn));
  FG_RETURN_IF_ERROR(CheckDsn(mail->dsn, where));
  FG_RETURN_IF_ERROR(ReadString(t, "return_receipt_to", where, &mail->return_receipt_to));
  FG_RETURN_IF_ERROR(ReadInt(t, "queue_lifetime_h", where, 1, 24 * 30, &mail->queue_lifetime_h));
  FG_RETURN_IF_ERROR(ReadInt(t, "retry_s", where, 1, 3600, &mail->retry_s));
  if (const toml::node* spf = t.get("spf_records")) {
    const toml::table* records = spf->as_table();
    if (!records) return BadKey(where, "spf_records", "must be a table of domain = \"v=spf1 ...\"");
    for (const auto& [domain, record] : *records) {
      auto text = record.value<std::string>();
      if (!text || text->rfind("v=spf1", 0) != 0) {
        return BadKey(where, fmt::format("spf_records.{}", domain.str()),
                      "must be an SPF record starting with \"v=spf1\"");
      }
      mail->spf_records[std::string(domain.str())] = *text;
    }
  }
  path.clear();
  FG_RETURN_IF_ERROR(ReadString(t, "dkim_keys", where, &path));
  mail->dkim_keys = path;
  FG_RETURN_IF_ERROR(ReadStrings(t, "trusted_authserv_ids", where, &mail->trusted_authserv_ids));
  if (const toml::node* routes = t.get("route")) {
    const toml::array* list = routes->as_array();
    if (!list) return BadKey(where, "route", "must be written as [[mail.route]] tables");
    for (size_t i = 0; i < list->size(); ++i) {
      const toml::table* route = (*list)[i].as_table();
      if (!route) return BadKey(where, "route", "must be written as [[mail.route]] tables");
      FG_RETURN_IF_ERROR(ParseRoute(*route, i, &mail->routes.emplace_back()));
    }
  }
  return Status::Ok();
}

}  // namespace faxgate
