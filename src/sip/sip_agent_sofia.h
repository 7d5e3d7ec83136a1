// Private to the SIP agent: sofia-sip's headers, included with the agent's magic types so that
// every translation unit that talks to sofia sees the same callback signatures. Only
// sip_agent*.cpp and sofia_*.cpp include this; nothing outside src/sip sees sofia.
#pragma once

namespace faxgate {
class SofiaAgent;
struct SofiaHandleOwner;
}  // namespace faxgate

// The su_root and the NUA hand the agent back to its callbacks; each nua handle carries the
// call or registration it belongs to.
#define SU_ROOT_MAGIC_T ::faxgate::SofiaAgent
#define SU_WAKEUP_ARG_T void
#define SU_TIMER_ARG_T void
#define NUA_MAGIC_T ::faxgate::SofiaAgent
#define NUA_HMAGIC_T ::faxgate::SofiaHandleOwner

// su_tag.h's inline functions have unused parameters, which -Wextra -Werror rejects.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-parameter"
#include <sofia-sip/msg_addr.h>
#include <sofia-sip/msg_header.h>
#include <sofia-sip/nua.h>
#include <sofia-sip/nua_tag.h>
#include <sofia-sip/sip_header.h>
#include <sofia-sip/sip_status.h>
#include <sofia-sip/su_log.h>
#include <sofia-sip/su_tag.h>
#include <sofia-sip/su_wait.h>
#include <sofia-sip/tport_tag.h>
#include <sofia-sip/url.h>
#pragma GCC diagnostic pop
