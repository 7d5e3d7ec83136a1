// Result mails (REQUIREMENTS S4/S5): when a job ends, its owner is told by mail — always when it
// failed, when it succeeded if the user asked for success mails, and always when the fax was
// submitted by mail (then the mail goes to the verified sender and threads with the original by
// In-Reply-To). Rendered from the fax_sent / fax_failed templates with the attempt table and,
// if the settings say so, the first page as a picture. A submission whose mail asked for a read
// receipt gets it once its last fax has ended (read_receipt.h). Runs on the control thread.
#pragma once

#include <optional>
#include <string>

#include "base/config.h"
#include "mail/gateway/mail_templates.h"
#include "service/fax_service.h"
#include "service/settings_service.h"
#include "store/spool.h"
#include "store/store.h"

namespace faxgate::mail {

class ResultMailer {
 public:
  ResultMailer(Store& store, Spool& spool, FaxService& faxes, MailTemplates& templates,
               SettingsService& settings, const MailConfig& config)
      : store_(store),
        spool_(spool),
        faxes_(faxes),
        templates_(templates),
        settings_(settings),
        config_(config) {}

  // Queues the result mails of every finished job not yet reported; returns how many jobs.
  int MailFinishedJobs();

 private:
  // The job's result mail and, when it is the last of a submission that asked for one, the
  // read receipt, committed together with the job marked as reported.
  Status MailOne(const Job& job);
  // Nothing when nobody is to be told.
  Result<std::optional<QueuedMail>> WriteResult(const Job& job, const SubmissionOrigin& origin,
                                                const User& owner, const std::string& language);

  Store& store_;
  Spool& spool_;
  FaxService& faxes_;
  MailTemplates& templates_;
  SettingsService& settings_;
  const MailConfig& config_;
};

}  // namespace faxgate::mail
