// What a SIP final response means for a fax attempt (REQUIREMENTS S3): a failure kind that
// decides whether and when to retry, and a reason in the user's terms.
#pragma once

#include <string>
#include <string_view>

#include "domain/job.h"

namespace faxgate {

struct SipFailure {
  FailureKind kind = FailureKind::kNetwork;
  std::string reason;  // "Busy (486 Busy Here from trunk carrier-a)"
};

// 486/600 busy, 480/408/487-after-timeout no answer, 404/484/410/604 bad number, 401/403/407
// rejected, 488/606/415 incompatible (no common media), 503 and other 5xx network; other codes
// map by class. `number` is the display form of the dialled number.
SipFailure DescribeSipFailure(int status, std::string_view phrase, std::string_view number,
                              std::string_view trunk);

// True when another trunk may carry the same call (the failure was the trunk's, not the
// called party's): 5xx, 408 from the proxy, 401/403/407 after authentication, transport errors.
bool ShouldFailOver(int status);

}  // namespace faxgate
