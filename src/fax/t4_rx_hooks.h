// Private to the fax module: takes received pages away from spandsp's T.4 receiver so that a
// PageWriter writes them off the media thread (see page_writer.h for why).
//
// spandsp 0.0.6 offers no way to do this, so faxgate defines t4_rx_put_chunk() and
// t4_rx_end_page() itself. libspandsp calls its own exported functions through the PLT, so the
// dynamic linker binds those calls to the executable's definitions; they hand the pages of a
// routed T.30 context to its writer and pass everything else to the library's functions.
#pragma once

#include <spandsp.h>

#include <filesystem>
#include <memory>

#include "fax/page_writer.h"

namespace faxgate {

// Routes the pages `t30` receives to `writer`. spandsp itself is pointed at `scratch`, which
// it creates when the document starts and removes, still empty, when it ends. Returns false,
// changing nothing, when the hooks are not in effect (then spandsp writes the pages itself).
// REQUIRES: StopRoutingPages(t30) before `t30` is freed.
bool RoutePagesToWriter(t30_state_t* t30, std::shared_ptr<PageWriter> writer,
                        const std::filesystem::path& scratch);
void StopRoutingPages(t30_state_t* t30);

// Whether this process's spandsp calls reach the hooks (the executable exports them).
bool PageRoutingAvailable();

}  // namespace faxgate
