// faxgate.toml: what an operator sets before start. Run-time settings (system parameters,
// users, DIDs) live in the store instead.
#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "base/result.h"

namespace faxgate {

// How fast the loopback trunk runs: "realtime" paces audio at 8 kHz like a real line,
// "fast" runs the two fax terminals as fast as the CPU allows (tests).
enum class Pace { kRealtime, kFast };

// The built-in trunk whose outgoing calls come back in as inbound calls. The behaviour lists
// make chosen dialled numbers fail in a chosen way so retries can be tried end to end.
struct LoopbackTrunkConfig {
  bool enabled = true;
  Pace pace = Pace::kRealtime;
  int channels = 30;                            // simultaneous calls the trunk carries
  std::vector<std::string> busy;                // dial strings answered with "busy"
  std::vector<std::string> no_answer;           // ring out with no answer
  std::vector<std::string> no_fax;              // answered by something that is not a fax
  std::map<std::string, int> drop_after_pages;  // hang up after N pages were received
  // A number listed here behaves that way for this many calls, then normally (0 = always).
  int fail_count = 0;
};

// [documents]: how uploads are converted to fax pages.
struct DocumentsConfig {
  int workers = 2;           // conversions at once (the blocking pool's threads)
  int office_instances = 1;  // warm LibreOffice processes (about 280 MB each)
  int timeout_s = 60;        // per renderer run
  int max_pages = 500;       // fax pages one document may become
  int memory_mb = 2048;      // address space of each renderer process
};

// [sip]: the user agent every SIP trunk shares.
struct SipConfig {
  std::string listen = "127.0.0.1:5060";   // UDP and TCP; "0.0.0.0:5060" for all interfaces
  int tls_port = 0;                        // 0: no TLS listener
  std::filesystem::path tls_certificates;  // directory with agent.pem and cafile.pem
  bool tls_verify = true;
  std::string public_address;  // Contact/Via host behind NAT; empty: the listen address
  std::string user_agent = "faxgate";
  int session_expires_s = 0;  // 0: no session timer requested (peers' refreshes are answered)
};

// [media]: RTP/UDPTL sockets and the fax jitter buffer.
struct MediaConfig {
  std::string address = "127.0.0.1";  // where media sockets bind
  std::string public_address;         // announced in SDP; empty: address
  int first_port = 20000;
  int last_port = 29999;
  int jitter_ms = 60;  // fixed playout delay for G.711
  // Test harness: impair what this daemon sends (loss fraction 0..1, extra random delay).
  double impair_loss = 0;
  int impair_jitter_ms = 0;
};

// [[trunk]]: one SIP provider, PBX or peer.
struct TrunkConfig {
  std::string name;
  std::string proxy;      // host[:port] calls go to (and inbound calls come from)
  std::string registrar;  // host[:port]; empty: proxy
  bool do_register = false;
  int register_expires_s = 300;
  std::string user;  // From user and auth user
  std::string auth_user;
  std::string password;
  std::string realm;
  std::string domain;             // From host; empty: the proxy host
  std::string transport = "udp";  // "udp", "tcp", "tls"
  std::string caller_number;      // From user on outbound calls; empty: user, else "faxgate"
  std::vector<std::string> codecs{"PCMA", "PCMU"};
  bool t38 = true;
  // Who asks for T.38 when both sides allow it: "receiver" (we re-INVITE when we answer a fax),
  // "both" (also as sender, after t38_sender_wait_s without the receiver's re-INVITE),
  // "never" (we only accept the peer's).
  std::string t38_reinvite = "receiver";
  int t38_sender_wait_s = 5;
  std::string t38_error_correction = "redundancy";  // "redundancy", "fec", "none"
  int t38_redundancy = 3;
  // RFC 2198 copies of earlier G.711 frames in each RTP packet, when the peer agrees in SDP
  // (V.152 voice-band data); 0 neither offers nor accepts it.
  int audio_redundancy = 2;
  int t38_max_datagram = 0;  // override the peer's T38FaxMaxDatagram; 0: believe it
  int channels = 30;
  // Dial strings this trunk carries: "*" all, "86*" a prefix, "8001" exact. Empty: all.
  std::vector<std::string> outbound{"*"};
  int priority = 100;             // among trunks carrying a number, lower is tried first
  std::vector<std::string> dids;  // inbound called numbers it carries, same patterns; empty: all
  std::string dtmf = "auto";  // "auto" (RFC 4733 if negotiated, else in-band), "rfc4733", "inband"
  int extension_wait_s = 3;   // after answer, before dialling the extension digits
  int answer_timeout_s = 60;  // an unanswered outbound call is cancelled after this
  bool ecm = true;
};

// [[mail.route]]: where faxes received on matching DIDs are mailed (Cisco's dial-peers), besides
// the owner's own addresses.
struct MailRoute {
  std::vector<std::string> dids{"*"};  // called-number patterns, as trunk patterns
  std::string to;                      // "andy@example.com" or a template: "FAX=$d$@example.com"
  std::vector<std::string> formats{"tiff-s"};  // "tiff-s", "tiff-f", "pdf"
  std::string dsn = "failure,delay";           // NOTIFY: "never" or "success,failure,delay" parts
  bool mdn = false;       // ask for a read receipt (Disposition-Notification-To)
  bool owner_too = true;  // also mail the owner's addresses
};

// [mail]: the SMTP listener (OffRamp), how faxgate writes mail (OnRamp, results), and checks.
// Mail servers (relay, shared mailbox) and templates are run-time settings in the store.
struct MailConfig {
  std::string smtp_listen = "127.0.0.1:2525";  // "" turns the listener off
  std::string hostname = "localhost";          // our FQDN: greeting, EHLO, Message-IDs
  // Domains whose recipients' local parts are fax numbers ("FAX=+1-555@fax.example.com",
  // "8001@fax.example.com"). Empty: the hostname and "localhost".
  std::vector<std::string> fax_domains;
  std::filesystem::path tls_certificate;  // PEM chain; with tls_key enables STARTTLS
  std::filesystem::path tls_key;
  int64_t max_message_bytes = 25 << 20;
  std::string postmaster;  // fallback sender; empty: postmaster@hostname
  // OnRamp envelope and From: $s$ calling number, $d$ called number; a part that would be left
  // empty ("FAX=$s$" with no caller id) falls back to the postmaster.
  std::string mail_from = "FAX=$s$";
  std::string subject = "Fax";                 // OnRamp subject text
  std::string subject_append = "both";         // "calling", "called", "both", "none"
  std::vector<std::string> formats{"tiff-s"};  // owner's attachments: "tiff-s", "tiff-f", "pdf"
  std::string dsn = "failure,delay";           // NOTIFY for mails to users
  std::string return_receipt_to;               // OnRamp MDN request address; "" none
  int queue_lifetime_h = 120;                  // a mail no relay took is given up after this
  int retry_s = 60;  // first wait after a relay failed; doubles up to an hour
  // Sender checks for closed networks and tests: SPF records used instead of DNS, and a DKIM
  // key file (opendkim's DKIM_QUERY_FILE format) used instead of DNS.
  std::map<std::string, std::string> spf_records;
  std::filesystem::path dkim_keys;
  // The mail servers (authserv-ids) whose Authentication-Results the shared-mailbox poller
  // believes for SPF; they must remove such headers that arrive from outside (RFC 8601 5).
  // Empty: each mailbox server's own host name.
  std::vector<std::string> trusted_authserv_ids;
  std::vector<MailRoute> routes;
};

struct Config {
  std::filesystem::path data_dir = "var";
  std::string http_listen = "127.0.0.1:8080";
  std::string log_level = "info";
  int media_workers = 0;         // 0 = one per core
  int max_concurrent_calls = 0;  // over all trunks; 0 = sum of the trunks' channels
  LoopbackTrunkConfig loopback;
  DocumentsConfig documents;
  SipConfig sip;
  MediaConfig media;
  std::vector<TrunkConfig> trunks;
  MailConfig mail;
  std::filesystem::path source_path;  // the file it was read from, empty for defaults
};

// Trunk number patterns ("*", "86*", "8001"): true when `number` matches.
bool NumberPatternMatches(const std::string& pattern, std::string_view number);

// Reads faxgate.toml. Every key is optional; unknown keys are an error naming the key so that a
// typo does not silently keep a default.
Result<Config> LoadConfig(const std::filesystem::path& path);
Result<Config> ParseConfig(std::string_view toml_text);

}  // namespace faxgate
