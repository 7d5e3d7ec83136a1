#include "mail/mailbox_client.h"

#include <curl/curl.h>

#include <mutex>
#include <sstream>

#include <fmt/format.h>

#include "base/log.h"

namespace faxgate::mail {
namespace {

size_t Collect(char* data, size_t size, size_t n, void* out) {
  static_cast<std::string*>(out)->append(data, size * n);
  return size * n;
}

void GlobalInit() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

}  // namespace

struct MailboxClient::Impl {
  MailboxServer s;
  CURL* curl = nullptr;
  std::string base;  // imap://host:port/ or pop3://host:port/
  std::string name;  // for messages

  ~Impl() {
    if (curl) curl_easy_cleanup(curl);
  }

  // One request; `url_tail` after the base; custom request or none.
  Result<std::string> Request(const std::string& url_tail, const std::string& custom,
                              bool no_body = false) {
    curl_easy_reset(curl);
    std::string body;
    const std::string url = base + url_tail;
    curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
    curl_easy_setopt(curl, CURLOPT_USERNAME, s.user.c_str());
    curl_easy_setopt(curl, CURLOPT_PASSWORD, s.password.c_str());
    curl_easy_setopt(
        curl, CURLOPT_USE_SSL,
        s.tls == "none" ? static_cast<long>(CURLUSESSL_NONE) : static_cast<long>(CURLUSESSL_ALL));
    curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, s.verify_certificate ? 1L : 0L);
    curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, s.verify_certificate ? 2L : 0L);
    if (!s.ca_file.empty()) curl_easy_setopt(curl, CURLOPT_CAINFO, s.ca_file.c_str());
    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, static_cast<long>(s.timeout.count()));
    curl_easy_setopt(curl, CURLOPT_TIMEOUT, static_cast<long>(s.timeout.count() * 10));
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, Collect);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &body);
    if (!custom.empty()) curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, custom.c_str());
    if (no_body) curl_easy_setopt(curl, CURLOPT_NOBODY, 1L);
    const CURLcode rc = curl_easy_perform(curl);
    if (rc != CURLE_OK) {
      std::string what = curl_easy_strerror(rc);
      if (rc == CURLE_LOGIN_DENIED)
        what = fmt::format("login refused for {}", s.user);
      else if (rc == CURLE_COULDNT_CONNECT)
        what = "cannot connect (connection refused)";
      else if (rc == CURLE_USE_SSL_FAILED)
        what = "the server does not offer STARTTLS";
      return MakeError(ErrorCode::kUnavailable, fmt::format("{}: {}", name, what));
    }
    return body;
  }
};

MailboxClient::MailboxClient(MailboxServer server) : impl_(std::make_unique<Impl>()) {
  GlobalInit();
  impl_->s = std::move(server);
  const bool imap = impl_->s.protocol == "imap";
  const bool implicit = impl_->s.tls == "implicit";
  uint16_t port = impl_->s.port;
  if (port == 0) port = imap ? (implicit ? 993 : 143) : (implicit ? 995 : 110);
  const std::string scheme = imap ? (implicit ? "imaps" : "imap") : (implicit ? "pop3s" : "pop3");
  impl_->base = fmt::format("{}://{}:{}/", scheme, impl_->s.host, port);
  impl_->name = impl_->base;
  impl_->curl = curl_easy_init();
}

MailboxClient::~MailboxClient() = default;

Result<std::vector<MailboxEntry>> MailboxClient::List() {
  std::vector<MailboxEntry> out;
  if (impl_->s.protocol == "imap") {
    FG_ASSIGN_OR_RETURN(std::string text,
                        impl_->Request(impl_->s.folder, "UID SEARCH NOT DELETED"));
    // "* SEARCH 1 2 3"
    std::istringstream in(text);
    std::string line;
    while (std::getline(in, line)) {
      if (line.rfind("* SEARCH", 0) != 0) continue;
      std::istringstream words(line.substr(8));
      std::string uid;
      while (words >> uid) out.push_back({uid, 0});
    }
    return out;
  }
  FG_ASSIGN_OR_RETURN(std::string text, impl_->Request("", "UIDL"));
  std::istringstream in(text);
  std::string number, uidl;
  while (in >> number >> uidl) out.push_back({number + " " + uidl, 0});
  return out;
}

Result<std::string> MailboxClient::Fetch(const std::string& uid) {
  if (impl_->s.protocol == "imap") {
    return impl_->Request(fmt::format("{};UID={};SECTION=", impl_->s.folder, uid), "");
  }
  // POP3: the entry is "<number> <uidl>"; RETR by number.
  return impl_->Request(uid.substr(0, uid.find(' ')), "");
}

Status MailboxClient::Delete(const std::string& uid) {
  if (impl_->s.protocol == "imap") {
    auto stored =
        impl_->Request(impl_->s.folder, fmt::format("UID STORE {} +FLAGS.SILENT (\\Deleted)", uid));
    if (!stored.ok()) return stored.error();
    auto expunged = impl_->Request(impl_->s.folder, fmt::format("UID EXPUNGE {}", uid));
    if (!expunged.ok()) {  // a server without UIDPLUS
      auto all = impl_->Request(impl_->s.folder, "EXPUNGE");
      if (!all.ok()) return all.error();
    }
    return Status::Ok();
  }
  // The DELE takes effect when the session ends with QUIT, which libcurl sends when this client
  // is destroyed; a crash before that leaves the mail, and the store's record of it makes the
  // next poll delete it without faxing it again.
  auto r = impl_->Request(uid.substr(0, uid.find(' ')), "DELE", /*no_body=*/true);
  if (!r.ok()) return r.error();
  return Status::Ok();
}

}  // namespace faxgate::mail
