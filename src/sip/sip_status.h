// What a SIP final response means for a fax attempt (REQUIREMENTS S3): a failure kind that
// decides whether and when to retry, and a reason in the user's terms.
#pragma once

#include <string>
#include <string_view>

#include "domain/job.h"

namespace faxgate {

struct SipFailure {
  FailureKind kind = FailureKind::kNetwork;
  std::string reason;  // "The line was busy (486 Busy Here from trunk carrier-a)"
};

// 486/600 busy, 480/408/487-after-timeout no answer, 404/484/485/410/604 bad number,
// 401/403/407/402 rejected, 488/606/415 incompatible (no common media: kRejected, as another
// attempt would offer the same), 603 declined (kRejected), 503 and other 5xx network; other
// codes map by class (3xx/4xx network, 6xx rejected; 0 and sofia's 7xx-9xx network).
// `number` is the display form of the dialled number; `phrase` may be empty (the standard one
// is shown).
SipFailure DescribeSipFailure(int status, std::string_view phrase, std::string_view number,
                              std::string_view trunk);

// True when another trunk may carry the same call (the failure was the trunk's, not the
// called party's): 5xx, 408 from the proxy, 401/403/407 after authentication, 402 (the
// account's credit), no response and transport errors.
bool ShouldFailOver(int status);

}  // namespace faxgate
