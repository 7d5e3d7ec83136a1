// Every mail the OffRamp listener and the shared-mailbox poller take is MIME from strangers, and
// every report that comes back to the bounce address too. Reads the bytes as a mail and as a
// delivery report, and checks what the rest of faxgate relies on: never more attachments than
// parts, no attachment larger than the input can decode to, text and names always valid UTF-8,
// file names without a directory, body text with LF line ends only.
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_check.h"
#include "mail/delivery_report.h"
#include "mail/mime_reader.h"

namespace {

bool ValidUtf8(std::string_view s) {
  for (size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    const size_t n = c < 0x80           ? 1
                     : (c >> 5) == 0x6  ? 2
                     : (c >> 4) == 0xE  ? 3
                     : (c >> 3) == 0x1E ? 4
                                        : 0;
    if (n == 0 || i + n > s.size()) return false;
    for (size_t k = 1; k < n; ++k) {
      if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return false;
    }
    i += n;
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view raw(reinterpret_cast<const char*>(data), size);
  faxgate::mail::MimeLimits limits;
  limits.max_parts = 500;
  auto mail = faxgate::mail::ParseMail(raw, limits);
  if (mail.ok()) {
    FUZZ_CHECK(mail->attachments.size() <= limits.max_parts);
    size_t total = 0;
    for (const auto& a : mail->attachments) {
      total += a.bytes.size();
      FUZZ_CHECK(ValidUtf8(a.file_name));
      FUZZ_CHECK(a.file_name.find_first_of("/\\") == std::string::npos);
    }
    FUZZ_CHECK(total <= size * 2 + 1024);  // base64, quoted-printable, uuencode only shrink
    FUZZ_CHECK(ValidUtf8(mail->subject) && ValidUtf8(mail->from_name) &&
               ValidUtf8(mail->body_text));
    FUZZ_CHECK(mail->body_text.find('\r') == std::string::npos);
    FUZZ_CHECK(!mail->has_null_return_path || mail->is_report);
  } else {
    FUZZ_CHECK(!mail.error().message.empty());
  }
  auto report = faxgate::mail::ReadDeliveryReport(raw);
  if (report) FUZZ_CHECK(report->recipients.size() <= size);
  return 0;
}
