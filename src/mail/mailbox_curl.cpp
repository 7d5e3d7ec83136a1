#include "mail/mailbox_curl.h"

#include <sys/socket.h>

#include <cstring>
#include <mutex>
#include <string_view>

#include <fmt/format.h>

#include "base/log.h"
#include "mail/imap_syntax.h"
#include "mail/mailbox_server.h"

namespace faxgate::mail {
namespace {

size_t Append(char* data, size_t size, size_t n, void* out) {
  static_cast<std::string*>(out)->append(data, size * n);
  return size * n;
}

void GlobalInit() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

// The server's own words from the last line it sent: "[AUTHENTICATIONFAILED] Authentication
// failed." from "A003 NO [AUTHENTICATIONFAILED] ...", "Message not found." from "-ERR ...".
std::string ServerText(const std::string& protocol, std::string_view transcript) {
  while (!transcript.empty() && (transcript.back() == '\n' || transcript.back() == '\r'))
    transcript.remove_suffix(1);
  const size_t begin = transcript.rfind('\n');
  std::string_view line = transcript.substr(begin == std::string_view::npos ? 0 : begin + 1);
  if (line.size() > 300) line = line.substr(0, 300);
  if (protocol == "pop3") {
    if (line.rfind("-ERR", 0) != 0) return "";
    line.remove_prefix(4);
    while (!line.empty() && line.front() == ' ') line.remove_prefix(1);
    return std::string(line);
  }
  auto r = ParseImapResponse(line);
  if (!r.ok() || r->kind != ImapResponse::Kind::kTagged || r->name == "OK") return "";
  return r->code.empty() ? r->text : fmt::format("[{}] {}", r->code, r->text);
}

}  // namespace

MailboxCurl::MailboxCurl(MailboxServer server)
    : server_(std::move(server)), name_(ServerName(server_)) {
  GlobalInit();
  curl_ = curl_easy_init();
}

MailboxCurl::~MailboxCurl() {
  // Ends the session politely (IMAP LOGOUT, POP3 QUIT).
  if (curl_) curl_easy_cleanup(curl_);
}

void MailboxCurl::DropConnection() {
  if (!curl_) return;
  // Shut the socket first, so that libcurl's goodbye cannot go out: a POP3 QUIT would commit
  // the session's DELEs, and an IMAP LOGOUT would be read against a confused stream.
  curl_socket_t socket = CURL_SOCKET_BAD;
  if (curl_easy_getinfo(curl_, CURLINFO_ACTIVESOCKET, &socket) == CURLE_OK &&
      socket != CURL_SOCKET_BAD) {
    ::shutdown(socket, SHUT_RDWR);
  }
  curl_easy_cleanup(curl_);
  curl_ = curl_easy_init();
}

void MailboxCurl::SetOptions(const CurlRequest& request, CurlReply* reply) {
  CURL* c = curl_;
  curl_easy_reset(c);  // options only: the connection stays for reuse
  const std::string url = fmt::format("{}/{}", name_, request.path);
  curl_easy_setopt(c, CURLOPT_URL, url.c_str());  // libcurl copies strings it is given
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "imap,imaps,pop3,pop3s");
  curl_easy_setopt(c, CURLOPT_USERNAME, server_.user.c_str());
  curl_easy_setopt(c, CURLOPT_PASSWORD, server_.password.c_str());
  // "starttls" insists on STARTTLS/STLS: without it the password would go out in clear.
  curl_easy_setopt(c, CURLOPT_USE_SSL,
                   server_.tls == "none" ? static_cast<long>(CURLUSESSL_NONE)
                                         : static_cast<long>(CURLUSESSL_ALL));
  curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, server_.verify_certificate ? 1L : 0L);
  curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, server_.verify_certificate ? 2L : 0L);
  if (!server_.ca_file.empty()) curl_easy_setopt(c, CURLOPT_CAINFO, server_.ca_file.c_str());
  // No limit on a whole transfer (a message may be large and the line slow); a server that
  // stops answering or sending for `timeout` is given up on.
  const long timeout = static_cast<long>(server_.timeout.count());
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, timeout);
  curl_easy_setopt(c, CURLOPT_SERVER_RESPONSE_TIMEOUT, timeout);
  curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1L);
  curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, timeout);
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);  // we run on a worker thread: no SIGALRM
  curl_easy_setopt(c, CURLOPT_TCP_KEEPALIVE, 1L);
  // Response lines longer than half the buffer are cut in the transcript; a large buffer keeps
  // every line a mail can hold whole (see ImapMailbox::Fetch).
  curl_easy_setopt(c, CURLOPT_BUFFERSIZE, static_cast<long>(CURL_MAX_READ_SIZE));
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, Append);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &reply->body);
  curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, Append);
  curl_easy_setopt(c, CURLOPT_HEADERDATA, &reply->transcript);
  error_buffer_[0] = '\0';
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, error_buffer_);
  if (!request.command.empty()) curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, request.command.c_str());
  if (request.no_body) curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
  if (request.close_after) curl_easy_setopt(c, CURLOPT_FORBID_REUSE, 1L);
}

Result<CurlReply> MailboxCurl::Perform(const CurlRequest& request) {
  if (!curl_) return MakeError(ErrorCode::kInternal, name_ + ": libcurl did not initialise");
  CurlReply reply;
  SetOptions(request, &reply);
  const CURLcode rc = curl_easy_perform(curl_);
  long connects = 0;
  curl_easy_getinfo(curl_, CURLINFO_NUM_CONNECTS, &connects);
  reply.new_session = connects > 0;
  log::Get("mail")->debug("{}: {}{}{} -> {}{}", name_, request.what,
                          request.path.empty() ? "" : " ", request.path, curl_easy_strerror(rc),
                          reply.new_session ? " (new session)" : "");
  if (rc != CURLE_OK) return Describe(rc, request, reply);
  return reply;
}

Error MailboxCurl::Describe(CURLcode code, const CurlRequest& request,
                            const CurlReply& reply) const {
  const std::string said = ServerText(server_.protocol, reply.transcript);
  const std::string detail = said.empty() ? "" : ": " + said;
  auto error = [&](ErrorCode c, const std::string& what) {
    return MakeError(c, fmt::format("{}: {}", name_, what));
  };
  switch (code) {
    case CURLE_LOGIN_DENIED:
      // libcurl reports a refused SELECT with the same code as a refused login.
      if (std::strstr(error_buffer_, "Select") != nullptr)
        return error(ErrorCode::kNotFound,
                     fmt::format("cannot open the folder {}{}", server_.folder, detail));
      return error(ErrorCode::kUnauthenticated,
                   fmt::format("login refused for {}{}", server_.user, detail));
    case CURLE_COULDNT_CONNECT: {
      long os_error = 0;
      curl_easy_getinfo(curl_, CURLINFO_OS_ERRNO, &os_error);
      return error(ErrorCode::kUnavailable,
                   fmt::format("cannot connect: {}",
                               os_error ? std::strerror(os_error) : std::string(error_buffer_)));
    }
    case CURLE_COULDNT_RESOLVE_HOST:
      return error(ErrorCode::kUnavailable, fmt::format("cannot find the host {}", server_.host));
    case CURLE_OPERATION_TIMEDOUT:
      return error(ErrorCode::kUnavailable, fmt::format("no answer within {} s ({})",
                                                        server_.timeout.count(), request.what));
    case CURLE_USE_SSL_FAILED:
      return error(ErrorCode::kUnavailable,
                   fmt::format("the server does not offer {}, and tls = starttls requires it",
                               server_.protocol == "pop3" ? "STLS" : "STARTTLS"));
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_SSL_CERTPROBLEM:
      return error(ErrorCode::kUnavailable, fmt::format("TLS failed: {}", error_buffer_));
    case CURLE_QUOTE_ERROR:         // IMAP: a custom command answered NO or BAD
    case CURLE_WEIRD_SERVER_REPLY:  // POP3: -ERR
    case CURLE_REMOTE_FILE_NOT_FOUND:
      return error(code == CURLE_REMOTE_FILE_NOT_FOUND ? ErrorCode::kNotFound
                                                       : ErrorCode::kFailedPrecondition,
                   fmt::format("the server refused {}{}", request.what,
                               detail.empty() ? fmt::format(" ({})", error_buffer_) : detail));
    case CURLE_GOT_NOTHING:
    case CURLE_RECV_ERROR:
    case CURLE_SEND_ERROR:
    case CURLE_PARTIAL_FILE:
      return error(ErrorCode::kUnavailable,
                   fmt::format("the connection broke during {}", request.what));
    default:
      return error(ErrorCode::kUnavailable,
                   fmt::format("{} failed: {}{}{}", request.what, curl_easy_strerror(code),
                               error_buffer_[0] ? ": " : "", error_buffer_));
  }
}

}  // namespace faxgate::mail
