// Delivery status notifications (RFC 3464) and disposition notifications (RFC 8098) about mail
// faxgate sent, matched back to it by envelope id, message id or X-Faxgate-Job
// (reference/mail.md §3.3). Values are kept as the reporting server wrote them: a libcurl-sent
// mail comes back with "ENVID=job-4711>" and must then match nothing.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace faxgate::mail {

struct ReportRecipient {
  std::string original_recipient;  // the address after "rfc822;", as written
  std::string final_recipient;     // the address after "rfc822;", as written
  // DSN: failed, delayed, delivered, relayed or expanded (lower case). MDN: the disposition
  // type (processed, failed, denied, displayed, deleted, dispatched).
  std::string action;
  std::string status;      // DSN "5.1.1"
  std::string diagnostic;  // DSN Diagnostic-Code after its type ("550 5.1.1 <x> User unknown")
  std::string remote_mta;  // DSN Remote-MTA after its type ("127.0.0.1")
};

struct DeliveryReport {
  enum class Kind { kDelivery, kDisposition } kind = Kind::kDelivery;
  std::string envelope_id;          // Original-Envelope-Id, as written
  std::string original_message_id;  // MDN Original-Message-ID, else the returned Message-Id
  std::string faxgate_job;          // X-Faxgate-Job of the returned headers
  std::vector<ReportRecipient> recipients;
  std::string disposition;  // MDN: "automatic-action/MDN-sent-automatically; processed"
};

// The report in `raw` (a multipart/report with a message/delivery-status,
// message/global-delivery-status or message/disposition-notification part); nullopt for any
// other mail, or what cannot be read.
std::optional<DeliveryReport> ReadDeliveryReport(std::string_view raw);

}  // namespace faxgate::mail
