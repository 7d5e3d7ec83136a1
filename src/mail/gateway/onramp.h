// T.37 OnRamp (REQUIREMENTS S1): every ended reception with pages is mailed to its owner's
// addresses and to the [[mail.route]] targets of its DID, as TIFF Profile S (and/or TIFF-F,
// PDF) with a text part that summarises the call in the owner's language. The mails and the
// "mailed" mark are committed together, so a crash mails a fax once or not yet, never twice
// or never. Runs on the control thread.
#pragma once

#include "base/config.h"
#include "mail/gateway/mail_templates.h"
#include "service/fax_service.h"
#include "service/settings_service.h"
#include "store/spool.h"
#include "store/store.h"

namespace faxgate::mail {

class OnRamp {
 public:
  OnRamp(Store& store, Spool& spool, FaxService& faxes, MailTemplates& templates,
         SettingsService& settings, const MailConfig& config)
      : store_(store),
        spool_(spool),
        faxes_(faxes),
        templates_(templates),
        settings_(settings),
        config_(config) {}

  // Queues the mails of every ended reception not mailed yet; returns how many faxes it mailed.
  int MailEndedReceptions();

 private:
  Status MailOne(const InboundFax& fax);
  Result<QueuedMail> Compose(const InboundFax& fax, const std::vector<std::string>& to,
                             const std::vector<std::string>& formats, const std::string& dsn,
                             bool mdn, const std::string& language);
  std::string Subject(const InboundFax& fax) const;

  Store& store_;
  Spool& spool_;
  FaxService& faxes_;
  MailTemplates& templates_;
  SettingsService& settings_;
  const MailConfig& config_;
};

// The postmaster address: configured, or postmaster@hostname.
std::string Postmaster(const MailConfig& config);

}  // namespace faxgate::mail
