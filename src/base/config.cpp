#include "base/config.h"

#include <set>
#include <sstream>

#include <fmt/format.h>
#include <toml++/toml.h>

#include "base/files.h"
#include "base/telephony_config.h"
#include "base/toml_reader.h"

namespace faxgate {
namespace {

using toml_reader::CheckKeys;

Result<std::vector<std::string>> StringList(const toml::table& t, std::string_view key) {
  std::vector<std::string> out;
  const toml::node* node = t.get(key);
  if (!node) return out;
  const toml::array* arr = node->as_array();
  if (!arr) {
    return MakeError(ErrorCode::kInvalidArgument,
                     fmt::format("faxgate.toml: loopback.{} must be a list of numbers", key));
  }
  for (const auto& item : *arr) {
    if (auto s = item.value<std::string>()) {
      out.push_back(*s);
    } else {
      return MakeError(ErrorCode::kInvalidArgument,
                       fmt::format("faxgate.toml: loopback.{} must list numbers as strings", key));
    }
  }
  return out;
}

Status ParseLoopback(const toml::table& t, LoopbackTrunkConfig* lb) {
  FG_RETURN_IF_ERROR(CheckKeys(t,
                               {"enabled", "pace", "channels", "busy", "no_answer", "no_fax",
                                "drop_after_pages", "fail_count"},
                               "loopback."));
  lb->enabled = t["enabled"].value_or(lb->enabled);
  std::string pace = t["pace"].value_or(std::string("realtime"));
  if (pace == "realtime") {
    lb->pace = Pace::kRealtime;
  } else if (pace == "fast") {
    lb->pace = Pace::kFast;
  } else {
    return MakeError(
        ErrorCode::kInvalidArgument,
        fmt::format("faxgate.toml: loopback.pace is '{}'; use \"realtime\" or \"fast\"", pace));
  }
  lb->channels = static_cast<int>(t["channels"].value_or(int64_t{lb->channels}));
  if (lb->channels < 1 || lb->channels > 10000) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "faxgate.toml: loopback.channels must be 1..10000");
  }
  FG_ASSIGN_OR_RETURN(lb->busy, StringList(t, "busy"));
  FG_ASSIGN_OR_RETURN(lb->no_answer, StringList(t, "no_answer"));
  FG_ASSIGN_OR_RETURN(lb->no_fax, StringList(t, "no_fax"));
  lb->fail_count = static_cast<int>(t["fail_count"].value_or(int64_t{0}));
  if (const toml::table* drops = t["drop_after_pages"].as_table()) {
    for (const auto& [number, pages] : *drops) {
      auto n = pages.value<int64_t>();
      if (!n || *n < 1) {
        return MakeError(ErrorCode::kInvalidArgument,
                         fmt::format("faxgate.toml: loopback.drop_after_pages.{} must be a page "
                                     "count of 1 or more",
                                     number.str()));
      }
      lb->drop_after_pages[std::string(number.str())] = static_cast<int>(*n);
    }
  }
  return Status::Ok();
}

}  // namespace

Result<Config> ParseConfig(std::string_view toml_text) {
  toml::table root;
  try {
    root = toml::parse(toml_text);
  } catch (const toml::parse_error& e) {
    std::ostringstream where;
    where << e.source().begin;
    return MakeError(ErrorCode::kInvalidArgument,
                     fmt::format("faxgate.toml: {} at {}", e.description(), where.str()));
  }
  Config config;
  FG_RETURN_IF_ERROR(CheckKeys(root,
                               {"data_dir", "http", "log", "media", "loopback", "calls",
                                "documents", "sip", "trunk", "mail"},
                               ""));
  if (auto dir = root["data_dir"].value<std::string>()) config.data_dir = *dir;
  if (const toml::table* http = root["http"].as_table()) {
    FG_RETURN_IF_ERROR(CheckKeys(*http, {"listen"}, "http."));
    config.http_listen = (*http)["listen"].value_or(config.http_listen);
  }
  if (const toml::table* log = root["log"].as_table()) {
    FG_RETURN_IF_ERROR(CheckKeys(*log, {"level"}, "log."));
    config.log_level = (*log)["level"].value_or(config.log_level);
  }
  if (const toml::table* calls = root["calls"].as_table()) {
    FG_RETURN_IF_ERROR(CheckKeys(*calls, {"max_concurrent"}, "calls."));
    config.max_concurrent_calls = static_cast<int>((*calls)["max_concurrent"].value_or(int64_t{0}));
  }
  if (const toml::table* lb = root["loopback"].as_table()) {
    FG_RETURN_IF_ERROR(ParseLoopback(*lb, &config.loopback));
  }
  if (const toml::table* docs = root["documents"].as_table()) {
    FG_RETURN_IF_ERROR(
        CheckKeys(*docs, {"workers", "office_instances", "timeout_s", "max_pages", "memory_mb"},
                  "documents."));
    DocumentsConfig& d = config.documents;
    const std::pair<const char*, int*> ints[] = {{"workers", &d.workers},
                                                 {"office_instances", &d.office_instances},
                                                 {"timeout_s", &d.timeout_s},
                                                 {"max_pages", &d.max_pages},
                                                 {"memory_mb", &d.memory_mb}};
    for (const auto& [key, field] : ints) {
      const int64_t v = (*docs)[key].value_or(int64_t{*field});
      if (v < 1 || v > 1000000) {
        return MakeError(ErrorCode::kInvalidArgument,
                         fmt::format("faxgate.toml: documents.{} = {} is out of range", key, v));
      }
      *field = static_cast<int>(v);
    }
  }
  FG_RETURN_IF_ERROR(ParseTelephonyConfig(root, &config));
  if (const toml::table* mail = root["mail"].as_table()) {
    FG_RETURN_IF_ERROR(ParseMailConfig(*mail, &config.mail));
  }
  // The loopback trunk is the demo's: once real trunks are configured it is off unless the
  // operator keeps it on explicitly.
  if (!config.trunks.empty() && !root["loopback"]["enabled"]) config.loopback.enabled = false;
  return config;
}

Result<Config> LoadConfig(const std::filesystem::path& path) {
  auto text = ReadFile(path);
  if (!text.ok()) {
    return MakeError(ErrorCode::kInvalidArgument,
                     fmt::format("cannot read configuration file {}", path.string()));
  }
  auto config = ParseConfig(*text);
  if (config.ok()) config->source_path = path;
  return config;
}

}  // namespace faxgate
