// IMAP over libcurl. libcurl SELECTs the folder named in the URL and then runs our command
// (CURLOPT_CUSTOMREQUEST); the untagged answers come out as data, and every line the server
// sent also reaches the header callback (the transcript), literals included, byte for byte.
#include <algorithm>
#include <charconv>
#include <cstdint>

#include <fmt/format.h>

#include "base/log.h"
#include "mail/imap_syntax.h"
#include "mail/mailbox_curl.h"
#include "mail/mailbox_protocol.h"

namespace faxgate::mail {
namespace {

// RFC 3986 path segment: everything but unreserved characters percent-encoded, so folder names
// with ";" "/" "%" or spaces reach the server as they are.
std::string UrlEscape(std::string_view s) {
  std::string out;
  for (char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (std::isalnum(u) || c == '-' || c == '.' || c == '_' || c == '~') {
      out += c;
    } else {
      out += fmt::format("%{:02X}", u);
    }
  }
  return out;
}

std::optional<uint32_t> ParseUid(const std::string& uid) {
  uint32_t n = 0;
  auto [end, ec] = std::from_chars(uid.data(), uid.data() + uid.size(), n);
  if (uid.empty() || ec != std::errc() || end != uid.data() + uid.size() || n == 0)
    return std::nullopt;
  return n;
}

// Every response in `bytes` that parses; `incomplete` tells whether the bytes end inside one.
std::vector<ImapResponse> Responses(std::string_view bytes, bool* incomplete = nullptr) {
  ImapResponseSplitter splitter(bytes.size() + 1);
  splitter.Append(bytes);
  std::vector<ImapResponse> out;
  while (true) {
    auto next = splitter.Next();
    if (!next.ok() || !*next) break;
    auto r = ParseImapResponse(**next);
    if (r.ok()) out.push_back(std::move(*r));
  }
  if (incomplete) *incomplete = splitter.pending() > 0;
  return out;
}

// The FETCH data of every untagged FETCH response.
std::vector<ImapFetch> Fetches(std::string_view bytes, bool* incomplete = nullptr) {
  std::vector<ImapFetch> out;
  for (const ImapResponse& r : Responses(bytes, incomplete)) {
    if (r.kind != ImapResponse::Kind::kUntagged || r.name != "FETCH") continue;
    auto f = ParseFetch(r.text);
    if (f.ok()) out.push_back(std::move(*f));
  }
  return out;
}

class ImapMailbox : public MailboxProtocol {
 public:
  explicit ImapMailbox(MailboxServer server) : curl_(std::move(server)) {
    auto encoded = EncodeMailboxName(curl_.server().folder);
    if (!encoded.ok()) {
      config_ = MakeError(ErrorCode::kInvalidArgument,
                          fmt::format("{}: {}", curl_.name(), encoded.error().message));
      return;
    }
    folder_path_ = UrlEscape(*encoded);
    folder_quoted_ = ImapQuoted(*encoded).value_or("\"\"");
  }

  Result<uint64_t> UidValidity() override {
    FG_RETURN_IF_ERROR(config_);
    // STATUS needs no SELECT: the URL names no folder.
    FG_ASSIGN_OR_RETURN(CurlReply reply,
                        curl_.Perform({"", "STATUS " + folder_quoted_ + " (UIDVALIDITY)",
                                       "STATUS " + folder_quoted_}));
    for (const ImapResponse& r : Responses(reply.body)) {
      if (r.name != "STATUS") continue;
      // "INBOX (UIDVALIDITY 1795353347)"
      const size_t at = r.text.rfind("UIDVALIDITY ");
      if (at == std::string::npos) continue;
      const char* digits = r.text.data() + at + 12;
      uint64_t value = 0;
      auto [end, ec] = std::from_chars(digits, r.text.data() + r.text.size(), value);
      if (ec == std::errc() && end != digits) return value;
    }
    return MakeError(ErrorCode::kFailedPrecondition,
                     fmt::format("{}: the server did not tell the UIDVALIDITY of {}", curl_.name(),
                                 curl_.server().folder));
  }

  Result<std::vector<MailboxEntry>> List() override {
    FG_RETURN_IF_ERROR(config_);
    // "1:*" in UIDs is every message, and nothing (not an error) in an empty folder.
    FG_ASSIGN_OR_RETURN(CurlReply reply, Command("UID FETCH 1:* (UID RFC822.SIZE FLAGS)",
                                                 "UID FETCH (list the messages)"));
    std::vector<std::pair<uint32_t, int64_t>> found;
    for (const ImapFetch& f : Fetches(reply.body)) {
      if (!f.uid || f.HasFlag("\\Deleted")) continue;
      found.emplace_back(*f.uid, static_cast<int64_t>(f.size.value_or(0)));
    }
    std::sort(found.begin(), found.end());
    found.erase(std::unique(found.begin(), found.end()), found.end());
    std::vector<MailboxEntry> out;
    for (const auto& [uid, size] : found) out.push_back({std::to_string(uid), size});
    return out;
  }

  Result<std::string> Fetch(const std::string& uid) override {
    FG_RETURN_IF_ERROR(config_);
    FG_ASSIGN_OR_RETURN(uint32_t n, CheckUid(uid));
    FG_ASSIGN_OR_RETURN(CurlReply reply,
                        Command(fmt::format("UID FETCH {} (BODY.PEEK[])", n),
                                fmt::format("UID FETCH {} (fetch message {})", n, uid)));
    // libcurl does not know that a custom command's answer holds a literal: it reads the
    // message as lines and stops at the first line that looks like its tag ("A005 OK"), and
    // it cuts lines longer than half its buffer. The transcript then ends inside the literal.
    bool incomplete = false;
    for (ImapFetch& f : Fetches(reply.transcript, &incomplete)) {
      if (f.uid == n && f.body) return std::move(*f.body);
    }
    if (incomplete) {
      log::Get("mail")->debug("{}: message {} was misread as lines; fetching it again whole",
                              curl_.name(), uid);
      curl_.DropConnection();  // what is left of the literal would be read as answers
      return FetchWhole(n);
    }
    return NotFound(uid);
  }

  Status Delete(const std::string& uid) override {
    FG_RETURN_IF_ERROR(config_);
    FG_ASSIGN_OR_RETURN(uint32_t n, CheckUid(uid));
    FG_ASSIGN_OR_RETURN(CurlReply stored,
                        Command(fmt::format("UID STORE {} +FLAGS (\\Deleted)", n),
                                fmt::format("UID STORE {} +FLAGS (\\Deleted)", n)));
    // The server answers a STORE with the message's new flags; no answer: no such message.
    const auto fetches = Fetches(stored.body);
    if (std::none_of(fetches.begin(), fetches.end(),
                     [&](const ImapFetch& f) { return f.uid == n; }))
      return NotFound(uid);
    FG_ASSIGN_OR_RETURN(bool uidplus, HasUidPlus());
    if (uidplus) {
      FG_RETURN_IF_ERROR(
          Command(fmt::format("UID EXPUNGE {}", n), fmt::format("UID EXPUNGE {}", n)));
    } else {
      FG_RETURN_IF_ERROR(Command("EXPUNGE", "EXPUNGE"));
    }
    return Status::Ok();
  }

 private:
  Result<CurlReply> Command(const std::string& command, const std::string& what) {
    return curl_.Perform({folder_path_, command, what});
  }

  Result<uint32_t> CheckUid(const std::string& uid) const {
    auto n = ParseUid(uid);
    if (!n) {
      return MakeError(ErrorCode::kInvalidArgument,
                       fmt::format("{}: \"{}\" is not an IMAP UID", curl_.name(), uid));
    }
    return *n;
  }

  Error NotFound(const std::string& uid) const {
    return MakeError(ErrorCode::kNotFound, fmt::format("{}: message {} is not in {}", curl_.name(),
                                                       uid, curl_.server().folder));
  }

  // libcurl's own fetch (the URL names the UID) reads the literal by its size, whatever it
  // holds, but asks for BODY[], which sets \Seen: the flag is taken back when it was not set.
  Result<std::string> FetchWhole(uint32_t n) {
    FG_ASSIGN_OR_RETURN(CurlReply flags, Command(fmt::format("UID FETCH {} (FLAGS)", n),
                                                 fmt::format("UID FETCH {} (FLAGS)", n)));
    const auto fetches = Fetches(flags.body);
    auto it = std::find_if(fetches.begin(), fetches.end(),
                           [&](const ImapFetch& f) { return f.uid == n; });
    if (it == fetches.end()) return NotFound(std::to_string(n));
    const bool was_seen = it->HasFlag("\\Seen");
    FG_ASSIGN_OR_RETURN(CurlReply whole, curl_.Perform({fmt::format("{};UID={}", folder_path_, n),
                                                        "", fmt::format("UID FETCH {}", n)}));
    if (!was_seen) {
      auto unseen = Command(fmt::format("UID STORE {} -FLAGS.SILENT (\\Seen)", n),
                            fmt::format("UID STORE {} -FLAGS (\\Seen)", n));
      if (!unseen.ok()) log::Get("mail")->warn("{}", unseen.error().message);
    }
    return std::move(whole.body);
  }

  Result<bool> HasUidPlus() {
    if (!capabilities_) {
      FG_ASSIGN_OR_RETURN(CurlReply reply, curl_.Perform({"", "CAPABILITY", "CAPABILITY"}));
      capabilities_.emplace();
      for (const ImapResponse& r : Responses(reply.body)) {
        if (r.name == "CAPABILITY") *capabilities_ = ParseCapabilities(r.text);
      }
    }
    return HasCapability(*capabilities_, "UIDPLUS");
  }

  MailboxCurl curl_;
  Status config_;
  std::string folder_path_;    // the folder in modified UTF-7, URL-escaped
  std::string folder_quoted_;  // the same as an IMAP quoted string
  std::optional<std::vector<std::string>> capabilities_;
};

}  // namespace

std::unique_ptr<MailboxProtocol> MakeImapMailbox(MailboxServer server) {
  return std::make_unique<ImapMailbox>(std::move(server));
}

}  // namespace faxgate::mail
