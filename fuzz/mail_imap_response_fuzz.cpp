// IMAP responses come from the mail server of a shared mailbox: the IDLE watcher reads them off
// the wire, MailboxClient out of libcurl's transcript, and either may be a hostile or broken
// server. Cuts the bytes into responses and parses each, and checks what the clients rely on:
// the cut does not depend on how the bytes arrive, nothing grows out of its input, names are
// upper case, tagged answers are OK/NO/BAD, and a FETCH body lies within its response. Also
// feeds the bytes to the quoting and folder-name encoders, whose output goes back to servers.
#include <cctype>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_check.h"
#include "mail/imap_syntax.h"

namespace {

using faxgate::mail::ImapResponse;
using faxgate::mail::ImapResponseSplitter;

std::vector<std::string> Split(std::string_view bytes, size_t step, bool* failed) {
  ImapResponseSplitter splitter(4096);
  std::vector<std::string> out;
  *failed = false;
  for (size_t i = 0; i < bytes.size() && !*failed; i += step) {
    splitter.Append(bytes.substr(i, step));
    while (true) {
      auto next = splitter.Next();
      if (!next.ok()) {
        FUZZ_CHECK(!next.error().message.empty());
        *failed = true;
        break;
      }
      if (!*next) break;
      FUZZ_CHECK((*next)->size() <= 4096);
      out.push_back(**next);
    }
  }
  return out;
}

void CheckResponse(const std::string& response) {
  auto r = faxgate::mail::ParseImapResponse(response);
  if (!r.ok()) {
    FUZZ_CHECK(!r.error().message.empty());
    return;
  }
  FUZZ_CHECK(r->text.size() <= response.size());
  FUZZ_CHECK(r->code.size() <= response.size());
  if (r->kind == ImapResponse::Kind::kContinuation) return;
  FUZZ_CHECK(!r->name.empty());
  for (char c : r->name) FUZZ_CHECK(!std::islower(static_cast<unsigned char>(c)) && c != ' ');
  if (r->kind == ImapResponse::Kind::kTagged) {
    FUZZ_CHECK(!r->tag.empty());
    FUZZ_CHECK(r->name == "OK" || r->name == "NO" || r->name == "BAD");
  }
  for (const std::string& cap : faxgate::mail::ParseCapabilities(r->text)) {
    FUZZ_CHECK(!cap.empty() && cap.find(' ') == std::string::npos);
  }
  auto fetch = faxgate::mail::ParseFetch(r->text);
  if (fetch.ok()) {
    if (fetch->body) FUZZ_CHECK(fetch->body->size() <= r->text.size());
    for (const std::string& flag : fetch->flags) FUZZ_CHECK(!flag.empty());
  } else {
    FUZZ_CHECK(!fetch.error().message.empty());
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  bool failed_whole = false, failed_bytewise = false;
  const auto whole = Split(bytes, bytes.size() + 1, &failed_whole);
  const auto bytewise = Split(bytes, 1, &failed_bytewise);
  FUZZ_CHECK(failed_whole == failed_bytewise);
  if (!failed_whole) FUZZ_CHECK(whole == bytewise);
  size_t total = 0;
  for (const std::string& response : whole) {
    total += response.size();
    CheckResponse(response);
  }
  FUZZ_CHECK(total <= size);

  if (auto quoted = faxgate::mail::ImapQuoted(bytes)) {
    FUZZ_CHECK(quoted->size() >= size + 2);
    FUZZ_CHECK(quoted->find_first_of("\r\n") == std::string::npos);
  }
  if (auto name = faxgate::mail::EncodeMailboxName(bytes); name.ok()) {
    for (char c : *name) FUZZ_CHECK(c >= 0x20 && c <= 0x7e);
  }
  return 0;
}
