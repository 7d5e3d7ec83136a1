#include "sip/sip_status.h"

#include <array>
#include <string>
#include <utility>

#include "sip/sdp_text.h"

namespace faxgate {
namespace {

// RFC 3261 section 21 and its extensions: the phrase to show when the response had none.
constexpr std::array<std::pair<int, std::string_view>, 45> kStandardPhrases{{
    {300, "Multiple Choices"},
    {301, "Moved Permanently"},
    {302, "Moved Temporarily"},
    {305, "Use Proxy"},
    {380, "Alternative Service"},
    {400, "Bad Request"},
    {401, "Unauthorized"},
    {402, "Payment Required"},
    {403, "Forbidden"},
    {404, "Not Found"},
    {405, "Method Not Allowed"},
    {406, "Not Acceptable"},
    {407, "Proxy Authentication Required"},
    {408, "Request Timeout"},
    {410, "Gone"},
    {413, "Request Entity Too Large"},
    {414, "Request-URI Too Long"},
    {415, "Unsupported Media Type"},
    {416, "Unsupported URI Scheme"},
    {420, "Bad Extension"},
    {421, "Extension Required"},
    {422, "Session Interval Too Small"},
    {423, "Interval Too Brief"},
    {480, "Temporarily Unavailable"},
    {481, "Call/Transaction Does Not Exist"},
    {482, "Loop Detected"},
    {483, "Too Many Hops"},
    {484, "Address Incomplete"},
    {485, "Ambiguous"},
    {486, "Busy Here"},
    {487, "Request Terminated"},
    {488, "Not Acceptable Here"},
    {491, "Request Pending"},
    {493, "Undecipherable"},
    {500, "Server Internal Error"},
    {501, "Not Implemented"},
    {502, "Bad Gateway"},
    {503, "Service Unavailable"},
    {504, "Server Time-out"},
    {505, "Version Not Supported"},
    {513, "Message Too Large"},
    {600, "Busy Everywhere"},
    {603, "Decline"},
    {604, "Does Not Exist Anywhere"},
    {606, "Not Acceptable"},
}};

std::string_view StandardPhrase(int status) {
  for (const auto& [code, phrase] : kStandardPhrases)
    if (code == status) return phrase;
  return "";
}

// What the user sees in brackets: "486 Busy Here", plus the trunk when the sentence does not
// name it already. The phrase comes from the network: it is made printable and kept short.
struct Detail {
  int status;
  std::string phrase;
  std::string trunk;

  std::string Bracket(bool with_trunk) const {
    std::string text = std::to_string(status);
    if (!phrase.empty()) text += " " + phrase;
    if (with_trunk && !trunk.empty()) text += " from trunk " + trunk;
    return "(" + text + ")";
  }
  // "trunk carrier-a", or "the trunk" when the caller does not know which.
  std::string Trunk() const { return trunk.empty() ? "the trunk" : "trunk " + trunk; }
};

// Reasons stand alone in faxstat's status column and the outbox, so each starts with a capital
// ("Trunk carrier-a is unavailable", "The line was busy").
SipFailure Failure(FailureKind kind, std::string sentence) {
  if (!sentence.empty() && sentence[0] >= 'a' && sentence[0] <= 'z') sentence[0] -= 'a' - 'A';
  return {kind, std::move(sentence)};
}

// The called party's answers: the sentence is about the number, the bracket names the trunk.
SipFailure CalledPartyFailure(int status, const Detail& d, const std::string& number) {
  std::string bracket = " " + d.Bracket(true);
  switch (status) {
    case 486:
    case 600:
      return Failure(FailureKind::kBusy, "The line was busy" + bracket);
    case 408:
    case 480:
      return Failure(FailureKind::kNoAnswer, number + " did not answer" + bracket);
    case 487:
      return Failure(FailureKind::kNoAnswer,
                     "The call to " + number + " was cancelled before it was answered" + bracket);
    case 404:
    case 604:
      return Failure(FailureKind::kBadNumber, "The number " + number + " does not exist" + bracket);
    case 410:
      return Failure(FailureKind::kBadNumber,
                     "The number " + number + " is no longer in service" + bracket);
    case 484:
      return Failure(FailureKind::kBadNumber, "The number " + number + " is incomplete" + bracket);
    case 485:
      return Failure(FailureKind::kBadNumber, "The number " + number + " is ambiguous" + bracket);
    case 415:
    case 488:
    case 606:
      // No common media: the far end takes neither G.711 nor T.38 as we offered them. Another
      // attempt would offer the same, so this does not retry.
      return Failure(FailureKind::kRejected, "The far end cannot take a fax call" + bracket);
    case 603:
      return Failure(FailureKind::kRejected, number + " declined the call" + bracket);
    default:
      return Failure(FailureKind::kNone, "");
  }
}

// The trunk's own answers: the sentence names the trunk, so the bracket does not.
SipFailure TrunkFailure(int status, const Detail& d) {
  std::string bracket = " " + d.Bracket(false);
  switch (status) {
    case 401:
    case 407:
      return Failure(FailureKind::kRejected,
                     d.Trunk() + " refused the call: authentication failed" + bracket);
    case 403:
      // Most trunks answer a wrong password with 403 after the challenge; some also forbid
      // destinations or empty accounts this way, which the words leave room for.
      return Failure(FailureKind::kRejected,
                     d.Trunk() + " refused the call: authentication failed or the call is not " +
                         "allowed" + bracket);
    case 402:
      return Failure(FailureKind::kRejected,
                     d.Trunk() + " refused the call: payment required" + bracket);
    case 503:
      return Failure(FailureKind::kNetwork, d.Trunk() + " is unavailable" + bracket);
    case 502:
      return Failure(FailureKind::kNetwork, d.Trunk() + " could not reach the far end" + bracket);
    case 504:
      return Failure(FailureKind::kNetwork, d.Trunk() + " timed out" + bracket);
    default:
      break;
  }
  // By class. Redirects are not followed; other 4xx are most often a setting between us and
  // the trunk, but one that may clear, so they retry; 6xx are the far end's global refusals.
  if (status >= 300 && status < 400)
    return Failure(FailureKind::kNetwork,
                   d.Trunk() + " redirected the call, which faxgate does not follow" + bracket);
  if (status >= 400 && status < 500)
    return Failure(FailureKind::kNetwork, d.Trunk() + " rejected the call" + bracket);
  if (status >= 500 && status < 600)
    return Failure(FailureKind::kNetwork, d.Trunk() + " failed" + bracket);
  if (status >= 600 && status < 700)
    return Failure(FailureKind::kRejected, "The far end refused the call" + bracket);
  // 0: no response at all; 7xx-9xx: sofia-sip's own statuses for transport and internal errors.
  return Failure(FailureKind::kNetwork, d.Trunk() + " could not be reached" + bracket);
}

}  // namespace

SipFailure DescribeSipFailure(int status, std::string_view phrase, std::string_view number,
                              std::string_view trunk) {
  Detail d{status, sdp_text::Printable(sdp_text::Trim(phrase), 60), sdp_text::Printable(trunk, 60)};
  if (d.phrase.empty()) d.phrase = std::string(StandardPhrase(status));
  if (status >= 200 && status < 300)
    return Failure(FailureKind::kNone, "Answered " + d.Bracket(true));
  std::string called = number.empty() ? "the called number" : sdp_text::Printable(number, 60);
  SipFailure failure = CalledPartyFailure(status, d, called);
  if (failure.kind != FailureKind::kNone) return failure;
  return TrunkFailure(status, d);
}

bool ShouldFailOver(int status) {
  if (status == 401 || status == 402 || status == 403 || status == 407 || status == 408)
    return true;
  if (status >= 500 && status < 600) return true;
  // No response (0) and sofia-sip's 7xx-9xx transport and internal errors.
  return status < 100 || status >= 700;
}

}  // namespace faxgate
