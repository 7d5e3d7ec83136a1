// Private to the mail module: the IMAP syntax both mailbox clients need (RFC 3501 sections 4, 7
// and 9). The IDLE watcher reads server responses from the wire; MailboxClient finds them in
// libcurl's transcript. Pure and total: any bytes give a value or an error, never a crash.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace faxgate::mail {

// Cuts a byte stream into whole responses. A response is one line, or several when a line ends
// with a literal announcement "{n}" whose n bytes follow (RFC 3501 4.3): a FETCH with a message
// in it is one response. Returned without the final CRLF; literals stay inside, byte for byte.
class ImapResponseSplitter {
 public:
  // A response longer than `max_response` bytes is an error: the peer is not an IMAP server we
  // can follow, and the connection must be dropped.
  explicit ImapResponseSplitter(size_t max_response) : max_(max_response) {}

  void Append(std::string_view bytes);
  // The next whole response, or nullopt until more bytes arrive.
  Result<std::optional<std::string>> Next();
  // Bytes of an unfinished response: left over when a transcript ends mid-literal.
  size_t pending() const { return buffer_.size() - start_; }

 private:
  std::string buffer_;
  size_t start_ = 0;  // first byte of the response being assembled
  size_t line_ = 0;   // first byte of its current line (after any literal)
  size_t max_;
};

struct ImapResponse {
  enum class Kind { kTagged, kUntagged, kContinuation };
  Kind kind = Kind::kUntagged;
  std::string tag;                 // kTagged: the tag of the command this completes
  std::optional<uint32_t> number;  // "* 23 EXISTS": 23
  std::string name;                // upper case: OK NO BAD BYE PREAUTH CAPABILITY EXISTS FETCH...
  std::string code;                // status responses: "UIDVALIDITY 3857529045" from "[...]"
  std::string text;                // the rest: human text of a status, the data of the others
};

// One response as ImapResponseSplitter returns it.
Result<ImapResponse> ParseImapResponse(std::string_view response);

// Upper-cased capability names from "IMAP4rev1 IDLE AUTH=PLAIN ..." (a CAPABILITY response's
// text, or a [CAPABILITY ...] response code without its first word).
std::vector<std::string> ParseCapabilities(std::string_view text);
bool HasCapability(const std::vector<std::string>& capabilities, std::string_view name);

// The data items of a FETCH response ("(UID 5 RFC822.SIZE 601 FLAGS (\Seen) BODY[] {3}..)")
// that the mailbox client asks for; other items are skipped.
struct ImapFetch {
  std::optional<uint32_t> uid;
  std::optional<uint64_t> size;     // RFC822.SIZE
  std::vector<std::string> flags;   // as sent: "\Seen", "\Deleted", "$Label"
  std::optional<std::string> body;  // BODY[] (BODY.PEEK[] answers as BODY[]); NIL stays empty
  bool HasFlag(std::string_view flag) const;
};
Result<ImapFetch> ParseFetch(std::string_view data);

// A string as an IMAP quoted string ("a \"b\""), or nullopt if it cannot be one (CR, LF, NUL or
// 8-bit bytes: those need a literal).
std::optional<std::string> ImapQuoted(std::string_view s);
// A mailbox name as users write it (UTF-8: "传真") in IMAP's modified UTF-7 (RFC 3501 5.1.3:
// "&ThxcnQ-"). ASCII names other than "&" pass unchanged. Invalid UTF-8 is an error.
Result<std::string> EncodeMailboxName(std::string_view utf8);

}  // namespace faxgate::mail
