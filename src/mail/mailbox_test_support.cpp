#include "mail/mailbox_test_support.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <thread>

#include <fmt/format.h>

namespace faxgate::mail::testing {
namespace fs = std::filesystem;

namespace {

// scripts/mailenv of this source tree: from $FAXGATE_SOURCE_DIR (set by ctest), else found
// upwards from the test binary (build dirs live inside the tree).
fs::path ScriptsDir() {
  if (const char* source = std::getenv("FAXGATE_SOURCE_DIR"))
    return fs::path(source) / "scripts/mailenv";
  std::error_code ec;
  for (fs::path p = fs::read_symlink("/proc/self/exe", ec).parent_path(); !p.empty();
       p = p.parent_path()) {
    if (fs::exists(p / "scripts/mailenv/setup")) return p / "scripts/mailenv";
    if (p == p.root_path()) break;
  }
  return "scripts/mailenv";
}

std::string ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

size_t AppendTo(char* data, size_t size, size_t n, void* out) {
  static_cast<std::string*>(out)->append(data, size * n);
  return size * n;
}

struct Upload {
  const std::string* data;
  size_t pos = 0;
};

size_t ReadFrom(char* buffer, size_t size, size_t n, void* arg) {
  auto* upload = static_cast<Upload*>(arg);
  const size_t count = std::min(size * n, upload->data->size() - upload->pos);
  std::copy_n(upload->data->data() + upload->pos, count, buffer);
  upload->pos += count;
  return count;
}

bool PortFree(int port) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return false;
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<uint16_t>(port));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  const bool free = bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
  close(fd);
  return free;
}

// ctest runs each test in its own process, two at a time, and each starts its own Postfix and
// Dovecot: every process needs its own ports. Slots of 150 ports (scripts/mailenv/ports uses
// base+12 .. base+143) from 30000 up, below the ephemeral range so that no outgoing connection
// holds one; the search starts at a slot chosen by the pid and takes the first whose ports are
// all free.
int FreePortBase() {
  constexpr int kFirst = 30000, kSlot = 150, kSlots = 17;  // up to 32550 < 32768
  const int offsets[] = {12, 24, 25, 26, 87, 110, 143};
  static int tries = 0;  // a later search starts further on
  const int start = getpid() + 5 * tries++;
  for (int i = 0; i < kSlots; ++i) {
    const int base = kFirst + ((start + i) % kSlots) * kSlot;
    if (std::all_of(std::begin(offsets), std::end(offsets),
                    [&](int o) { return PortFree(base + o); }))
      return base;
  }
  return kFirst + (start % kSlots) * kSlot;  // let mailenv name the port that is taken
}

}  // namespace

bool MailEnv::Installed() {
  return fs::exists("/usr/sbin/dovecot") && fs::exists("/usr/sbin/postfix");
}

MailEnv::MailEnv(const std::string& name)
    : name_(name),
      base_(FreePortBase()),
      root_(fmt::format("/tmp/faxgate-{}-{}", name, getpid())) {}

MailEnv::~MailEnv() { Stop(); }

Status MailEnv::Run(const std::string& script) {
  const fs::path log = root_.string() + "." + script + ".log";
  const std::string command =
      fmt::format("MAILENV_ROOT='{}' MAILENV_PORT_BASE={} '{}' >'{}' 2>&1 </dev/null",
                  root_.string(), base_, (ScriptsDir() / script).string(), log.string());
  const int rc = std::system(command.c_str());
  std::string output = ReadFile(log);
  fs::remove(log);
  if (rc != 0) {
    return MakeError(ErrorCode::kUnavailable,
                     fmt::format("mailenv {} failed ({}): {}", script, rc, output));
  }
  return Status::Ok();
}

Status MailEnv::Start() {
  // Another test process may take the ports between the choice and the start: choose again.
  for (int attempt = 1;; ++attempt) {
    FG_RETURN_IF_ERROR(Run("setup"));
    started_ = true;  // from here on stop undoes what start may have begun
    Status s = Run("start");
    if (s.ok() || attempt == 5 || s.error().message.find("already in use") == std::string::npos)
      return s;
    Stop();
    std::error_code ec;
    fs::remove_all(root_, ec);
    base_ = FreePortBase();
  }
}

void MailEnv::Stop() {
  if (!started_) return;
  started_ = false;
  (void)Run("stop");
  std::error_code ec;
  fs::remove_all(root_, ec);
}

MailboxServer MailEnv::Server(const std::string& protocol, const std::string& user) const {
  MailboxServer s;
  s.protocol = protocol;
  s.host = "127.0.0.1";
  s.port = static_cast<uint16_t>(protocol == "pop3" ? pop3_port() : imap_port());
  s.tls = "starttls";
  s.verify_certificate = false;  // self-signed for mail.fax.test
  s.user = user + "@fax.test";
  s.password = user + "pass";
  s.timeout = std::chrono::seconds(20);
  return s;
}

fs::path MailEnv::Maildir(const std::string& user) const {
  return root_ / "vmail/fax.test" / user / "Maildir";
}

std::vector<std::string> MailEnv::Stored(const std::string& user) const {
  std::vector<fs::path> files;
  for (const char* sub : {"new", "cur"}) {
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(Maildir(user) / sub, ec))
      files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end(), [](const fs::path& a, const fs::path& b) {
    return a.filename() < b.filename();  // "<seconds>.M<microseconds>P<pid>...": arrival order
  });
  std::vector<std::string> out;
  for (const fs::path& f : files) {
    std::string crlf;
    for (char c : ReadFile(f)) {
      if (c == '\n') crlf += '\r';
      crlf += c;
    }
    out.push_back(std::move(crlf));
  }
  return out;
}

void MailEnv::Empty(const std::string& user) {
  for (const char* sub : {"new", "cur"}) {
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(Maildir(user) / sub, ec))
      fs::remove(entry.path(), ec);
  }
}

Status MailEnv::Deliver(const std::string& user, const std::string& message) {
  const size_t before = Stored(user).size();
  CURL* curl = curl_easy_init();
  const std::string url = fmt::format("smtp://127.0.0.1:{}", smtp_port());
  const std::string to = fmt::format("<{}@fax.test>", user);
  curl_slist* recipients = curl_slist_append(nullptr, to.c_str());
  Upload upload{&message};
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_MAIL_FROM, "<alice@fax.test>");
  curl_easy_setopt(curl, CURLOPT_MAIL_RCPT, recipients);
  curl_easy_setopt(curl, CURLOPT_UPLOAD, 1L);
  curl_easy_setopt(curl, CURLOPT_READFUNCTION, ReadFrom);
  curl_easy_setopt(curl, CURLOPT_READDATA, &upload);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT, 30L);
  const CURLcode rc = curl_easy_perform(curl);
  curl_slist_free_all(recipients);
  curl_easy_cleanup(curl);
  if (rc != CURLE_OK) {
    return MakeError(ErrorCode::kUnavailable,
                     fmt::format("SMTP to {}: {}", url, curl_easy_strerror(rc)));
  }
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (Stored(user).size() <= before) {
    if (std::chrono::steady_clock::now() > deadline) {
      return MakeError(ErrorCode::kUnavailable,
                       fmt::format("the mail to {} was not delivered; Postfix log:\n{}", to,
                                   ReadFile(root_ / "postfix/maillog")));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return Status::Ok();
}

Result<std::string> MailEnv::ImapCommand(const std::string& user,
                                         const std::string& command) const {
  CURL* curl = curl_easy_init();
  const std::string url = fmt::format("imap://127.0.0.1:{}/INBOX", imap_port());
  const std::string login = user + "@fax.test";
  const std::string password = user + "pass";
  std::string body;
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_USERNAME, login.c_str());
  curl_easy_setopt(curl, CURLOPT_PASSWORD, password.c_str());
  curl_easy_setopt(curl, CURLOPT_USE_SSL, static_cast<long>(CURLUSESSL_ALL));
  curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, 0L);
  curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, 0L);
  curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, command.c_str());
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, AppendTo);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &body);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT, 30L);
  const CURLcode rc = curl_easy_perform(curl);
  curl_easy_cleanup(curl);
  if (rc != CURLE_OK) {
    return MakeError(ErrorCode::kUnavailable,
                     fmt::format("IMAP {}: {}", command, curl_easy_strerror(rc)));
  }
  return body;
}

std::string TestMessage(const std::string& subject, const std::string& body) {
  static int counter = 0;
  return fmt::format(
      "From: Alice <alice@fax.test>\r\n"
      "To: fax@fax.test\r\n"
      "Date: Sun, 22 Nov 2026 12:00:00 +0800\r\n"
      "Message-ID: <mailbox-test-{}-{}@fax.test>\r\n"
      "Subject: {}\r\n"
      "MIME-Version: 1.0\r\n"
      "Content-Type: text/plain; charset=utf-8\r\n"
      "\r\n"
      "{}",
      getpid(), ++counter, subject, body);
}

}  // namespace faxgate::mail::testing
