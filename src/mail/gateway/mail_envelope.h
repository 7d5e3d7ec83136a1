// Small rules for the mails faxgate writes: ids, addresses from templates, DSN NOTIFY values.
#pragma once

#include <string>
#include <string_view>

namespace faxgate::mail {

// A fresh correlation id for one outgoing mail: ENVID, the Message-ID's local part and the
// X-Faxgate-Job header carry it, so that a DSN or MDN is matched back whichever it quotes.
std::string NewEnvid(std::string_view kind, int64_t fax_id);

// Cisco's mail-from rule: `user_template` with $s$ (calling) and $d$ (called) replaced, at
// `host`. A template whose number is empty ("FAX=$s$" with no caller id) would make the invalid
// "FAX=@host" that servers refuse with 501, so `fallback` (the postmaster) is used instead.
std::string ExpandMailFrom(std::string_view user_template, std::string_view calling,
                           std::string_view called, std::string_view host,
                           std::string_view fallback);

// A route target: "andy@example.com" as is, "FAX=$d$@example.com" with the called number. Empty
// when the template needs a number that is empty.
std::string ExpandRouteTarget(std::string_view target, std::string_view calling,
                              std::string_view called);

// Configuration's "failure,delay" as SMTP's NOTIFY=FAILURE,DELAY ("never" -> "NEVER").
std::string NotifyParameter(std::string_view dsn);

}  // namespace faxgate::mail
