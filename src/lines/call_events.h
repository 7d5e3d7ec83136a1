// How calls report to the rest of faxgate. Every method is called on the control thread (the
// lines post to it), so implementations may use the store directly.
#pragma once

#include <filesystem>
#include <string>

#include "base/result.h"
#include "domain/inbound_fax.h"
#include "fax/fax_session.h"
#include "queue/dialer.h"

namespace faxgate {

struct IncomingCall {
  std::string trunk;
  std::string call_id;
  std::string called_number;  // the DID
  std::string caller_number;
};

// The answer to an incoming call: where to write the fax and with what local settings.
struct InboundTicket {
  InboundId id = 0;
  std::filesystem::path receive_path;
  FaxOptions options;
};

class InboundHandler {
 public:
  virtual ~InboundHandler() = default;
  // Accept (and record) the call, or refuse it with a reason (unknown DID, ...).
  virtual Result<InboundTicket> OnIncomingCall(const IncomingCall& call) = 0;
  virtual void OnInboundPage(InboundId id, int pages) = 0;
  virtual void OnInboundEnded(InboundId id, const CallReport& report) = 0;
};

class OutboundEvents {
 public:
  virtual ~OutboundEvents() = default;
  virtual void OnPageConfirmed(JobId job, int pages) = 0;
  virtual void OnCallEnded(JobId job, const CallReport& report) = 0;
};

}  // namespace faxgate
