// spandsp's T.30 completion codes in the user's terms.
#pragma once

#include <string>

#include "domain/job.h"

namespace faxgate {

// Which retry rule applies after a call ended with this code.
FailureKind ClassifyT30Result(int t30_code);
// A sentence for the attempt record and faxstat, e.g. "No response from the far end (T0
// timeout): no fax machine answered".
std::string DescribeT30Result(int t30_code);

}  // namespace faxgate
