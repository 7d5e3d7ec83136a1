// [sip], [media] and [[trunk]] of faxgate.toml.
#include "base/telephony_config.h"

#include <cctype>
#include <cstdio>

#include <fmt/format.h>

#include "base/toml_reader.h"

namespace faxgate {
namespace {

using namespace toml_reader;

Status ParseSip(const toml::table& t, SipConfig* sip) {
  const char* where = "sip.";
  FG_RETURN_IF_ERROR(CheckKeys(t,
                               {"listen", "tls_port", "tls_certificates", "tls_verify",
                                "public_address", "user_agent", "session_expires_s"},
                               where));
  FG_RETURN_IF_ERROR(ReadString(t, "listen", where, &sip->listen));
  FG_RETURN_IF_ERROR(ReadInt(t, "tls_port", where, 0, 65535, &sip->tls_port));
  std::string certs;
  FG_RETURN_IF_ERROR(ReadString(t, "tls_certificates", where, &certs));
  if (!certs.empty()) sip->tls_certificates = certs;
  FG_RETURN_IF_ERROR(ReadBool(t, "tls_verify", where, &sip->tls_verify));
  FG_RETURN_IF_ERROR(ReadString(t, "public_address", where, &sip->public_address));
  FG_RETURN_IF_ERROR(ReadString(t, "user_agent", where, &sip->user_agent));
  FG_RETURN_IF_ERROR(ReadInt(t, "session_expires_s", where, 0, 86400, &sip->session_expires_s));
  if (sip->session_expires_s != 0 && sip->session_expires_s < 90) {
    return BadKey(where, "session_expires_s", "must be 0 (off) or at least 90 (RFC 4028)");
  }
  if (sip->tls_port != 0 && sip->tls_certificates.empty()) {
    return BadKey(where, "tls_port", "needs sip.tls_certificates (a directory with agent.pem)");
  }
  return Status::Ok();
}

Status ParseMedia(const toml::table& t, Config* config) {
  const char* where = "media.";
  MediaConfig& m = config->media;
  FG_RETURN_IF_ERROR(CheckKeys(t,
                               {"workers", "address", "public_address", "ports", "jitter_ms",
                                "impair_loss", "impair_jitter_ms"},
                               where));
  FG_RETURN_IF_ERROR(ReadInt(t, "workers", where, 0, 256, &config->media_workers));
  FG_RETURN_IF_ERROR(ReadString(t, "address", where, &m.address));
  FG_RETURN_IF_ERROR(ReadString(t, "public_address", where, &m.public_address));
  std::string ports;
  FG_RETURN_IF_ERROR(ReadString(t, "ports", where, &ports));
  if (!ports.empty()) {
    int first = 0, last = 0;
    char dash = 0;
    std::string rest;
    if (std::sscanf(ports.c_str(), "%d%c%d", &first, &dash, &last) != 3 || dash != '-' ||
        first < 1024 || last > 65535 || last - first < 3) {
      return BadKey(where, "ports",
                    fmt::format("is '{}'; write a range like \"20000-29999\" (1024..65535, at "
                                "least 4 ports)",
                                ports));
    }
    m.first_port = first;
    m.last_port = last;
  }
  FG_RETURN_IF_ERROR(ReadInt(t, "jitter_ms", where, 20, 1000, &m.jitter_ms));
  if (const toml::node* loss = t.get("impair_loss")) {
    auto v = loss->value<double>();
    if (!v || *v < 0 || *v > 0.5) return BadKey(where, "impair_loss", "must be 0..0.5");
    m.impair_loss = *v;
  }
  FG_RETURN_IF_ERROR(ReadInt(t, "impair_jitter_ms", where, 0, 500, &m.impair_jitter_ms));
  return Status::Ok();
}

Status CheckPatterns(const std::vector<std::string>& patterns, std::string_view where,
                     std::string_view key) {
  for (const std::string& p : patterns) {
    const bool ok = !p.empty() && p.find('*') >= p.size() - 1 &&
                    p.find_first_not_of("0123456789+*#") == std::string::npos;
    if (!ok) {
      return BadKey(where, key,
                    fmt::format("has '{}'; write digits, optionally ending in * (\"86*\", "
                                "\"*\")",
                                p));
    }
  }
  return Status::Ok();
}

Status ParseTrunk(const toml::table& t, size_t index, TrunkConfig* trunk) {
  const std::string where = fmt::format("trunk[{}].", index);
  FG_RETURN_IF_ERROR(CheckKeys(t,
                               {"name",
                                "proxy",
                                "registrar",
                                "register",
                                "register_expires_s",
                                "user",
                                "auth_user",
                                "password",
                                "realm",
                                "domain",
                                "transport",
                                "caller_number",
                                "codecs",
                                "t38",
                                "t38_reinvite",
                                "t38_sender_wait_s",
                                "t38_error_correction",
                                "t38_redundancy",
                                "audio_redundancy",
                                "t38_max_datagram",
                                "channels",
                                "outbound",
                                "priority",
                                "dids",
                                "dtmf",
                                "extension_wait_s",
                                "answer_timeout_s",
                                "ecm"},
                               where));
  FG_RETURN_IF_ERROR(ReadString(t, "name", where, &trunk->name));
  if (trunk->name.empty()) trunk->name = fmt::format("trunk{}", index + 1);
  FG_RETURN_IF_ERROR(ReadString(t, "proxy", where, &trunk->proxy));
  if (trunk->proxy.empty()) {
    return BadKey(where, "proxy", "is missing: name the host[:port] calls go to");
  }
  FG_RETURN_IF_ERROR(ReadString(t, "registrar", where, &trunk->registrar));
  FG_RETURN_IF_ERROR(ReadBool(t, "register", where, &trunk->do_register));
  FG_RETURN_IF_ERROR(
      ReadInt(t, "register_expires_s", where, 60, 86400, &trunk->register_expires_s));
  FG_RETURN_IF_ERROR(ReadString(t, "user", where, &trunk->user));
  FG_RETURN_IF_ERROR(ReadString(t, "auth_user", where, &trunk->auth_user));
  FG_RETURN_IF_ERROR(ReadString(t, "password", where, &trunk->password));
  FG_RETURN_IF_ERROR(ReadString(t, "realm", where, &trunk->realm));
  FG_RETURN_IF_ERROR(ReadString(t, "domain", where, &trunk->domain));
  FG_RETURN_IF_ERROR(ReadChoice(t, "transport", where, {"udp", "tcp", "tls"}, &trunk->transport));
  FG_RETURN_IF_ERROR(ReadString(t, "caller_number", where, &trunk->caller_number));
  FG_RETURN_IF_ERROR(ReadStrings(t, "codecs", where, &trunk->codecs));
  if (trunk->codecs.empty()) return BadKey(where, "codecs", "must name PCMA and/or PCMU");
  for (std::string& c : trunk->codecs) {
    for (char& ch : c) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
    if (c != "PCMA" && c != "PCMU") {
      return BadKey(where, "codecs", fmt::format("has '{}'; faxgate speaks PCMA and PCMU", c));
    }
  }
  FG_RETURN_IF_ERROR(ReadBool(t, "t38", where, &trunk->t38));
  FG_RETURN_IF_ERROR(
      ReadChoice(t, "t38_reinvite", where, {"receiver", "both", "never"}, &trunk->t38_reinvite));
  FG_RETURN_IF_ERROR(ReadInt(t, "t38_sender_wait_s", where, 0, 60, &trunk->t38_sender_wait_s));
  FG_RETURN_IF_ERROR(ReadChoice(t, "t38_error_correction", where, {"redundancy", "fec", "none"},
                                &trunk->t38_error_correction));
  FG_RETURN_IF_ERROR(ReadInt(t, "t38_redundancy", where, 1, 8, &trunk->t38_redundancy));
  FG_RETURN_IF_ERROR(ReadInt(t, "audio_redundancy", where, 0, 5, &trunk->audio_redundancy));
  FG_RETURN_IF_ERROR(ReadInt(t, "t38_max_datagram", where, 0, 1500, &trunk->t38_max_datagram));
  FG_RETURN_IF_ERROR(ReadInt(t, "channels", where, 1, 10000, &trunk->channels));
  FG_RETURN_IF_ERROR(ReadStrings(t, "outbound", where, &trunk->outbound));
  FG_RETURN_IF_ERROR(CheckPatterns(trunk->outbound, where, "outbound"));
  FG_RETURN_IF_ERROR(ReadInt(t, "priority", where, 0, 1000000, &trunk->priority));
  FG_RETURN_IF_ERROR(ReadStrings(t, "dids", where, &trunk->dids));
  FG_RETURN_IF_ERROR(CheckPatterns(trunk->dids, where, "dids"));
  FG_RETURN_IF_ERROR(ReadChoice(t, "dtmf", where, {"auto", "rfc4733", "inband"}, &trunk->dtmf));
  FG_RETURN_IF_ERROR(ReadInt(t, "extension_wait_s", where, 0, 60, &trunk->extension_wait_s));
  FG_RETURN_IF_ERROR(ReadInt(t, "answer_timeout_s", where, 5, 300, &trunk->answer_timeout_s));
  FG_RETURN_IF_ERROR(ReadBool(t, "ecm", where, &trunk->ecm));
  return Status::Ok();
}

}  // namespace

Status ParseTelephonyConfig(const toml::table& root, Config* config) {
  if (const toml::table* sip = root["sip"].as_table()) {
    FG_RETURN_IF_ERROR(ParseSip(*sip, &config->sip));
  }
  if (const toml::table* media = root["media"].as_table()) {
    FG_RETURN_IF_ERROR(ParseMedia(*media, config));
  }
  if (const toml::node* trunks = root.get("trunk")) {
    const toml::array* arr = trunks->as_array();
    if (!arr) return BadKey("", "trunk", "must be an array of tables ([[trunk]])");
    for (size_t i = 0; i < arr->size(); ++i) {
      const toml::table* t = (*arr)[i].as_table();
      if (!t) return BadKey("", "trunk", "must be an array of tables ([[trunk]])");
      TrunkConfig trunk;
      FG_RETURN_IF_ERROR(ParseTrunk(*t, i, &trunk));
      for (const TrunkConfig& other : config->trunks) {
        if (other.name == trunk.name) {
          return BadKey(fmt::format("trunk[{}].", i), "name",
                        fmt::format("'{}' is used by another trunk", trunk.name));
        }
      }
      config->trunks.push_back(std::move(trunk));
    }
  }
  return Status::Ok();
}

bool NumberPatternMatches(const std::string& pattern, std::string_view number) {
  if (!pattern.empty() && pattern.back() == '*') {
    return number.substr(0, pattern.size() - 1) ==
           std::string_view(pattern).substr(0, pattern.size() - 1);
  }
  return number == pattern;
}

}  // namespace faxgate
