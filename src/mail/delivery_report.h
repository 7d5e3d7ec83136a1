// Delivery status notifications (RFC 3464) and read receipts (RFC 8098) about mail we sent:
// GMime hands message/delivery-status over as a plain part, so its header blocks are read here.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace faxgate::mail {

struct ReportRecipient {
  std::string original_recipient;  // the address after "rfc822;"
  std::string final_recipient;
  std::string action;  // failed, delayed, delivered, relayed, expanded
  std::string status;  // "5.1.1"
  std::string diagnostic;
  std::string remote_mta;
};

struct DeliveryReport {
  enum class Kind { kDelivery, kDisposition } kind = Kind::kDelivery;
  std::string envelope_id;  // Original-Envelope-Id, as written
  std::string
      original_message_id;  // MDN Original-Message-ID, or Message-Id of the returned headers
  std::string faxgate_job;  // X-Faxgate-Job of the returned headers
  std::vector<ReportRecipient> recipients;
  std::string disposition;  // MDN: "automatic-action/MDN-sent-automatically; processed"
};

// nullopt when `raw` is not a multipart/report.
std::optional<DeliveryReport> ReadDeliveryReport(std::string_view raw);

}  // namespace faxgate::mail
