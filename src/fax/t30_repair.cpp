// One of the three files that see spandsp's internal structures (with page_writer.cpp and
// t4_rx_hooks.cpp); see t30_repair.h for why.
#define SPANDSP_EXPOSE_INTERNAL_STRUCTURES
#include "fax/t30_repair.h"

#include <spandsp/version.h>

namespace faxgate {
namespace {

// spandsp 0.0.6 (20110122), src/t30.c, the unnamed state enum: T30_STATE_ANSWERING = 1,
// B, C, D, D_TCF, D_POST_TCF, F_TCF, F_CFR, F_FTT, ...
constexpr int kStateWaitingForTcf = 7;  // T30_STATE_F_TCF
constexpr int kStateSentFtt = 9;        // T30_STATE_F_FTT

}  // namespace

bool T30RepairsApply() { return SPANDSP_RELEASE_DATE == 20110122; }

bool AcceptDcsRepeatedAfterLostTcf(t30_state_t* t30, const uint8_t* frame, int len) {
  if (!T30RepairsApply() || t30 == nullptr || frame == nullptr || len < 3) return false;
  bool final_dcs = (frame[1] & 0x10) != 0 && (frame[2] & 0xFE) == T30_DCS;
  if (!final_dcs || t30->state != kStateWaitingForTcf) return false;
  t30->state = kStateSentFtt;
  return true;
}

}  // namespace faxgate
