// Users, their roles and API tokens.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/clock.h"
#include "domain/job.h"
#include "domain/phone_number.h"

namespace faxgate {

enum class Role { kSysAdmin, kDomainAdmin, kUser };
std::string_view ToString(Role r);  // "sysadmin", "domainadmin", "user"
std::optional<Role> ParseRole(std::string_view s);
inline bool IsAdmin(Role r) { return r != Role::kUser; }

struct User {
  UserId id = 0;
  std::string name;  // login name, unique
  std::string full_name;
  std::string password_hash;  // argon2id encoded string ("$argon2id$v=19$...")
  Role role = Role::kUser;
  std::string fax_number;  // personal fax number (DID) as configured, e.g. "8001"; unique
  std::string email;       // primary email
  std::string company;     // for cover pages
  std::string phone;       // for cover pages
  std::string cover;       // default cover page template; empty: no cover unless a job asks
  std::vector<std::string> other_emails;
  CallRights rights;
  std::string language;      // "en", "zh-CN"; empty: the system's default_language
  bool fax_by_email = true;  // may send faxes by mail (OffRamp, the shared mailbox)
  bool notify_on_success = false;
  bool must_change_password = false;
  bool disabled = false;
  TimePoint created_at{};
};

// A cover page template kept in the store: an SVG with {$FIELD} placeholders. Built-in
// templates live in the document module; a stored one of the same name replaces it.
struct CoverTemplateRecord {
  std::string name;   // "plain", "business", "acme-letterhead"
  std::string title;  // what the portal shows
  std::string svg;
  TimePoint updated_at{};
};

struct ApiToken {
  int64_t id = 0;
  UserId user_id = 0;
  std::string name;        // what it is for ("demo admin", "crm")
  std::string token_hash;  // SHA-256 hex of the secret; the secret is shown once
  TimePoint created_at{};
  std::optional<TimePoint> last_used_at;
};

}  // namespace faxgate
