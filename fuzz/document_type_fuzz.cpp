// Document type detection on hostile bytes: none may crash, hang or read out of bounds, and
// detection must agree with classification.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "document/document_type.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace faxgate;
  std::string_view content(reinterpret_cast<const char*>(data), size);
  DetectedType classified = ClassifyDocument(content);
  auto detected = DetectDocumentType(content, "fuzz.bin");
  if (detected.ok() && detected->type != classified.type) std::abort();
  if (detected.ok() && detected->type == DocumentType::kUnknown) std::abort();
  (void)ToString(classified.type);
  (void)CheckArchiveLimits(content, "fuzz.zip", int64_t{1} << 20);
  return 0;
}
