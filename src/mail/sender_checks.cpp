#include "mail/sender_checks.h"

#include <cstring>

#include <fmt/format.h>

extern "C" {
#include <arpa/inet.h>
#include <arpa/nameser.h>
#include <netinet/in.h>
#include <spf2/spf.h>
#include <spf2/spf_dns_zone.h>
#define _Bool bool  // dkim.h uses C99 _Bool
#include <opendkim/dkim.h>
#undef _Bool
}

namespace faxgate::mail {
namespace {

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace

std::string_view ToString(SpfVerdict v) {
  switch (v) {
    case SpfVerdict::kNone:
      return "none";
    case SpfVerdict::kNeutral:
      return "neutral";
    case SpfVerdict::kPass:
      return "pass";
    case SpfVerdict::kFail:
      return "fail";
    case SpfVerdict::kSoftFail:
      return "softfail";
    case SpfVerdict::kTempError:
      return "temperror";
    case SpfVerdict::kPermError:
      return "permerror";
  }
  return "none";
}

struct SpfChecker::Impl {
  SPF_server_t* server = nullptr;
  ~Impl() {
    if (server) SPF_server_free(server);
  }
};

SpfChecker::SpfChecker(SpfOptions options) : impl_(std::make_unique<Impl>()) {
  if (options.local_records.empty()) {
    impl_->server = SPF_server_new(SPF_DNS_CACHE, 0);
  } else {
    SPF_dns_server_t* zone = SPF_dns_zone_new(nullptr, "faxgate", 0);
    for (const auto& [domain, record] : options.local_records)
      SPF_dns_zone_add_str(zone, domain.c_str(), ns_t_txt, NETDB_SUCCESS, record.c_str());
    impl_->server = SPF_server_new_dns(zone, 0);
  }
}

SpfChecker::~SpfChecker() = default;

SpfVerdict SpfChecker::Check(std::string_view client_ip, std::string_view helo,
                             std::string_view mail_from) {
  std::lock_guard lock(mutex_);
  if (!impl_->server) return SpfVerdict::kTempError;
  SPF_request_t* rq = SPF_request_new(impl_->server);
  const std::string ip(client_ip);
  const bool v6 = ip.find(':') != std::string::npos;
  if ((v6 ? SPF_request_set_ipv6_str(rq, ip.c_str()) : SPF_request_set_ipv4_str(rq, ip.c_str())) !=
      0) {
    SPF_request_free(rq);
    return SpfVerdict::kPermError;
  }
  const std::string h(helo.empty() ? "unknown" : helo);
  SPF_request_set_helo_dom(rq, h.c_str());
  const std::string from(mail_from);
  if (!from.empty()) SPF_request_set_env_from(rq, from.c_str());
  SPF_response_t* rp = nullptr;
  SPF_request_query_mailfrom(rq, &rp);
  SpfVerdict v = SpfVerdict::kNone;
  switch (rp ? SPF_response_result(rp) : SPF_RESULT_NONE) {
    case SPF_RESULT_PASS:
      v = SpfVerdict::kPass;
      break;
    case SPF_RESULT_FAIL:
      v = SpfVerdict::kFail;
      break;
    case SPF_RESULT_SOFTFAIL:
      v = SpfVerdict::kSoftFail;
      break;
    case SPF_RESULT_NEUTRAL:
      v = SpfVerdict::kNeutral;
      break;
    case SPF_RESULT_TEMPERROR:
      v = SpfVerdict::kTempError;
      break;
    case SPF_RESULT_PERMERROR:
      v = SpfVerdict::kPermError;
      break;
    default:
      v = SpfVerdict::kNone;
      break;
  }
  if (rp) SPF_response_free(rp);
  SPF_request_free(rq);
  return v;
}

DkimVerdict VerifyDkim(std::string_view raw, const DkimOptions& options) {
  DkimVerdict out;
  DKIM_LIB* lib = dkim_init(nullptr, nullptr);
  if (!lib) {
    out.reason = "DKIM library could not start";
    return out;
  }
  if (!options.key_file.empty()) {
    int method = DKIM_QUERY_FILE;
    dkim_options(lib, DKIM_OP_SETOPT, DKIM_OPTS_QUERYMETHOD, &method, sizeof method);
    const std::string file = options.key_file.string();
    dkim_options(lib, DKIM_OP_SETOPT, DKIM_OPTS_QUERYINFO, const_cast<char*>(file.c_str()),
                 file.size());
  }
  DKIM_STAT st = DKIM_STAT_OK;
  DKIM* v = dkim_verify(lib, reinterpret_cast<const unsigned char*>("faxgate"), nullptr, &st);
  if (!v) {
    out.reason = "DKIM verification could not start";
    dkim_close(lib);
    return out;
  }
  // libopendkim wants CRLF line ends.
  std::string crlf;
  crlf.reserve(raw.size() + raw.size() / 40);
  for (size_t i = 0; i < raw.size(); ++i) {
    if (raw[i] == '\n' && (i == 0 || raw[i - 1] != '\r')) crlf += '\r';
    crlf += raw[i];
  }
  st = dkim_chunk(v, reinterpret_cast<unsigned char*>(crlf.data()), crlf.size());
  if (st == DKIM_STAT_OK) st = dkim_chunk(v, nullptr, 0);
  if (st == DKIM_STAT_OK) st = dkim_eom(v, nullptr);
  if (st == DKIM_STAT_OK) {
    DKIM_SIGINFO* sig = dkim_getsignature(v);
    if (sig) {
      const unsigned char* d = dkim_sig_getdomain(sig);
      out.domain = d ? Lower(reinterpret_cast<const char*>(d)) : "";
    }
    out.pass = !out.domain.empty();
    if (!out.pass) out.reason = "no signing domain";
  } else {
    const char* why = dkim_getresultstr(st);
    out.reason = st == DKIM_STAT_NOSIG ? "the mail is not signed" : (why ? why : "failed");
  }
  dkim_free(v);
  dkim_close(lib);
  return out;
}

bool DkimAligned(std::string_view from_domain, std::string_view dkim_domain) {
  const std::string f = Lower(from_domain), d = Lower(dkim_domain);
  if (d.empty()) return false;
  return f == d || (f.size() > d.size() && f.compare(f.size() - d.size(), d.size(), d) == 0 &&
                    f[f.size() - d.size() - 1] == '.');
}

}  // namespace faxgate::mail
