// Adds what the store was doing to errors that come up from SQLite, so that a log line reads
// "cannot save job 12: disk I/O error". Errors the store words itself ("no job 12", "user name
// 'demo' is taken") already speak in the caller's terms and pass through unchanged.
#pragma once

#include <string_view>
#include <utility>

#include "base/result.h"

namespace faxgate::sqlite {

Error AddContext(Error error, std::string_view doing);

inline Status WithContext(Status status, std::string_view doing) {
  if (status.ok()) return status;
  return AddContext(status.error(), doing);
}

template <typename T>
Result<T> WithContext(Result<T> result, std::string_view doing) {
  if (result.ok()) return result;
  return AddContext(result.error(), doing);
}

// Errors the store words itself.
Error NotFound(std::string message);
Error AlreadyExists(std::string message);
// A stored value the code cannot read back (an enum name it does not know): the database was
// written by something else, or by a newer faxgate.
Error BadValue(std::string_view what, std::string_view column, std::string_view value);

}  // namespace faxgate::sqlite
