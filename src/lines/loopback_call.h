// One call on the loopback trunk: the outgoing fax session talks G.711 audio to the daemon's own
// inbound fax session, tick by tick, on one media worker. Chosen numbers can behave like a busy
// line, an unanswered one, a voice answer, or a line that drops after N pages, so that retries
// can be tried end to end.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "fax/fax_session.h"
#include "lines/call_events.h"
#include "media/media_worker.h"

namespace faxgate {

enum class LoopbackBehaviour { kNormal, kBusy, kNoAnswer, kNoFax, kDropAfterPages };

struct LoopbackCallSetup {
  std::string call_id;
  JobId job = 0;
  FaxSessionParams sender;               // the outgoing side (calling party)
  std::optional<InboundTicket> inbound;  // empty when nobody fax-capable answers
  std::string called_number;
  LoopbackBehaviour behaviour = LoopbackBehaviour::kNormal;
  int drop_after_pages = 0;
};

// Reports leave the worker through these; LinePool posts them to the control thread.
struct LoopbackCallSinks {
  std::function<void(JobId, int pages)> page_confirmed;
  std::function<void(JobId, const CallReport&)> outbound_ended;
  std::function<void(InboundId, int pages)> inbound_page;
  std::function<void(InboundId, const CallReport&)> inbound_ended;
};

std::unique_ptr<MediaCall> MakeLoopbackCall(LoopbackCallSetup setup, LoopbackCallSinks sinks);

}  // namespace faxgate
