// A fax received on a line, routed to a user's inbox by the number that was called (DID).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "base/clock.h"
#include "domain/job.h"

namespace faxgate {

using InboundId = int64_t;

enum class InboundState { kReceiving, kReceived, kFailed };
std::string_view ToString(InboundState s);
std::optional<InboundState> ParseInboundState(std::string_view s);

struct InboundFax {
  InboundId id = 0;
  std::optional<UserId> owner_id;  // the user whose DID was called; empty: default inbox
  std::string owner_name;          // filled by the store on reads
  std::string called_number;       // DID as received from the trunk
  std::string caller_number;       // calling number (caller id), may be empty
  std::string remote_ident;        // far end's TSI
  std::string trunk;
  std::string call_id;
  InboundState state = InboundState::kReceiving;
  int pages = 0;
  std::string document;  // spool content hash of the received TIFF-F
  int64_t file_size = 0;
  TimePoint started_at{};
  std::optional<TimePoint> ended_at;
  int64_t duration_ms = 0;
  int bit_rate = 0;
  std::string compression;
  bool ecm = false;
  std::string resolution;
  int result_code = 0;
  std::string reason;  // "OK" or why the reception failed
};

}  // namespace faxgate
