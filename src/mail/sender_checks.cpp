#include "mail/sender_checks.h"

#include <algorithm>
#include <cstring>
#include <mutex>
#include <vector>

#include <fmt/format.h>

#include "base/log.h"
#include "mail/mail_address.h"

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
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

std::string_view TrimDot(std::string_view s) {
  if (!s.empty() && s.back() == '.') s.remove_suffix(1);
  return s;
}

// ---- SPF ----

SpfVerdict FromLibspf2(SPF_result_t result, SPF_errcode_t err) {
  switch (result) {
    case SPF_RESULT_PASS:
      return SpfVerdict::kPass;
    case SPF_RESULT_FAIL:
      return SpfVerdict::kFail;
    case SPF_RESULT_SOFTFAIL:
      return SpfVerdict::kSoftFail;
    case SPF_RESULT_NEUTRAL:
      return SpfVerdict::kNeutral;
    case SPF_RESULT_NONE:
      return SpfVerdict::kNone;
    case SPF_RESULT_TEMPERROR:
      return SpfVerdict::kTempError;
    case SPF_RESULT_PERMERROR:
      return SpfVerdict::kPermError;
    case SPF_RESULT_INVALID:
      break;
  }
  // libspf2 leaves the result unset when the lookup failed or the record did not compile.
  return err == SPF_E_DNS_ERROR ? SpfVerdict::kTempError : SpfVerdict::kPermError;
}

// Sets the client address; an IPv4-mapped IPv6 address (a dual-stack listener's view of an
// IPv4 client) is set as the IPv4 address, so that ip4: mechanisms match it.
bool SetClient(SPF_request_t* rq, std::string_view client_ip) {
  const std::string ip(client_ip);
  in_addr v4{};
  in6_addr v6{};
  if (inet_pton(AF_INET, ip.c_str(), &v4) == 1) return SPF_request_set_ipv4(rq, v4) == 0;
  if (inet_pton(AF_INET6, ip.c_str(), &v6) != 1) return false;
  if (IN6_IS_ADDR_V4MAPPED(&v6)) {
    std::memcpy(&v4, &v6.s6_addr[12], sizeof v4);
    return SPF_request_set_ipv4(rq, v4) == 0;
  }
  return SPF_request_set_ipv6(rq, v6) == 0;
}

bool LooksLikeDomain(std::string_view d) {
  if (d.empty() || d.front() == '[') return false;  // an address literal names no domain
  in6_addr unused{};
  const std::string s(d);
  if (inet_pton(AF_INET, s.c_str(), &unused) == 1) return false;
  return std::none_of(d.begin(), d.end(), [](char c) {
    return static_cast<unsigned char>(c) <= ' ' || c == '@' || c == '<' || c == '>';
  });
}

// libspf2's SPF_request_query_mailfrom() without its "localhost always gets a free ride".
SpfVerdict Evaluate(SPF_server_t* server, SPF_request_t* rq) {
  SPF_response_t* rp = SPF_response_new(rq);
  if (!rp) return SpfVerdict::kTempError;
  rq->cur_dom = rq->use_helo ? rq->helo_dom : rq->env_from_dp;
  SPF_record_t* record = nullptr;
  SPF_errcode_t err = SPF_server_get_record(server, rq, rp, &record);
  if (err == SPF_E_SUCCESS && record) {
    rp->spf_record_exp = record;
    err = SPF_record_interpret(record, rq, rp, 0);
    rp->spf_record_exp = nullptr;
  }
  if (record) SPF_record_free(record);
  const SpfVerdict v = FromLibspf2(SPF_response_result(rp), err);
  log::Get("mail")->trace("SPF for {} from {}: {} ({})", rq->cur_dom ? rq->cur_dom : "-",
                          rq->client_ver == AF_INET6 ? "IPv6 client" : "IPv4 client", ToString(v),
                          SPF_strerror(err));
  SPF_response_free(rp);
  return v;
}

// ---- DKIM ----

using LibPtr = std::unique_ptr<DKIM_LIB, decltype(&dkim_close)>;
using VerifyPtr = std::unique_ptr<DKIM, decltype(&dkim_free)>;

// libopendkim hashes what it is given, and canonical DKIM input ends lines in CRLF.
std::string ToCrlf(std::string_view raw) {
  std::string out;
  out.reserve(raw.size() + raw.size() / 32 + 2);
  for (size_t i = 0; i < raw.size(); ++i) {
    if (raw[i] == '\n' && (i == 0 || raw[i - 1] != '\r')) out += '\r';
    out += raw[i];
  }
  return out;
}

struct HeaderSummary {
  std::vector<std::string> names;  // lower case, as present in the message
  std::string from_domain;         // of the From field, when it holds one address
};

HeaderSummary SummariseHeader(std::string_view crlf) {
  HeaderSummary h;
  std::string from;
  bool in_from = false;
  for (size_t pos = 0; pos < crlf.size();) {
    size_t end = crlf.find("\r\n", pos);
    if (end == std::string_view::npos) end = crlf.size();
    const std::string_view line = crlf.substr(pos, end - pos);
    pos = end + 2;
    if (line.empty()) break;  // end of the header
    if (line.front() == ' ' || line.front() == '\t') {
      if (in_from) from += line;
      continue;
    }
    const size_t colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    std::string name = Lower(line.substr(0, colon));
    while (!name.empty() && (name.back() == ' ' || name.back() == '\t')) name.pop_back();
    in_from = name == "from";
    if (in_from) from = std::string(line.substr(colon + 1));
    h.names.push_back(std::move(name));
  }
  if (auto a = ParseMailAddress(from); a.ok()) h.from_domain = a->domain;
  return h;
}

std::vector<std::string> SignedFieldNames(DKIM_SIGINFO* sig) {
  unsigned char tag[] = "h";
  const unsigned char* h = dkim_sig_gettagvalue(sig, false, tag);
  std::vector<std::string> names;
  if (!h) return names;
  std::string_view list(reinterpret_cast<const char*>(h));
  for (size_t start = 0; start <= list.size();) {
    size_t colon = list.find(':', start);
    if (colon == std::string_view::npos) colon = list.size();
    std::string name;
    for (char c : list.substr(start, colon - start))
      if (c != ' ' && c != '\t' && c != '\r' && c != '\n') name += c;
    names.push_back(Lower(name));
    start = colon + 1;
  }
  return names;
}

std::string SigDomain(DKIM_SIGINFO* sig) {
  const unsigned char* d = dkim_sig_getdomain(sig);
  return d ? Lower(reinterpret_cast<const char*>(d)) : std::string("an unnamed domain");
}

// Why a signature that libopendkim did not pass fails, in plain words.
std::string FailureReason(DKIM_SIGINFO* sig) {
  const std::string d = SigDomain(sig);
  if ((dkim_sig_getflags(sig) & DKIM_SIGFLAG_PASSED) != 0 &&
      dkim_sig_getbh(sig) == DKIM_SIGBH_MISMATCH) {
    return fmt::format("the body of the mail was changed after {} signed it", d);
  }
  const int error = dkim_sig_geterror(sig);
  switch (error) {
    case DKIM_SIGERROR_BADSIG:
      return fmt::format(
          "the DKIM signature of {} does not match the mail: its header was "
          "changed after signing",
          d);
    case DKIM_SIGERROR_NOKEY: {
      const unsigned char* s = dkim_sig_getselector(sig);
      return fmt::format("no DKIM key is published for selector \"{}\" of {}",
                         s ? reinterpret_cast<const char*>(s) : "", d);
    }
    case DKIM_SIGERROR_KEYFAIL:
      return fmt::format("the DKIM key of {} could not be fetched (try again later)", d);
    case DKIM_SIGERROR_EXPIRED:
      return fmt::format("the DKIM signature of {} has expired", d);
    case DKIM_SIGERROR_FUTURE:
      return fmt::format("the DKIM signature of {} is dated in the future", d);
    case DKIM_SIGERROR_KEYREVOKED:
      return fmt::format("the DKIM key of {} has been revoked", d);
    case DKIM_SIGERROR_KEYTOOSMALL:
      return fmt::format("the DKIM key of {} is too short to be trusted", d);
    default: {
      const char* why = dkim_sig_geterrorstr(static_cast<DKIM_SIGERROR>(error));
      return fmt::format("the DKIM signature of {} is not valid ({})", d, why ? why : "unknown");
    }
  }
}

// For a signature libopendkim passed: empty when it also covers what a fax is made of.
std::string CoverageProblem(DKIM* v, DKIM_SIGINFO* sig, const HeaderSummary& header) {
  const std::vector<std::string> signed_names = SignedFieldNames(sig);
  for (const char* field : {"from", "to", "subject"}) {
    const bool present =
        std::find(header.names.begin(), header.names.end(), field) != header.names.end();
    const bool covered =
        std::find(signed_names.begin(), signed_names.end(), field) != signed_names.end();
    if (present && !covered) {
      std::string shown(field);
      shown[0] = static_cast<char>(shown[0] - 'a' + 'A');
      return fmt::format("the DKIM signature of {} does not cover the {} field", SigDomain(sig),
                         shown);
    }
  }
  ssize_t body = 0, hashed = 0, limit = 0;
  if (dkim_sig_getcanonlen(v, sig, &body, &hashed, &limit) == DKIM_STAT_OK && limit >= 0 &&
      limit < body) {
    return fmt::format("the DKIM signature of {} covers only the first {} bytes of the body",
                       SigDomain(sig), limit);
  }
  return "";
}

std::string StatusReason(DKIM_STAT st) {
  if (st == DKIM_STAT_NOSIG) return "the mail carries no DKIM signature";
  const char* why = dkim_getresultstr(st);
  return fmt::format("the mail could not be checked for DKIM ({})", why ? why : "unknown");
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
  std::mutex mutex;
  SPF_server_t* server = nullptr;
  // The in-memory zone of local records. A server made with SPF_server_new_dns() does not own
  // its DNS layer (libspf2 1.2.10), so it is freed here, after the server.
  SPF_dns_server_t* zone = nullptr;
  ~Impl() {
    if (server) SPF_server_free(server);
    if (zone) SPF_dns_free(zone);
  }
};

SpfChecker::SpfChecker(SpfOptions options) : impl_(std::make_unique<Impl>()) {
  if (options.local_records.empty()) {
    impl_->server = SPF_server_new(SPF_DNS_CACHE, 0);
    return;
  }
  impl_->zone = SPF_dns_zone_new(nullptr, "faxgate", 0);
  if (!impl_->zone) return;
  for (const auto& [domain, record] : options.local_records) {
    const std::string name = Lower(TrimDot(domain));
    SPF_dns_zone_add_str(impl_->zone, name.c_str(), ns_t_txt, NETDB_SUCCESS, record.c_str());
  }
  impl_->server = SPF_server_new_dns(impl_->zone, 0);
}

SpfChecker::~SpfChecker() = default;

SpfVerdict SpfChecker::Check(std::string_view client_ip, std::string_view helo,
                             std::string_view mail_from) {
  const size_t at = mail_from.rfind('@');
  const std::string_view from_domain =
      at == std::string_view::npos ? std::string_view() : mail_from.substr(at + 1);
  if (!mail_from.empty() && !LooksLikeDomain(from_domain)) return SpfVerdict::kNone;
  if (mail_from.empty() && !LooksLikeDomain(helo)) return SpfVerdict::kNone;

  std::lock_guard lock(impl_->mutex);
  if (!impl_->server) return SpfVerdict::kTempError;
  std::unique_ptr<SPF_request_t, decltype(&SPF_request_free)> rq(SPF_request_new(impl_->server),
                                                                 &SPF_request_free);
  if (!rq) return SpfVerdict::kTempError;
  if (!SetClient(rq.get(), client_ip)) {
    log::Get("mail")->debug("SPF: client address \"{}\" is not an IP address", client_ip);
    return SpfVerdict::kNone;
  }
  if (LooksLikeDomain(helo)) SPF_request_set_helo_dom(rq.get(), Lower(helo).c_str());
  if (!mail_from.empty()) {
    const std::string from = std::string(mail_from.substr(0, at + 1)) + Lower(TrimDot(from_domain));
    if (SPF_request_set_env_from(rq.get(), from.c_str()) != 0) return SpfVerdict::kNone;
  }
  return Evaluate(impl_->server, rq.get());
}

DkimVerdict VerifyDkim(std::string_view raw_message, const DkimOptions& options) {
  DkimVerdict out;
  LibPtr lib(dkim_init(nullptr, nullptr), &dkim_close);
  if (!lib) {
    out.reason = "the DKIM library could not start";
    return out;
  }
  if (!options.key_file.empty()) {
    dkim_query_t method = DKIM_QUERY_FILE;
    dkim_options(lib.get(), DKIM_OP_SETOPT, DKIM_OPTS_QUERYMETHOD, &method, sizeof method);
    std::string file = options.key_file.string();
    dkim_options(lib.get(), DKIM_OP_SETOPT, DKIM_OPTS_QUERYINFO, file.data(), file.size());
  }
  DKIM_STAT st = DKIM_STAT_OK;
  VerifyPtr v(
      dkim_verify(lib.get(), reinterpret_cast<const unsigned char*>("faxgate"), nullptr, &st),
      &dkim_free);
  if (!v) {
    out.reason = StatusReason(st);
    return out;
  }
  std::string crlf = ToCrlf(raw_message);
  st = dkim_chunk(v.get(), reinterpret_cast<unsigned char*>(crlf.data()), crlf.size());
  if (st == DKIM_STAT_OK) st = dkim_chunk(v.get(), nullptr, 0);
  if (st == DKIM_STAT_OK || st == DKIM_STAT_NOSIG) {
    const DKIM_STAT eom = dkim_eom(v.get(), nullptr);
    if (st == DKIM_STAT_OK) st = eom;
  }
  DKIM_SIGINFO** sigs = nullptr;
  int count = 0;
  if (st == DKIM_STAT_NOSIG || dkim_getsiglist(v.get(), &sigs, &count) != DKIM_STAT_OK ||
      count == 0) {
    out.reason = StatusReason(st == DKIM_STAT_OK ? DKIM_STAT_NOSIG : st);
    return out;
  }
  const HeaderSummary header = SummariseHeader(crlf);
  std::vector<std::string> passed;
  for (int i = 0; i < count; ++i) {
    DKIM_SIGINFO* sig = sigs[i];
    if ((dkim_sig_getflags(sig) & DKIM_SIGFLAG_IGNORE) != 0) continue;
    std::string problem =
        DKIM_SIG_CHECK(sig) ? CoverageProblem(v.get(), sig, header) : FailureReason(sig);
    if (problem.empty()) {
      passed.push_back(SigDomain(sig));
    } else if (out.reason.empty()) {
      out.reason = std::move(problem);
    }
  }
  if (passed.empty()) {
    if (out.reason.empty()) out.reason = StatusReason(st);
    return out;
  }
  // A mailing list adds its own signature; the author's aligned one is the one that matters.
  const auto aligned = std::find_if(passed.begin(), passed.end(), [&](const std::string& d) {
    return DkimAligned(header.from_domain, d);
  });
  out.pass = true;
  out.domain = aligned != passed.end() ? *aligned : passed.front();
  out.reason.clear();
  return out;
}

bool DkimAligned(std::string_view from_domain, std::string_view dkim_domain) {
  const std::string f = Lower(TrimDot(from_domain));
  const std::string d = Lower(TrimDot(dkim_domain));
  if (f.empty() || d.empty()) return false;
  if (f == d) return true;
  return f.size() > d.size() && f.ends_with(d) && f[f.size() - d.size() - 1] == '.';
}

}  // namespace faxgate::mail
