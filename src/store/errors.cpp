#include "store/internal/errors.h"

#include <fmt/format.h>

namespace faxgate::sqlite {

Error AddContext(Error error, std::string_view doing) {
  switch (error.code) {
    case ErrorCode::kIo:
    case ErrorCode::kUnavailable:
    case ErrorCode::kInternal:
      error.message = fmt::format("cannot {}: {}", doing, error.message);
      break;
    default:
      break;
  }
  return error;
}

Error NotFound(std::string message) { return MakeError(ErrorCode::kNotFound, std::move(message)); }

Error AlreadyExists(std::string message) {
  return MakeError(ErrorCode::kAlreadyExists, std::move(message));
}

Error BadValue(std::string_view what, std::string_view column, std::string_view value) {
  return MakeError(ErrorCode::kInternal,
                   fmt::format("{} has unknown {} '{}' in the database", what, column, value));
}

}  // namespace faxgate::sqlite
