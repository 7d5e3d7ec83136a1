// Administration of the mail servers (REQUIREMENTS S4 "mail servers"): the SMTP relay for
// outgoing mail and the POP3/IMAP shared mailboxes, checked before they are stored.
#pragma once

#include <string>
#include <vector>

#include "base/clock.h"
#include "base/result.h"
#include "domain/user.h"
#include "store/store.h"

namespace faxgate::mail {

class MailServers {
 public:
  MailServers(Store& store, const Clock& clock) : store_(store), clock_(clock) {}

  Result<std::vector<MailServer>> List(const User& actor);
  // Inserts or replaces by name. An empty password keeps the stored one (lists never show it).
  Result<MailServer> Put(const User& actor, MailServer server);
  Status Delete(const User& actor, const std::string& name);

 private:
  Store& store_;
  const Clock& clock_;
};

// The checks Put applies, for the API's error messages.
Status ValidateMailServer(const MailServer& server);

}  // namespace faxgate::mail
