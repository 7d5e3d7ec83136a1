// Incoming calls: the called number (DID) selects the user whose personal fax number it is,
// and the fax lands in that user's inbox. An unknown DID goes to the inbox named by the
// `unknown_did` system parameter, or is refused when it is "refuse".
#pragma once

#include <filesystem>

#include "base/clock.h"
#include "lines/call_events.h"
#include "service/settings_service.h"
#include "store/spool.h"
#include "store/store.h"

namespace faxgate {

class InboundService final : public InboundHandler {
 public:
  InboundService(Store& store, Spool& spool, SettingsService& settings, const Clock& clock)
      : store_(store), spool_(spool), settings_(settings), clock_(clock) {}

  Result<InboundTicket> OnIncomingCall(const IncomingCall& call) override;
  void OnInboundPage(InboundId id, int pages) override;
  void OnInboundEnded(InboundId id, const CallReport& report) override;

  // Ends receptions left "receiving" by a crash as failed, keeping the pages written before it.
  Status Recover();

 private:
  Result<User> Route(const std::string& called_number);
  // Where reception `id` writes its pages: a fixed name, so it is found again after a crash.
  std::filesystem::path ReceivePath(InboundId id) const;

  Store& store_;
  Spool& spool_;
  SettingsService& settings_;
  const Clock& clock_;
};

}  // namespace faxgate
