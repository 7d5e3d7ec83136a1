// Private to the fax module: the T.30 set-up that audio and T.38 sessions share, and the
// checks made before a session exists.
#pragma once

#include <spandsp.h>

#include "base/result.h"
#include "fax/fax_session.h"

namespace faxgate {

// Refuses parameters spandsp would silently truncate or reject (ident over 20 characters,
// tag line over 50, paths over 255 bytes, a receive directory that does not exist).
Status CheckSessionParams(const FaxSessionParams& params);

// A sender's document, checked before dialling: spandsp opens it only after the far end has
// answered (gotcha 4). Returns the number of pages this session will send, from first_page.
Result<int> CheckFileToSend(const FaxSessionParams& params);

// spandsp's T30_SUPPORT_V* bits for what `options` offer, without modems faster than
// `max_bit_rate`. 0 when nothing is left.
int SupportedModems(const FaxOptions& options, int max_bit_rate);

// Applies identity, modems, ECM, compressions, resolutions, image sizes, tag line and the file
// to send or write to a fresh T.30 context. Handlers are T30Call's business.
void ApplyT30Options(t30_state_t* t30, const FaxSessionParams& params, int modems);

// What spandsp reports as agreed for the current document.
NegotiatedParams ReadNegotiatedParams(t30_state_t* t30);

}  // namespace faxgate
