#include "domain/mail_records.h"

namespace faxgate {

std::string_view ToString(QueuedMailState s) {
  switch (s) {
    case QueuedMailState::kQueued:
      return "queued";
    case QueuedMailState::kSent:
      return "sent";
    case QueuedMailState::kFailed:
      return "failed";
  }
  return "failed";
}

std::optional<QueuedMailState> ParseQueuedMailState(std::string_view s) {
  if (s == "queued") return QueuedMailState::kQueued;
  if (s == "sent") return QueuedMailState::kSent;
  if (s == "failed") return QueuedMailState::kFailed;
  return std::nullopt;
}

}  // namespace faxgate
