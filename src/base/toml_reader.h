// Private to base: small readers for faxgate.toml sections that name the key in every error, so
// an operator sees "faxgate.toml: trunk[1].channels must be 1..10000", not a default kept silently.
#pragma once

#include <cstdint>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>
#include <toml++/toml.h>

#include "base/result.h"

namespace faxgate::toml_reader {

inline Error BadKey(std::string_view where, std::string_view key, std::string_view what) {
  return MakeError(ErrorCode::kInvalidArgument,
                   fmt::format("faxgate.toml: {}{} {}", where, key, what));
}

inline Status CheckKeys(const toml::table& table, const std::set<std::string>& known,
                        std::string_view where) {
  for (const auto& [key, value] : table) {
    if (!known.count(std::string(key.str()))) {
      return MakeError(ErrorCode::kInvalidArgument,
                       fmt::format("faxgate.toml: unknown key '{}{}'", where, key.str()));
    }
  }
  return Status::Ok();
}

// A list of strings; absent keeps `*out`.
inline Status ReadStrings(const toml::table& t, std::string_view key, std::string_view where,
                          std::vector<std::string>* out) {
  const toml::node* node = t.get(key);
  if (!node) return Status::Ok();
  const toml::array* arr = node->as_array();
  if (!arr) return BadKey(where, key, "must be a list of strings");
  out->clear();
  for (const auto& item : *arr) {
    auto s = item.value<std::string>();
    if (!s) return BadKey(where, key, "must be a list of strings (write numbers in quotes)");
    out->push_back(*s);
  }
  return Status::Ok();
}

inline Status ReadString(const toml::table& t, std::string_view key, std::string_view where,
                         std::string* out) {
  const toml::node* node = t.get(key);
  if (!node) return Status::Ok();
  auto s = node->value<std::string>();
  if (!s || !node->is_string()) return BadKey(where, key, "must be a string");
  *out = *s;
  return Status::Ok();
}

inline Status ReadBool(const toml::table& t, std::string_view key, std::string_view where,
                       bool* out) {
  const toml::node* node = t.get(key);
  if (!node) return Status::Ok();
  if (!node->is_boolean()) return BadKey(where, key, "must be true or false");
  *out = *node->value<bool>();
  return Status::Ok();
}

inline Status ReadInt(const toml::table& t, std::string_view key, std::string_view where,
                      int64_t min, int64_t max, int* out) {
  const toml::node* node = t.get(key);
  if (!node) return Status::Ok();
  if (!node->is_integer()) return BadKey(where, key, "must be a whole number");
  const int64_t v = *node->value<int64_t>();
  if (v < min || v > max) return BadKey(where, key, fmt::format("must be {}..{}", min, max));
  *out = static_cast<int>(v);
  return Status::Ok();
}

inline Status ReadChoice(const toml::table& t, std::string_view key, std::string_view where,
                         const std::set<std::string>& choices, std::string* out) {
  FG_RETURN_IF_ERROR(ReadString(t, key, where, out));
  if (!choices.count(*out)) {
    std::string list;
    for (const auto& c : choices) list += (list.empty() ? "\"" : ", \"") + c + "\"";
    return BadKey(where, key, fmt::format("is '{}'; use one of {}", *out, list));
  }
  return Status::Ok();
}

}  // namespace faxgate::toml_reader
