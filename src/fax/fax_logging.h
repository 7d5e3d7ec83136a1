// Private to the fax module: where spandsp's per-call messages go.
#pragma once

#include <spandsp.h>

#include <string>

#include "base/log.h"

namespace faxgate {

// The "t30" and "spandsp" logs, looked up once: spandsp's handlers carry no user data, and
// the media tick should not take the registry's lock.
spdlog::logger& T30Log();
spdlog::logger& SpandspLog();

// Sends the messages of one session's T.30 context to the "t30" log and those of its
// transport (modems or T.38) to the "spandsp" log, each line starting with `tag`. T.30 FLOW
// messages (frames, phases, negotiation) are produced only when the "t30" log shows debug
// when the session starts: formatting them costs time on the media tick.
// REQUIRES: `tag` outlives the contexts (spandsp keeps the pointer).
void ConfigureSessionLogging(t30_state_t* t30, logging_state_t* transport, const std::string& tag);

}  // namespace faxgate
