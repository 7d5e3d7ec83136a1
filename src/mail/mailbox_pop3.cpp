// POP3 over libcurl. Callers name messages by UIDL; POP3 commands take message numbers, which
// hold only for one session. So the UIDL-to-number map is trusted only while libcurl keeps the
// session it was read in: a request that needed a new connection (CURLINFO_NUM_CONNECTS) makes
// it stale, and a RETR or DELE sent in a session the map does not describe is redone.
#include <charconv>
#include <map>
#include <sstream>
#include <string_view>

#include <fmt/format.h>

#include "base/log.h"
#include "mail/mailbox_curl.h"
#include "mail/mailbox_protocol.h"

namespace faxgate::mail {
namespace {

// RFC 1939 7: a UIDL is 1 to 70 characters from 0x21 to 0x7E.
bool IsUidl(const std::string& s) {
  if (s.empty() || s.size() > 70) return false;
  for (char c : s) {
    if (c < 0x21 || c > 0x7e) return false;
  }
  return true;
}

// "1 000000014d2f8c1a\r\n2 ..." (UIDL) or "1 601\r\n2 ..." (LIST): number -> second word.
std::map<int, std::string> NumberedLines(const std::string& body) {
  std::map<int, std::string> out;
  std::istringstream in(body);
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream words(line);
    int number = 0;
    std::string value;
    if (words >> number >> value && number > 0) out[number] = value;
  }
  return out;
}

// The text of the last line if it is a "-ERR" answer, else "".
std::string LastErr(std::string_view transcript) {
  while (!transcript.empty() && (transcript.back() == '\n' || transcript.back() == '\r'))
    transcript.remove_suffix(1);
  const size_t begin = transcript.rfind('\n');
  std::string_view line = transcript.substr(begin == std::string_view::npos ? 0 : begin + 1);
  if (line.rfind("-ERR", 0) != 0) return "";
  return std::string(line.substr(std::min<size_t>(line.size(), 5)));
}

// How often a call tries again when the session changed under it.
constexpr int kAttempts = 3;

class Pop3Mailbox : public MailboxProtocol {
 public:
  explicit Pop3Mailbox(MailboxServer server) : curl_(std::move(server)) {}

  Result<uint64_t> UidValidity() override { return uint64_t{0}; }

  Result<std::vector<MailboxEntry>> List() override {
    FG_RETURN_IF_ERROR(Refresh());
    std::vector<MailboxEntry> out;
    for (const auto& [number, message] : by_number_) out.push_back({message.uidl, message.size});
    return out;
  }

  Result<std::string> Fetch(const std::string& uidl) override {
    for (int attempt = 0; attempt < kAttempts; ++attempt) {
      FG_ASSIGN_OR_RETURN(int number, Number(uidl));
      FG_ASSIGN_OR_RETURN(CurlReply reply, Call({std::to_string(number), "", "RETR"}));
      if (!reply.new_session) return std::move(reply.body);
      // Retrieved in a new session, where `number` may be another message: read the map again.
    }
    return Unstable(uidl);
  }

  // DELE marks; only QUIT deletes. A DELE that went to a session the map does not describe
  // may have marked another message: that session is dropped without QUIT, which undoes it.
  Status Delete(const std::string& uidl) override {
    for (int attempt = 0; attempt < kAttempts; ++attempt) {
      FG_ASSIGN_OR_RETURN(int number, Number(uidl));
      FG_ASSIGN_OR_RETURN(CurlReply marked,
                          Call({std::to_string(number), "DELE", "DELE", /*no_body=*/true}));
      if (marked.new_session) {
        curl_.DropConnection();
        continue;
      }
      // The session ends after this NOOP: libcurl closes it with QUIT, and the server deletes.
      FG_ASSIGN_OR_RETURN(CurlReply quit, Call({"", "NOOP", "QUIT", /*no_body=*/true,
                                                /*close_after=*/true}));
      map_current_ = false;
      if (!quit.new_session) {
        // libcurl lets the answer to its QUIT through to the transcript; "-ERR" there means
        // the server kept the message ("-ERR some deleted messages not removed", RFC 1939 6).
        if (const std::string refusal = LastErr(quit.transcript); !refusal.empty()) {
          return MakeError(ErrorCode::kUnavailable,
                           fmt::format("{}: the server did not delete message {}: {}", curl_.name(),
                                       uidl, refusal));
        }
        return Status::Ok();
      }
      // The DELE's session broke before the QUIT: nothing was deleted. Again.
    }
    return Unstable(uidl);
  }

 private:
  struct Message {
    std::string uidl;
    int64_t size = 0;
  };

  // A request; one that opened a new session makes the map stale.
  Result<CurlReply> Call(const CurlRequest& request) {
    auto reply = curl_.Perform(request);
    if (!reply.ok() || reply->new_session) map_current_ = false;
    return reply;
  }

  // Reads UIDL and LIST in one session and maps UIDLs to that session's message numbers.
  Status Refresh() {
    for (int attempt = 0; attempt < kAttempts; ++attempt) {
      FG_ASSIGN_OR_RETURN(CurlReply uidls, Call({"", "UIDL", "UIDL"}));
      FG_ASSIGN_OR_RETURN(CurlReply sizes, Call({"", "", "LIST"}));
      if (sizes.new_session) continue;
      by_number_.clear();
      by_uidl_.clear();
      const auto size_of = NumberedLines(sizes.body);
      for (const auto& [number, uidl] : NumberedLines(uidls.body)) {
        auto size = size_of.find(number);
        int64_t bytes = 0;
        if (size != size_of.end()) {
          const std::string& text = size->second;
          std::from_chars(text.data(), text.data() + text.size(), bytes);
        }
        by_number_[number] = {uidl, bytes};
        by_uidl_[uidl] = number;
      }
      map_current_ = true;
      return Status::Ok();
    }
    return Unstable("the message list");
  }

  Result<int> Number(const std::string& uidl) {
    if (!IsUidl(uidl)) {
      return MakeError(ErrorCode::kInvalidArgument,
                       fmt::format("{}: \"{}\" is not a POP3 UIDL", curl_.name(), uidl));
    }
    if (!map_current_) FG_RETURN_IF_ERROR(Refresh());
    auto it = by_uidl_.find(uidl);
    if (it == by_uidl_.end()) {
      return MakeError(ErrorCode::kNotFound,
                       fmt::format("{}: message {} is not in the mailbox", curl_.name(), uidl));
    }
    return it->second;
  }

  Error Unstable(const std::string& what) const {
    return MakeError(
        ErrorCode::kUnavailable,
        fmt::format("{}: the connection kept breaking while handling {}", curl_.name(), what));
  }

  MailboxCurl curl_;
  std::map<int, Message> by_number_;
  std::map<std::string, int> by_uidl_;
  bool map_current_ = false;  // the maps describe the session libcurl holds now
};

}  // namespace

std::unique_ptr<MailboxProtocol> MakePop3Mailbox(MailboxServer server) {
  return std::make_unique<Pop3Mailbox>(std::move(server));
}

}  // namespace faxgate::mail
