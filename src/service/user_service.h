// Users, roles, passwords and API tokens. Admins (sysadmin, domainadmin) manage users; every
// user may read and change their own profile.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "base/clock.h"
#include "base/result.h"
#include "domain/user.h"
#include "store/store.h"

namespace faxgate {

struct NewUser {
  std::string name;
  std::string password;  // empty: one is generated and returned once
  Role role = Role::kUser;
  std::string full_name;
  std::string fax_number;
  std::string email;
  std::vector<std::string> other_emails;
  CallRights rights;
  bool notify_on_success = false;
  bool fax_by_email = true;
  std::string language;  // "en", "zh-CN", "" (the system default)
};

// Fields to change; empty optionals stay as they are.
struct UserChanges {
  std::optional<std::string> password;
  std::optional<Role> role;
  std::optional<std::string> full_name;
  std::optional<std::string> fax_number;
  std::optional<std::string> email;
  std::optional<std::vector<std::string>> other_emails;
  std::optional<CallRights> rights;
  std::optional<bool> notify_on_success;
  std::optional<bool> fax_by_email;
  std::optional<std::string> language;
  std::optional<bool> disabled;
  std::optional<std::string> company;  // cover page fields
  std::optional<std::string> phone;
  std::optional<std::string> cover;  // default cover template; "" for none
};

struct CreatedUser {
  User user;
  std::string password;  // the generated password, shown once; empty if the caller chose one
};

// The demo's first start: who was created and their secrets, shown once.
struct DemoAccounts {
  bool created = false;
  std::string admin_password;
  std::string demo_password;
  std::string admin_token;
};

class UserService {
 public:
  UserService(Store& store, const Clock& clock) : store_(store), clock_(clock) {}

  Result<CreatedUser> Create(const User& actor, const NewUser& request);
  Result<std::vector<User>> List(const User& actor);
  Result<User> Get(const User& actor, const std::string& name);
  Result<User> Update(const User& actor, const std::string& name, const UserChanges& changes);
  // Returns the token's secret; only its hash is stored.
  Result<std::string> CreateToken(const User& actor, const std::string& for_user,
                                  const std::string& token_name);
  Result<User> AuthenticateToken(const std::string& secret);
  Result<User> AuthenticatePassword(const std::string& name, const std::string& password);

  // On an empty store: creates admin (sysadmin, DID 8000) and demo (user, DID 8001) with
  // generated passwords and an admin token. Does nothing when any user exists.
  Result<DemoAccounts> EnsureDemoAccounts();

 private:
  Status CheckNewUser(const NewUser& request);

  Store& store_;
  const Clock& clock_;
};

}  // namespace faxgate
