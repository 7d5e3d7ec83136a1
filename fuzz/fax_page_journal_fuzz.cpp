// Fuzz target for page journals (page_journal.h) found on disk after a crash: whatever the
// bytes, ParsePageJournal returns whole pages whose rows are the size they claim, and never
// crashes or allocates beyond the input.
#include <cstdint>
#include <span>

#include "fax/page_journal.h"
#include "fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto pages = faxgate::ParsePageJournal(std::span(data, size));
  size_t total = 0;
  for (const faxgate::ReceivedPage& page : pages) {
    FUZZ_CHECK(page.info.width > 0);
    if (page.decoded_rows >= 0) {
      FUZZ_CHECK(page.bytes.size() ==
                 static_cast<size_t>(page.decoded_rows) * ((page.info.width + 7) / 8));
    }
    total += page.bytes.size();
  }
  FUZZ_CHECK(total <= size);
  return 0;
}
