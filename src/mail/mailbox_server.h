// Private to the mail module: what MailboxClient and ImapIdleWatcher both derive from a
// MailboxServer, so that their messages name a server the same way.
#pragma once

#include <cstdint>
#include <string>

#include "base/result.h"
#include "mail/mailbox_client.h"

namespace faxgate::mail {

// The configured port, or the protocol's well-known one (143/110, 993/995 with implicit TLS).
uint16_t EffectivePort(const MailboxServer& server);
// How messages name the server: "imap://127.0.0.1:42143", "pop3s://[2001:db8::1]:995".
std::string ServerName(const MailboxServer& server);
// A configuration that cannot work: unknown protocol or TLS mode, no host, no user.
Status CheckServer(const MailboxServer& server);

}  // namespace faxgate::mail
