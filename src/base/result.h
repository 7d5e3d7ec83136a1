// Errors as values. Parsers and store calls return Result<T>; outcomes of fax calls are data,
// not errors (see domain/attempt.h). Nothing is thrown across module boundaries.
#pragma once

#include <string>
#include <utility>
#include <variant>

namespace faxgate {

// Stable error codes. http/error_mapping.cpp maps each to one HTTP status and a JSON code.
enum class ErrorCode {
  kInvalidArgument,     // the caller's input is wrong (bad number, bad file, bad field)
  kNotFound,            // the thing named does not exist
  kAlreadyExists,       // a unique thing exists already (user name, fax number)
  kPermissionDenied,    // authenticated, but not allowed
  kUnauthenticated,     // no or bad credentials
  kFailedPrecondition,  // the thing is in a state that does not allow this (cancel a done job)
  kUnavailable,         // a dependency is down; try again later
  kIo,                  // file system or database failure
  kInternal,            // a bug
};

std::string_view ToString(ErrorCode code);

struct Error {
  ErrorCode code = ErrorCode::kInternal;
  std::string message;  // in the user's terms: names the number, job, file or field
};

inline Error MakeError(ErrorCode code, std::string message) {
  return Error{code, std::move(message)};
}

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}      // NOLINT(google-explicit-constructor)
  Result(Error error) : v_(std::move(error)) {}  // NOLINT(google-explicit-constructor)

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }

  T& value() & { return std::get<0>(v_); }
  const T& value() const& { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  const Error& error() const { return std::get<1>(v_); }

 private:
  std::variant<T, Error> v_;
};

// Result<void>: success or an Error.
class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(Error error) : error_(std::move(error)), ok_(false) {}  // NOLINT
  static Status Ok() { return Status(); }

  bool ok() const { return ok_; }
  explicit operator bool() const { return ok_; }
  const Error& error() const { return error_; }

 private:
  Error error_;
  bool ok_ = true;
};

}  // namespace faxgate

// Propagates an error from an expression returning Status or Result<T>.
#define FG_RETURN_IF_ERROR(expr)                     \
  do {                                               \
    auto fg_status_ = (expr);                        \
    if (!fg_status_.ok()) return fg_status_.error(); \
  } while (0)

#define FG_CONCAT_INNER_(a, b) a##b
#define FG_CONCAT_(a, b) FG_CONCAT_INNER_(a, b)
// FG_ASSIGN_OR_RETURN(auto x, Foo()); declares x from a Result or returns its error.
#define FG_ASSIGN_OR_RETURN(decl, expr) \
  FG_ASSIGN_OR_RETURN_IMPL_(FG_CONCAT_(fg_r_, __LINE__), decl, expr)
#define FG_ASSIGN_OR_RETURN_IMPL_(tmp, decl, expr) \
  auto tmp = (expr);                               \
  if (!tmp.ok()) return tmp.error();               \
  decl = std::move(tmp).value()
