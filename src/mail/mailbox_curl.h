// Private to the mail module: one libcurl easy handle doing IMAP or POP3 requests for
// MailboxClient. The handle keeps its connection between requests (libcurl reuses it when the
// server and credentials match), so a List, Fetch and Delete run in one session when the
// server allows. Failures come back in the user's terms: the server, the user, what failed.
#pragma once

#include <memory>
#include <string>

#include <curl/curl.h>

#include "base/result.h"
#include "mail/mailbox_client.h"

namespace faxgate::mail {

struct CurlRequest {
  std::string path;          // after "imap://host:port/": "INBOX", "INBOX;UID=5", "3" (POP3)
  std::string command;       // CURLOPT_CUSTOMREQUEST; "" for libcurl's own (LIST, RETR, FETCH)
  std::string what;          // for messages: "UID FETCH", "RETR"
  bool no_body = false;      // a command answered by a status line only (DELE, NOOP, RSET)
  bool close_after = false;  // end the session after it (POP3: QUIT commits the DELEs)
};

struct CurlReply {
  std::string body;          // what libcurl hands out as data: untagged lines, a message
  std::string transcript;    // every response line of the request, as the server sent it
  bool new_session = false;  // libcurl connected (again) for this request
};

class MailboxCurl {
 public:
  explicit MailboxCurl(MailboxServer server);
  ~MailboxCurl();
  MailboxCurl(const MailboxCurl&) = delete;
  MailboxCurl& operator=(const MailboxCurl&) = delete;

  Result<CurlReply> Perform(const CurlRequest& request);
  // Forgets the connection: the next request connects anew. For a session whose responses
  // libcurl may have misread.
  void DropConnection();
  // "imap://127.0.0.1:42143"
  const std::string& name() const { return name_; }
  const MailboxServer& server() const { return server_; }

 private:
  void SetOptions(const CurlRequest& request, CurlReply* reply);
  Error Describe(CURLcode code, const CurlRequest& request, const CurlReply& reply) const;

  MailboxServer server_;
  std::string name_;
  CURL* curl_ = nullptr;
  char error_buffer_[CURL_ERROR_SIZE] = {};
};

}  // namespace faxgate::mail
