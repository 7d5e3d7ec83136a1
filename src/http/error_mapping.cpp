#include "http/error_mapping.h"

#include <array>

namespace faxgate::http {
namespace {

struct Row {
  ErrorCode error;
  HttpError http;
};

// The table. kFailedPrecondition is 409 rather than gRPC's 400: "cancel a finished job" is a
// conflict with the resource's state, and clients commonly treat 409 that way. kIo is a 500
// with its own code so operators can tell a full disk from a bug in the logs and metrics.
constexpr std::array kTable = {
    Row{ErrorCode::kInvalidArgument, {400, "invalid_argument"}},
    Row{ErrorCode::kUnauthenticated, {401, "unauthenticated"}},
    Row{ErrorCode::kPermissionDenied, {403, "permission_denied"}},
    Row{ErrorCode::kNotFound, {404, "not_found"}},
    Row{ErrorCode::kAlreadyExists, {409, "already_exists"}},
    Row{ErrorCode::kFailedPrecondition, {409, "failed_precondition"}},
    Row{ErrorCode::kInternal, {500, "internal"}},
    Row{ErrorCode::kIo, {500, "io_error"}},
    Row{ErrorCode::kUnavailable, {503, "unavailable"}},
};

ErrorCode ErrorCodeForStatus(int status) {
  for (const Row& row : kTable) {
    if (row.http.status == status) return row.error;
  }
  if (status >= 500) return ErrorCode::kInternal;
  return ErrorCode::kInvalidArgument;  // 405, 413, 431 and other 4xx: the request was wrong
}

}  // namespace

HttpError HttpErrorFor(ErrorCode code) {
  for (const Row& row : kTable) {
    if (row.error == code) return row.http;
  }
  return {500, "internal"};
}

ErrorCode ErrorCodeFor(std::string_view json_code, int status) {
  for (const Row& row : kTable) {
    if (row.http.code == json_code) return row.error;
  }
  return ErrorCodeForStatus(status);
}

}  // namespace faxgate::http
