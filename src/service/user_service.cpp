#include "service/user_service.h"

#include <cctype>

#include <fmt/format.h>

#include "base/files.h"
#include "base/log.h"
#include "service/password.h"

namespace faxgate {
namespace {

Status RequireAdmin(const User& actor, std::string_view what) {
  if (IsAdmin(actor.role)) return Status::Ok();
  return MakeError(
      ErrorCode::kPermissionDenied,
      fmt::format("only an administrator may {}; you are signed in as {}", what, actor.name));
}

bool ValidUserName(const std::string& name) {
  if (name.empty() || name.size() > 64) return false;
  for (unsigned char c : name)
    if (!std::isalnum(c) && c != '.' && c != '_' && c != '-' && c != '@') return false;
  return true;
}

bool ValidFaxNumber(const std::string& n) {
  if (n.size() > 32) return false;
  for (unsigned char c : n)
    if (!std::isdigit(c) && c != '+') return false;
  return true;
}

}  // namespace

Status UserService::CheckNewUser(const NewUser& r) {
  if (!ValidUserName(r.name)) {
    return MakeError(ErrorCode::kInvalidArgument,
                     fmt::format("'{}' is not a valid user name: use 1 to 64 letters, digits, "
                                 "'.', '_', '-' or '@'",
                                 r.name));
  }
  if (!ValidFaxNumber(r.fax_number)) {
    return MakeError(ErrorCode::kInvalidArgument,
                     fmt::format("'{}' is not a valid fax number (DID): digits only, optionally "
                                 "starting with '+'",
                                 r.fax_number));
  }
  if (!r.password.empty() && r.password.size() < 8) {
    return MakeError(ErrorCode::kInvalidArgument, "a password must have at least 8 characters");
  }
  return Status::Ok();
}

Result<CreatedUser> UserService::Create(const User& actor, const NewUser& r) {
  FG_RETURN_IF_ERROR(RequireAdmin(actor, "create users"));
  if (r.role == Role::kSysAdmin && actor.role != Role::kSysAdmin) {
    return MakeError(ErrorCode::kPermissionDenied, "only a system administrator may create one");
  }
  FG_RETURN_IF_ERROR(CheckNewUser(r));
  CreatedUser out;
  std::string password = r.password;
  if (password.empty()) out.password = password = GeneratePassword();
  User u;
  u.name = r.name;
  u.full_name = r.full_name;
  u.role = r.role;
  u.fax_number = r.fax_number;
  u.email = r.email;
  u.other_emails = r.other_emails;
  u.rights = r.rights;
  u.notify_on_success = r.notify_on_success;
  u.fax_by_email = r.fax_by_email;
  u.language = r.language == "zh-CN" ? "zh-CN" : (r.language == "en" ? "en" : "");
  u.must_change_password = true;
  u.created_at = clock_.Now();
  FG_ASSIGN_OR_RETURN(u.password_hash, HashPassword(password));
  FG_ASSIGN_OR_RETURN(out.user, store_.CreateUser(u));
  log::Get("app")->info("user {} created by {} (role {}, fax number {})", u.name, actor.name,
                        ToString(u.role), u.fax_number.empty() ? "none" : u.fax_number);
  return out;
}

Result<std::vector<User>> UserService::List(const User& actor) {
  FG_RETURN_IF_ERROR(RequireAdmin(actor, "list users"));
  return store_.ListUsers();
}

Result<User> UserService::Get(const User& actor, const std::string& name) {
  if (actor.name != name) FG_RETURN_IF_ERROR(RequireAdmin(actor, "read other users"));
  return store_.FindUserByName(name);
}

Result<User> UserService::Update(const User& actor, const std::string& name, const UserChanges& c) {
  const bool self = actor.name == name;
  if (!self || c.role || c.fax_number || c.rights || c.disabled) {
    FG_RETURN_IF_ERROR(RequireAdmin(actor, "change another user's role, fax number or rights"));
  }
  FG_ASSIGN_OR_RETURN(User u, store_.FindUserByName(name));
  if (c.password) {
    if (c.password->size() < 8) {
      return MakeError(ErrorCode::kInvalidArgument, "a password must have at least 8 characters");
    }
    FG_ASSIGN_OR_RETURN(u.password_hash, HashPassword(*c.password));
    u.must_change_password = !self;
  }
  if (c.fax_number && !ValidFaxNumber(*c.fax_number)) {
    return MakeError(ErrorCode::kInvalidArgument,
                     fmt::format("'{}' is not a valid fax number (DID)", *c.fax_number));
  }
  if (c.role) u.role = *c.role;
  if (c.full_name) u.full_name = *c.full_name;
  if (c.fax_number) u.fax_number = *c.fax_number;
  if (c.email) u.email = *c.email;
  if (c.company) u.company = *c.company;
  if (c.phone) u.phone = *c.phone;
  if (c.cover) u.cover = *c.cover == "none" ? "" : *c.cover;
  if (c.other_emails) u.other_emails = *c.other_emails;
  if (c.rights) u.rights = *c.rights;
  if (c.notify_on_success) u.notify_on_success = *c.notify_on_success;
  if (c.fax_by_email) u.fax_by_email = *c.fax_by_email;
  if (c.language) {
    if (!c.language->empty() && *c.language != "en" && *c.language != "zh-CN") {
      return MakeError(ErrorCode::kInvalidArgument,
                       fmt::format("language '{}': use en or zh-CN", *c.language));
    }
    u.language = *c.language;
  }
  if (c.disabled) u.disabled = *c.disabled;
  FG_RETURN_IF_ERROR(store_.UpdateUser(u));
  return u;
}

Result<std::string> UserService::CreateToken(const User& actor, const std::string& for_user,
                                             const std::string& token_name) {
  if (actor.name != for_user) FG_RETURN_IF_ERROR(RequireAdmin(actor, "create tokens for others"));
  FG_ASSIGN_OR_RETURN(User u, store_.FindUserByName(for_user));
  std::string secret = "fgt_" + RandomHex(24);
  ApiToken t;
  t.user_id = u.id;
  t.name = token_name.empty() ? "api" : token_name;
  t.token_hash = Sha256Hex(secret);
  t.created_at = clock_.Now();
  FG_RETURN_IF_ERROR(store_.CreateToken(t));
  return secret;
}

Result<User> UserService::AuthenticateToken(const std::string& secret) {
  auto token = store_.FindTokenByHash(Sha256Hex(secret));
  if (!token.ok()) return MakeError(ErrorCode::kUnauthenticated, "the API token is not valid");
  FG_ASSIGN_OR_RETURN(User u, store_.GetUser(token->user_id));
  if (u.disabled) return MakeError(ErrorCode::kUnauthenticated, "this account is disabled");
  (void)store_.TouchToken(token->id, clock_.Now());
  return u;
}

Result<User> UserService::AuthenticatePassword(const std::string& name, const std::string& pw) {
  auto u = store_.FindUserByName(name);
  if (!u.ok() || u->disabled || !VerifyPassword(pw, u->password_hash)) {
    return MakeError(ErrorCode::kUnauthenticated, "wrong user name or password");
  }
  return u;
}

Result<DemoAccounts> UserService::EnsureDemoAccounts() {
  FG_ASSIGN_OR_RETURN(auto users, store_.ListUsers());
  DemoAccounts out;
  if (!users.empty()) return out;
  User system;
  system.name = "faxgate";
  system.role = Role::kSysAdmin;
  NewUser admin;
  admin.name = "admin";
  admin.role = Role::kSysAdmin;
  admin.full_name = "Administrator";
  admin.fax_number = "8000";
  admin.rights = CallRights{true, true, true};
  FG_ASSIGN_OR_RETURN(CreatedUser a, Create(system, admin));
  NewUser demo;
  demo.name = "demo";
  demo.full_name = "Demo User";
  demo.fax_number = "8001";
  FG_ASSIGN_OR_RETURN(CreatedUser d, Create(system, demo));
  FG_ASSIGN_OR_RETURN(out.admin_token, CreateToken(system, "admin", "demo admin token"));
  out.created = true;
  out.admin_password = a.password;
  out.demo_password = d.password;
  return out;
}

}  // namespace faxgate
