// The part of a call's report that the fax engine knows (pages, rate, compression, ECM, the far
// end's ident, why it failed); each trunk adds its own (trunk, call id, times).
#pragma once

#include "fax/fax_session.h"
#include "queue/dialer.h"

namespace faxgate {

inline CallReport ReportFromOutcome(const FaxOutcome& o) {
  CallReport r;
  r.kind = o.kind;
  r.result_code = o.t30_code;
  r.reason = o.reason;
  r.pages = o.pages;
  r.bit_rate = o.params.bit_rate;
  r.compression = o.params.compression;
  r.ecm = o.params.ecm;
  r.resolution = o.params.resolution;
  r.remote_ident = o.params.remote_ident;
  return r;
}

}  // namespace faxgate
