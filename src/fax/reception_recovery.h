// After a crash: the pages a cut reception had confirmed to its sender, put back into its TIFF.
#pragma once

#include <filesystem>
#include <string_view>

#include "base/result.h"

namespace faxgate {

// When the reception written to `tiff` left a page journal (it was cut before every page it
// had confirmed was in the TIFF), rewrites `tiff` from the journal and removes the journal.
// Without one, changes nothing. Pages that cannot be decoded are left out; an error means the
// TIFF could not be rewritten (it is then as the crash left it). Blocks until written; for
// start-up.
Status RecoverReceivedPages(const std::filesystem::path& tiff, std::string_view display_name);

}  // namespace faxgate
