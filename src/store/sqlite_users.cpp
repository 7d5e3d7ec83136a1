// Users and their other email addresses (table user_emails, one row per address, in order).
#include <fmt/format.h>

#include "store/internal/errors.h"
#include "store/internal/sqlite_store.h"

namespace faxgate::sqlite {

Result<std::string> UserName(Db& db, UserId id) {
  FG_ASSIGN_OR_RETURN(Statement s, db.Prepare("SELECT name FROM users WHERE id = :id"));
  s.Bind(":id", id);
  FG_ASSIGN_OR_RETURN(bool row, s.Step());
  if (!row) return NotFound(fmt::format("no user {}", id));
  return s.Text(0);
}

namespace {

// Column order is the order ReadUser reads them in.
constexpr const char* kSelectUsers =
    "SELECT id, name, full_name, password_hash, role, fax_number, email, may_call_local,"
    " may_call_domestic, may_call_international, notify_on_success, must_change_password,"
    " disabled, created_at, company, phone, cover, may_fax_by_email, language FROM users";

// Every field but the id and the creation time, shared by INSERT and UPDATE.
constexpr const char* kUserFields =
    "name = :name, full_name = :full_name, password_hash = :password_hash, role = :role,"
    " fax_number = :fax_number, email = :email, may_call_local = :may_call_local,"
    " may_call_domestic = :may_call_domestic, may_call_international = :may_call_international,"
    " notify_on_success = :notify_on_success, must_change_password = :must_change_password,"
    " disabled = :disabled, company = :company, phone = :phone, cover = :cover,"
    " may_fax_by_email = :may_fax_by_email, language = :language";

void BindUserFields(Statement& s, const User& u) {
  s.Bind(":name", u.name)
      .Bind(":full_name", u.full_name)
      .Bind(":password_hash", u.password_hash)
      .Bind(":role", ToString(u.role))
      .Bind(":fax_number", u.fax_number)
      .Bind(":email", u.email)
      .Bind(":may_call_local", u.rights.local)
      .Bind(":may_call_domestic", u.rights.domestic)
      .Bind(":may_call_international", u.rights.international)
      .Bind(":notify_on_success", u.notify_on_success)
      .Bind(":must_change_password", u.must_change_password)
      .Bind(":disabled", u.disabled)
      .Bind(":company", u.company)
      .Bind(":phone", u.phone)
      .Bind(":cover", u.cover)
      .Bind(":may_fax_by_email", u.fax_by_email)
      .Bind(":language", u.language);
}

Result<User> ReadUser(const Statement& s) {
  Row r(s);
  User u;
  u.id = r.Int();
  u.name = r.Text();
  u.full_name = r.Text();
  u.password_hash = r.Text();
  std::string role = r.Text();
  auto parsed = ParseRole(role);
  if (!parsed) return BadValue(fmt::format("user '{}'", u.name), "role", role);
  u.role = *parsed;
  u.fax_number = r.Text();
  u.email = r.Text();
  u.rights.local = r.Bool();
  u.rights.domestic = r.Bool();
  u.rights.international = r.Bool();
  u.notify_on_success = r.Bool();
  u.must_change_password = r.Bool();
  u.disabled = r.Bool();
  u.created_at = r.Time();
  u.company = r.Text();
  u.phone = r.Text();
  u.cover = r.Text();
  u.fax_by_email = r.Bool();
  u.language = r.Text();
  return u;
}

// Other emails of one user (`user` set) or of all users, by user id.
Result<std::map<UserId, std::vector<std::string>>> LoadEmails(Db& db, std::optional<UserId> user) {
  FG_ASSIGN_OR_RETURN(Statement s, db.Prepare(user ? "SELECT user_id, email FROM user_emails"
                                                     " WHERE user_id = :user_id ORDER BY ordinal"
                                                   : "SELECT user_id, email FROM user_emails"
                                                     " ORDER BY user_id, ordinal"));
  if (user) s.Bind(":user_id", *user);
  std::map<UserId, std::vector<std::string>> emails;
  while (true) {
    FG_ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) return emails;
    emails[s.Int(0)].push_back(s.Text(1));
  }
}

Status SaveEmails(Db& db, UserId user, const std::vector<std::string>& emails) {
  FG_ASSIGN_OR_RETURN(Statement clear,
                      db.Prepare("DELETE FROM user_emails WHERE user_id = :user_id"));
  FG_RETURN_IF_ERROR(clear.Bind(":user_id", user).Run());
  FG_ASSIGN_OR_RETURN(Statement insert,
                      db.Prepare("INSERT INTO user_emails (user_id, ordinal, email)"
                                 " VALUES (:user_id, :ordinal, :email)"));
  for (size_t i = 0; i < emails.size(); ++i) {
    insert.Bind(":user_id", user).Bind(":ordinal", static_cast<int64_t>(i));
    FG_RETURN_IF_ERROR(insert.Bind(":email", emails[i]).Run());
  }
  return Status::Ok();
}

// Looks up one user with `where` (binding :key) and fills in the other emails.
template <typename Key>
Result<std::optional<User>> LoadUserWhere(Db& db, const char* where, const Key& key) {
  FG_ASSIGN_OR_RETURN(Statement s, db.Prepare(std::string(kSelectUsers) + " WHERE " + where));
  s.Bind(":key", key);
  FG_ASSIGN_OR_RETURN(bool row, s.Step());
  if (!row) return std::optional<User>();
  FG_ASSIGN_OR_RETURN(User user, ReadUser(s));
  FG_ASSIGN_OR_RETURN(auto emails, LoadEmails(db, user.id));
  user.other_emails = std::move(emails[user.id]);
  return std::optional<User>(std::move(user));
}

Result<User> LoadUserById(Db& db, UserId id) {
  FG_ASSIGN_OR_RETURN(std::optional<User> user, LoadUserWhere(db, "id = :key", id));
  if (!user) return NotFound(fmt::format("no user {}", id));
  return std::move(*user);
}

Result<User> LoadUserByName(Db& db, const std::string& name) {
  FG_ASSIGN_OR_RETURN(std::optional<User> user, LoadUserWhere(db, "name = :key", name));
  if (!user) return NotFound(fmt::format("no user '{}'", name));
  return std::move(*user);
}

Result<User> LoadUserByFaxNumber(Db& db, const std::string& number) {
  // Users without a personal number all have the empty string; it names none of them.
  std::optional<User> user;
  if (!number.empty()) {
    FG_ASSIGN_OR_RETURN(user, LoadUserWhere(db, "fax_number = :key", number));
  }
  if (!user) return NotFound(fmt::format("no user has fax number '{}'", number));
  return std::move(*user);
}

// Mail addresses compare without case; a user's primary address is found before others'.
Result<User> LoadUserByEmail(Db& db, const std::string& address) {
  std::optional<User> user;
  if (!address.empty()) {
    FG_ASSIGN_OR_RETURN(user, LoadUserWhere(db,
                                            "lower(email) = lower(:key) OR id IN (SELECT user_id"
                                            " FROM user_emails WHERE lower(email) = lower(:key))"
                                            " ORDER BY lower(email) = lower(:key) DESC, id LIMIT 1",
                                            address));
  }
  if (!user) return NotFound(fmt::format("no user has the mail address '{}'", address));
  return std::move(*user);
}

// User names and fax numbers are unique; `self` is the user being updated (0 when creating),
// who may keep their own.
Status CheckUnique(Db& db, const User& user, UserId self) {
  FG_ASSIGN_OR_RETURN(std::optional<User> same_name, LoadUserWhere(db, "name = :key", user.name));
  if (same_name && same_name->id != self) {
    return AlreadyExists(fmt::format("user name '{}' is taken", user.name));
  }
  if (user.fax_number.empty()) return Status::Ok();
  FG_ASSIGN_OR_RETURN(std::optional<User> same_number,
                      LoadUserWhere(db, "fax_number = :key", user.fax_number));
  if (same_number && same_number->id != self) {
    return AlreadyExists(fmt::format("fax number {} already belongs to user {}", user.fax_number,
                                     same_number->name));
  }
  return Status::Ok();
}

Result<User> InsertUser(Db& db, const User& user) {
  FG_ASSIGN_OR_RETURN(Transaction tx, Transaction::Begin(db));
  FG_RETURN_IF_ERROR(CheckUnique(db, user, 0));
  FG_ASSIGN_OR_RETURN(
      Statement s,
      db.Prepare("INSERT INTO users (created_at, name, full_name, password_hash, role,"
                 " fax_number, email, may_call_local, may_call_domestic, may_call_international,"
                 " notify_on_success, must_change_password, disabled, company, phone, cover,"
                 " may_fax_by_email, language)"
                 " VALUES (:created_at, :name, :full_name, :password_hash, :role, :fax_number,"
                 " :email, :may_call_local, :may_call_domestic, :may_call_international,"
                 " :notify_on_success, :must_change_password, :disabled, :company, :phone,"
                 " :cover, :may_fax_by_email, :language)"));
  s.Bind(":created_at", user.created_at);
  BindUserFields(s, user);
  FG_RETURN_IF_ERROR(s.Run());
  User created = user;
  created.id = db.LastInsertId();
  FG_RETURN_IF_ERROR(SaveEmails(db, created.id, created.other_emails));
  FG_RETURN_IF_ERROR(tx.Commit());
  return created;
}

Status SaveUser(Db& db, const User& user) {
  FG_ASSIGN_OR_RETURN(Transaction tx, Transaction::Begin(db));
  FG_RETURN_IF_ERROR(UserName(db, user.id));
  FG_RETURN_IF_ERROR(CheckUnique(db, user, user.id));
  FG_ASSIGN_OR_RETURN(
      Statement s, db.Prepare(std::string("UPDATE users SET ") + kUserFields + " WHERE id = :id"));
  s.Bind(":id", user.id);
  BindUserFields(s, user);
  FG_RETURN_IF_ERROR(s.Run());
  FG_RETURN_IF_ERROR(SaveEmails(db, user.id, user.other_emails));
  return tx.Commit();
}

Result<std::vector<User>> SelectUsers(Db& db) {
  FG_ASSIGN_OR_RETURN(auto emails, LoadEmails(db, std::nullopt));
  FG_ASSIGN_OR_RETURN(Statement s, db.Prepare(std::string(kSelectUsers) + " ORDER BY name"));
  std::vector<User> users;
  while (true) {
    FG_ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) return users;
    FG_ASSIGN_OR_RETURN(User user, ReadUser(s));
    user.other_emails = std::move(emails[user.id]);
    users.push_back(std::move(user));
  }
}

}  // namespace

Result<User> SqliteStore::CreateUser(const User& user) {
  std::lock_guard lock(mu_);
  return WithContext(InsertUser(*db_, user), fmt::format("create user '{}'", user.name));
}

Status SqliteStore::UpdateUser(const User& user) {
  std::lock_guard lock(mu_);
  return WithContext(SaveUser(*db_, user), fmt::format("save user '{}'", user.name));
}

Result<User> SqliteStore::GetUser(UserId id) {
  std::lock_guard lock(mu_);
  return WithContext(LoadUserById(*db_, id), fmt::format("read user {}", id));
}

Result<User> SqliteStore::FindUserByName(const std::string& name) {
  std::lock_guard lock(mu_);
  return WithContext(LoadUserByName(*db_, name), fmt::format("read user '{}'", name));
}

Result<User> SqliteStore::FindUserByFaxNumber(const std::string& fax_number) {
  std::lock_guard lock(mu_);
  return WithContext(LoadUserByFaxNumber(*db_, fax_number),
                     fmt::format("look up fax number {}", fax_number));
}

Result<User> SqliteStore::FindUserByEmail(const std::string& address) {
  std::lock_guard lock(mu_);
  return WithContext(LoadUserByEmail(*db_, address),
                     fmt::format("look up mail address {}", address));
}

Result<std::vector<User>> SqliteStore::ListUsers() {
  std::lock_guard lock(mu_);
  return WithContext(SelectUsers(*db_), "list users");
}

}  // namespace faxgate::sqlite
