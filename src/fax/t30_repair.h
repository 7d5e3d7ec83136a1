// Private to the fax module: corrections to spandsp 0.0.6's T.30 state machine where it
// departs from T.30 in a way that loses faxes on lossy lines. Each reaches into spandsp's
// internal state, so each is checked against the one release it was written for.
#pragma once

#include <spandsp.h>

namespace faxgate {

// True when this spandsp is the release the repairs were written for; otherwise they do
// nothing.
bool T30RepairsApply();

// Receiver, on an incoming frame, before spandsp acts on it. A sender that heard no answer to
// its DCS and training check (TCF) repeats the DCS, as T.30 says it should; spandsp 0.0.6 is
// then still waiting for the TCF it failed to train on, calls the DCS unexpected and
// disconnects. On G.711 with 1% packet loss about half of all training checks are hit, so
// this ended most calls. Here a DCS in that state is taken as the answer to an FTT, i.e. the
// sender starts phase B over with a new TCF. Returns true when it intervened.
bool AcceptDcsRepeatedAfterLostTcf(t30_state_t* t30, const uint8_t* frame, int len);

}  // namespace faxgate
