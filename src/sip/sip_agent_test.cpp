// The SIP agent against real SIPp scenarios on 127.0.0.1. Each test starts an agent on an
// ephemeral port and one sipp child process (scenarios in tests/sip/scenarios), and waits for
// the listener's events with generous deadlines; nothing asserts on timing.
#include "sip/sip_agent.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <mutex>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "base/log.h"

extern char** environ;

namespace faxgate {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;

constexpr char kSipp[] = "/usr/bin/sipp";
constexpr auto kDeadline = 15s;

const char kAudioSdp[] =
    "v=0\r\no=faxgate 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
    "m=audio 40000 RTP/AVP 0 8\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:8 PCMA/8000\r\n";
const char kT38Sdp[] =
    "v=0\r\no=faxgate 1 2 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
    "m=image 40002 udptl t38\r\na=T38FaxVersion:0\r\na=T38MaxBitRate:14400\r\n"
    "a=T38FaxRateManagement:transferredTCF\r\na=T38FaxMaxDatagram:400\r\n"
    "a=T38FaxUdpEC:t38UDPRedundancy\r\n";

fs::path ScenarioDir() {
  const char* source = std::getenv("FAXGATE_SOURCE_DIR");
  fs::path root =
      source ? fs::path(source) : fs::path(__FILE__).parent_path().parent_path().parent_path();
  return root / "tests" / "sip" / "scenarios";
}

bool PortFree(int port) {
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = htons(static_cast<uint16_t>(port));
  bool free = true;
  for (int type : {SOCK_DGRAM, SOCK_STREAM}) {
    int sock = socket(AF_INET, type, 0);
    free = free && bind(sock, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0;
    close(sock);
  }
  return free;
}

// `count` consecutive ports free for UDP and TCP on 127.0.0.1, never handed out before in this
// process (a sipp needs its SIP port and, for media, the port given with -mp and the two above).
int FreePorts(int count = 1) {
  static std::mutex mutex;
  static std::set<int> handed_out;
  std::lock_guard lock(mutex);
  for (int attempt = 0; attempt < 200; ++attempt) {
    int udp = socket(AF_INET, SOCK_DGRAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof address;
    bind(udp, reinterpret_cast<sockaddr*>(&address), sizeof address);
    getsockname(udp, reinterpret_cast<sockaddr*>(&address), &length);
    close(udp);
    int first = ntohs(address.sin_port);
    bool usable = first + count <= 65535;
    for (int port = first; usable && port < first + count; ++port) {
      usable = !handed_out.count(port) && PortFree(port);
    }
    if (!usable) continue;
    for (int port = first; port < first + count; ++port) handed_out.insert(port);
    return first;
  }
  return 0;
}

int FreePort() { return FreePorts(1); }
int FreeMediaPort() { return FreePorts(4); }

// One sipp child process, its output in a log file; killed by PID when the test is over.
class Sipp {
 public:
  // Where sipp's logs go: one directory per test process, removed unless a test failed.
  static const fs::path& LogDir() {
    static const fs::path dir = [] {
      std::string pattern = (fs::temp_directory_path() / "faxgate-sipp-XXXXXX").string();
      return fs::path(mkdtemp(pattern.data()));
    }();
    return dir;
  }

  Sipp(const std::string& name, std::vector<std::string> args) : name_(name) {
    const fs::path& dir = LogDir();
    log_path_ = dir / (name + ".log");
    args.insert(args.begin(), {kSipp});
    for (const std::string& extra :
         {std::string("-nostdin"), std::string("-trace_msg"), std::string("-message_file"),
          (dir / (name + ".messages")).string(), std::string("-trace_err"),
          std::string("-error_file"), (dir / (name + ".errors")).string()}) {
      args.push_back(extra);
    }
    messages_path_ = dir / (name + ".messages");
    std::vector<char*> argv;
    for (std::string& arg : args) argv.push_back(arg.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 1, log_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                     0644);
    posix_spawn_file_actions_adddup2(&actions, 1, 2);
    if (posix_spawn(&pid_, kSipp, &actions, nullptr, argv.data(), environ) != 0) pid_ = -1;
    posix_spawn_file_actions_destroy(&actions);
  }
  ~Sipp() { Kill(); }

  bool started() const { return pid_ > 0; }

  // The exit status, or nullopt when sipp is still running at the deadline.
  std::optional<int> Wait(std::chrono::milliseconds timeout = kDeadline) {
    if (exit_status_) return exit_status_;
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (pid_ > 0) {
      int status = 0;
      pid_t done = waitpid(pid_, &status, WNOHANG);
      if (done == pid_) {
        pid_ = -1;
        exit_status_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
        break;
      }
      if (std::chrono::steady_clock::now() > deadline) return std::nullopt;
      std::this_thread::sleep_for(20ms);
    }
    return exit_status_;
  }

  void Kill() {
    if (pid_ <= 0) return;
    kill(pid_, SIGTERM);
    if (!Wait(2s)) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
      pid_ = -1;
    }
  }

  // What sipp printed and the messages it exchanged, for failure reports.
  std::string Report() const {
    std::ostringstream out;
    for (const fs::path& path : {log_path_, messages_path_}) {
      std::ifstream file(path);
      out << "---- " << path.string() << "\n" << file.rdbuf() << "\n";
    }
    return out.str();
  }

 private:
  std::string name_;
  fs::path log_path_;
  fs::path messages_path_;
  pid_t pid_ = -1;
  std::optional<int> exit_status_;
};

struct Event {
  enum Kind { kIncoming, kProgress, kAnswered, kOffer, kOfferResult, kEnded, kRegistration };
  Kind kind;
  SipCallHandle call = 0;
  int status = 0;
  std::string phrase;
  std::string sdp;
  std::string call_id;
  bool by_peer = false;
  SipIncomingCall incoming;
  SipRegistrationState registration;
};

// Records every callback; tests install reactions (answer the call, answer the offer).
class RecordingListener : public SipAgentListener {
 public:
  std::function<void(const SipIncomingCall&)> on_incoming;
  std::function<void(SipCallHandle, const std::string&)> on_offer;

  void OnIncomingCall(const SipIncomingCall& call) override {
    Event event{Event::kIncoming};
    event.call = call.call;
    event.incoming = call;
    event.sdp = call.sdp;
    Record(event);
    if (on_incoming) on_incoming(call);
  }
  void OnProgress(SipCallHandle call, int status, const std::string& sdp) override {
    Record({Event::kProgress, call, status, "", sdp});
  }
  void OnAnswered(SipCallHandle call, const std::string& call_id, const std::string& sdp) override {
    Event event{Event::kAnswered, call, 200, "", sdp};
    event.call_id = call_id;
    Record(event);
  }
  void OnOffer(SipCallHandle call, const std::string& sdp) override {
    Record({Event::kOffer, call, 0, "", sdp});
    if (on_offer) on_offer(call, sdp);
  }
  void OnOfferResult(SipCallHandle call, int status, const std::string& phrase,
                     const std::string& sdp) override {
    Record({Event::kOfferResult, call, status, phrase, sdp});
  }
  void OnEnded(SipCallHandle call, int status, const std::string& phrase, bool by_peer) override {
    Event event{Event::kEnded, call, status, phrase};
    event.by_peer = by_peer;
    Record(event);
  }
  void OnRegistration(const SipRegistrationState& state) override {
    Event event{Event::kRegistration};
    event.status = state.status;
    event.phrase = state.phrase;
    event.registration = state;
    Record(event);
  }

  // The first event of `kind` that matches, waiting up to `timeout` for it.
  std::optional<Event> WaitFor(Event::Kind kind, std::function<bool(const Event&)> match = nullptr,
                               std::chrono::milliseconds timeout = kDeadline) {
    std::unique_lock lock(mutex_);
    std::optional<Event> found;
    changed_.wait_for(lock, timeout, [&] {
      for (const Event& event : events_) {
        if (event.kind == kind && (!match || match(event))) {
          found = event;
          return true;
        }
      }
      return false;
    });
    return found;
  }

  int Count(Event::Kind kind, SipCallHandle call) {
    std::lock_guard lock(mutex_);
    int count = 0;
    for (const Event& event : events_) count += event.kind == kind && event.call == call;
    return count;
  }

 private:
  void Record(const Event& event) {
    {
      std::lock_guard lock(mutex_);
      events_.push_back(event);
    }
    changed_.notify_all();
  }

  std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<Event> events_;
};

class SipAgentTest : public ::testing::Test {
 protected:
  static void TearDownTestSuite() {
    if (!::testing::UnitTest::GetInstance()->current_test_suite()->Failed()) {
      std::error_code ignored;
      fs::remove_all(Sipp::LogDir(), ignored);
    }
  }

  void SetUp() override {
    if (access(kSipp, X_OK) != 0) GTEST_SKIP() << "sipp is not installed";
    ASSERT_TRUE(fs::exists(ScenarioDir())) << ScenarioDir();
    log::SetLevel(std::getenv("FAXGATE_TEST_LOG") ? std::getenv("FAXGATE_TEST_LOG") : "warn");
    settings_.listen_address = "127.0.0.1";
    settings_.listen_port = 0;
    settings_.user_agent = "faxgate-test";
  }

  void TearDown() override {
    if (agent_) agent_->Stop();
  }

  // A trunk pointing at a sipp that will listen on `port`.
  SipTrunkSettings Trunk(int port, SipTransport transport = SipTransport::kUdp) {
    SipTrunkSettings trunk;
    trunk.name = "peer-a";
    trunk.proxy = "127.0.0.1:" + std::to_string(port);
    trunk.user = "faxuser";
    trunk.password = "s3cret";
    trunk.transport = transport;
    return trunk;
  }

  void StartAgent() {
    auto started = SipAgent::Start(settings_, &listener_);
    ASSERT_TRUE(started.ok()) << started.error().message;
    agent_ = std::move(started.value());
    agent_ptr_ = agent_.get();
    ASSERT_GT(agent_->bound_port(), 0);
  }

  std::string AgentAddress() const { return "127.0.0.1:" + std::to_string(agent_->bound_port()); }

  // sipp placing calls to the agent: built-in scenario `-sn uac` or a file.
  std::unique_ptr<Sipp> StartSippClient(const std::string& name, const std::string& scenario) {
    client_port_ = FreePort();
    std::vector<std::string> args = {AgentAddress(),
                                     "-i",
                                     "127.0.0.1",
                                     "-p",
                                     std::to_string(client_port_),
                                     "-mp",
                                     std::to_string(FreeMediaPort()),
                                     "-m",
                                     "1",
                                     "-timeout",
                                     "20s",
                                     "-timeout_error"};
    AddScenario(&args, scenario);
    auto sipp = std::make_unique<Sipp>(name, args);
    EXPECT_TRUE(sipp->started());
    return sipp;
  }

  // sipp answering on `port` (the trunk's proxy).
  std::unique_ptr<Sipp> StartSippServer(const std::string& name, const std::string& scenario,
                                        int port, const std::string& transport = "u1") {
    std::vector<std::string> args = {"-i",
                                     "127.0.0.1",
                                     "-p",
                                     std::to_string(port),
                                     "-mp",
                                     std::to_string(FreeMediaPort()),
                                     "-t",
                                     transport,
                                     "-m",
                                     "1",
                                     "-timeout",
                                     "20s",
                                     "-timeout_error"};
    AddScenario(&args, scenario);
    auto sipp = std::make_unique<Sipp>(name, args);
    EXPECT_TRUE(sipp->started());
    // sipp binds within milliseconds; an INVITE sent earlier over UDP is retransmitted anyway.
    std::this_thread::sleep_for(300ms);
    return sipp;
  }

  static void AddScenario(std::vector<std::string>* args, const std::string& scenario) {
    if (scenario.find(".xml") == std::string::npos) {
      args->insert(args->end(), {"-sn", scenario});
    } else {
      args->insert(args->end(), {"-sf", (ScenarioDir() / scenario).string()});
    }
  }

  // Answers every incoming call with 200 and audio SDP.
  void AnswerCalls() {
    listener_.on_incoming = [this](const SipIncomingCall& call) {
      agent_ptr_.load()->Respond(call.call, 200, "OK", kAudioSdp);
    };
  }

  SipAgentSettings settings_;
  int client_port_ = 0;  // the last sipp client's SIP port
  RecordingListener listener_;
  std::unique_ptr<SipAgent> agent_;
  std::atomic<SipAgent*> agent_ptr_{nullptr};
};

// (a) sipp calls, we answer with SDP, sipp hangs up.
TEST_F(SipAgentTest, IncomingCallAnsweredAndEndedByPeer) {
  StartAgent();
  AnswerCalls();
  auto sipp = StartSippClient("incoming", "uac");
  auto incoming = listener_.WaitFor(Event::kIncoming);
  ASSERT_TRUE(incoming) << sipp->Report();
  EXPECT_EQ(incoming->incoming.called, "service");
  EXPECT_EQ(incoming->incoming.caller, "sipp");
  EXPECT_EQ(incoming->incoming.caller_name, "sipp");
  EXPECT_FALSE(incoming->incoming.call_id.empty());
  EXPECT_EQ(incoming->incoming.source, "127.0.0.1:" + std::to_string(client_port_));
  EXPECT_EQ(incoming->incoming.trunk, "");  // no trunk configured
  EXPECT_NE(incoming->sdp.find("m=audio"), std::string::npos);

  auto ended = listener_.WaitFor(Event::kEnded);
  ASSERT_TRUE(ended) << sipp->Report();
  EXPECT_EQ(ended->call, incoming->call);
  EXPECT_TRUE(ended->by_peer);
  EXPECT_EQ(sipp->Wait(), 0) << sipp->Report();
  EXPECT_EQ(listener_.Count(Event::kEnded, incoming->call), 1);
}

// Listening on every address works, and port 0 still gives one port for UDP and TCP.
TEST_F(SipAgentTest, ListensOnAllAddresses) {
  settings_.listen_address = "0.0.0.0";
  StartAgent();
  AnswerCalls();
  auto sipp = StartSippClient("any-address", "uac");
  ASSERT_TRUE(listener_.WaitFor(Event::kIncoming)) << sipp->Report();
  ASSERT_TRUE(listener_.WaitFor(Event::kEnded)) << sipp->Report();
  EXPECT_EQ(sipp->Wait(), 0) << sipp->Report();
}

// The trunk is recognised by the source address of the INVITE.
TEST_F(SipAgentTest, IncomingCallMatchesTrunkBySourceAddress) {
  settings_.trunks.push_back(Trunk(5060));  // the port does not matter, the host does
  StartAgent();
  listener_.on_incoming = [this](const SipIncomingCall& call) {
    agent_ptr_.load()->Respond(call.call, 486, "Busy Here", "");
  };
  auto sipp = StartSippClient("trunk-match", "uac");
  auto incoming = listener_.WaitFor(Event::kIncoming);
  ASSERT_TRUE(incoming) << sipp->Report();
  EXPECT_EQ(incoming->incoming.trunk, "peer-a");
  auto ended = listener_.WaitFor(Event::kEnded);
  ASSERT_TRUE(ended);
  EXPECT_EQ(ended->status, 486);
  EXPECT_FALSE(ended->by_peer);
  sipp->Wait();  // sipp counts the refused call as failed; only the agent's side matters here
}

// HangUp on a call we have not answered refuses it with 480.
TEST_F(SipAgentTest, IncomingCallHungUpBeforeAnswer) {
  StartAgent();
  listener_.on_incoming = [this](const SipIncomingCall& call) {
    agent_ptr_.load()->Respond(call.call, 180, "Ringing", "");
    agent_ptr_.load()->HangUp(call.call);
  };
  auto sipp = StartSippClient("hung-up", "uac");
  auto ended = listener_.WaitFor(Event::kEnded);
  ASSERT_TRUE(ended) << sipp->Report();
  EXPECT_EQ(ended->status, 480);
  EXPECT_FALSE(ended->by_peer);
  sipp->Wait();  // sipp counts the refused call as failed
}

// (b) we call sipp's built-in UAS, it answers, we hang up with BYE.
TEST_F(SipAgentTest, OutgoingCallAnsweredThenHungUp) {
  int port = FreePort();
  settings_.trunks.push_back(Trunk(port));
  StartAgent();
  auto sipp = StartSippServer("outgoing", "uas_answer.xml", port);
  SipCallHandle call = agent_->Invite("peer-a", "4711", "8001", kAudioSdp);
  auto answered = listener_.WaitFor(Event::kAnswered);
  ASSERT_TRUE(answered) << sipp->Report();
  EXPECT_EQ(answered->call, call);
  EXPECT_FALSE(answered->call_id.empty());
  EXPECT_NE(answered->sdp.find("m=audio"), std::string::npos);
  EXPECT_TRUE(listener_.WaitFor(Event::kProgress, [](const Event& e) { return e.status == 180; }));

  agent_->HangUp(call);
  auto ended = listener_.WaitFor(Event::kEnded);
  ASSERT_TRUE(ended);
  EXPECT_EQ(ended->call, call);
  EXPECT_FALSE(ended->by_peer);
  EXPECT_EQ(sipp->Wait(), 0) << sipp->Report();
  EXPECT_EQ(listener_.Count(Event::kEnded, call), 1);
}

// The same over TCP: the trunk's transport reaches the Request-URI and sofia connects.
TEST_F(SipAgentTest, OutgoingCallOverTcp) {
  int port = FreePort();
  settings_.trunks.push_back(Trunk(port, SipTransport::kTcp));
  StartAgent();
  auto sipp = StartSippServer("outgoing-tcp", "uas_answer.xml", port, "t1");
  SipCallHandle call = agent_->Invite("peer-a", "4711", "8001", kAudioSdp);
  ASSERT_TRUE(listener_.WaitFor(Event::kAnswered)) << sipp->Report();
  agent_->HangUp(call);
  ASSERT_TRUE(listener_.WaitFor(Event::kEnded));
  EXPECT_EQ(sipp->Wait(), 0) << sipp->Report();
}

// Behind NAT: Contact (and Via) name the public address; the Contact carries the caller.
TEST_F(SipAgentTest, PublicAddressInContact) {
  int port = FreePort();
  settings_.public_address = "192.0.2.10";
  settings_.trunks.push_back(Trunk(port));
  StartAgent();
  auto sipp = StartSippServer("public-contact", "uas_answer_public_contact.xml", port);
  SipCallHandle call = agent_->Invite("peer-a", "4711", "8001", kAudioSdp);
  ASSERT_TRUE(listener_.WaitFor(Event::kAnswered)) << sipp->Report();
  agent_->HangUp(call);
  ASSERT_TRUE(listener_.WaitFor(Event::kEnded));
  EXPECT_EQ(sipp->Wait(), 0) << sipp->Report();
}

// (c) the callee is busy.
TEST_F(SipAgentTest, OutgoingCallBusy) {
  int port = FreePort();
  settings_.trunks.push_back(Trunk(port));
  StartAgent();
  auto sipp = StartSippServer("busy", "uas_busy.xml", port);
  SipCallHandle call = agent_->Invite("peer-a", "4711", "8001", kAudioSdp);
  auto ended = listener_.WaitFor(Event::kEnded);
  ASSERT_TRUE(ended) << sipp->Report();
  EXPECT_EQ(ended->call, call);
  EXPECT_EQ(ended->status, 486);
  EXPECT_TRUE(ended->by_peer);
  EXPECT_EQ(sipp->Wait(), 0) << sipp->Report();
}

TEST_F(SipAgentTest, OutgoingCallOnUnknownTrunkEndsAtOnce) {
  StartAgent();
  SipCallHandle call = agent_->Invite("nope", "4711", "8001", kAudioSdp);
  auto ended = listener_.WaitFor(Event::kEnded);
  ASSERT_TRUE(ended);
  EXPECT_EQ(ended->call, call);
  EXPECT_GE(ended->status, 500);
  EXPECT_FALSE(ended->by_peer);
}

// (d) the trunk challenges with 401 (qop=auth) and checks the digest.
TEST_F(SipAgentTest, OutgoingCallAnswersDigestChallenge) {
  int port = FreePort();
  settings_.trunks.push_back(Trunk(port));
  StartAgent();
  auto sipp = StartSippServer("auth", "uas_auth401.xml", port);
  SipCallHandle call = agent_->Invite("peer-a", "4711", "8001", kAudioSdp);
  auto answered = listener_.WaitFor(Event::kAnswered);
  ASSERT_TRUE(answered) << sipp->Report();
  EXPECT_EQ(answered->call, call);
  agent_->HangUp(call);
  ASSERT_TRUE(listener_.WaitFor(Event::kEnded));
  EXPECT_EQ(sipp->Wait(), 0) << sipp->Report();
}

// Wrong password: the second challenge ends the call with the challenge's status.
TEST_F(SipAgentTest, OutgoingCallWithWrongPasswordFails) {
  int port = FreePort();
  settings_.trunks.push_back(Trunk(port));
  settings_.trunks.back().password = "wrong";
  StartAgent();
  auto sipp = StartSippServer("auth-wrong", "uas_auth401.xml", port);
  SipCallHandle call = agent_->Invite("peer-a", "4711", "8001", kAudioSdp);
  auto ended = listener_.WaitFor(Event::kEnded);
  ASSERT_TRUE(ended) << sipp->Report();
  EXPECT_EQ(ended->call, call);
  EXPECT_EQ(ended->status, 403);  // the scenario's verdict on a bad digest
  EXPECT_TRUE(ended->by_peer);
  EXPECT_EQ(listener_.Count(Event::kAnswered, call), 0);
}

// (e) the peer re-INVITEs to T.38; the listener answers with T.38 SDP.
TEST_F(SipAgentTest, IncomingReinviteToT38IsOffered) {
  StartAgent();
  AnswerCalls();
  listener_.on_offer = [this](SipCallHandle call, const std::string&) {
    agent_ptr_.load()->Respond(call, 200, "OK", kT38Sdp);
  };
  auto sipp = StartSippClient("reinvite", "uac_t38_reinvite.xml");
  auto offer = listener_.WaitFor(Event::kOffer);
  ASSERT_TRUE(offer) << sipp->Report();
  EXPECT_NE(offer->sdp.find("m=image"), std::string::npos);
  auto ended = listener_.WaitFor(Event::kEnded);
  ASSERT_TRUE(ended) << sipp->Report();
  EXPECT_TRUE(ended->by_peer);
  EXPECT_EQ(sipp->Wait(), 0) << sipp->Report();
}

// (f) our T.38 re-INVITE is refused with 488; the call stays up and our BYE ends it.
TEST_F(SipAgentTest, RefusedReinviteKeepsTheDialog) {
  StartAgent();
  listener_.on_incoming = [this](const SipIncomingCall& call) {
    SipAgent* agent = agent_ptr_.load();
    agent->Respond(call.call, 200, "OK", kAudioSdp);
    // Sent at once: the agent holds it until the ACK has arrived.
    agent->Reinvite(call.call, kT38Sdp);
  };
  auto sipp = StartSippClient("reject-t38", "uac_reject_t38_then_bye.xml");
  auto result = listener_.WaitFor(Event::kOfferResult);
  ASSERT_TRUE(result) << sipp->Report();
  EXPECT_EQ(result->status, 488);
  EXPECT_EQ(listener_.Count(Event::kEnded, result->call), 0);

  agent_->HangUp(result->call);
  auto ended = listener_.WaitFor(Event::kEnded);
  ASSERT_TRUE(ended);
  EXPECT_FALSE(ended->by_peer);
  EXPECT_EQ(sipp->Wait(), 0) << sipp->Report();
}

// The caller gives up while we ring: CANCEL ends the call, by the peer, 487.
TEST_F(SipAgentTest, IncomingCallCancelledByPeer) {
  StartAgent();
  listener_.on_incoming = [this](const SipIncomingCall& call) {
    agent_ptr_.load()->Respond(call.call, 180, "Ringing", "");
  };
  auto sipp = StartSippClient("cancelled", "uac_cancel.xml");
  auto ended = listener_.WaitFor(Event::kEnded);
  ASSERT_TRUE(ended) << sipp->Report();
  EXPECT_EQ(ended->status, 487);
  EXPECT_TRUE(ended->by_peer);
  EXPECT_EQ(sipp->Wait(), 0) << sipp->Report();
}

// We give up while the callee rings: HangUp sends CANCEL.
TEST_F(SipAgentTest, OutgoingCallCancelledByUs) {
  int port = FreePort();
  settings_.trunks.push_back(Trunk(port));
  StartAgent();
  auto sipp = StartSippServer("cancel", "uas_ring_cancel.xml", port);
  SipCallHandle call = agent_->Invite("peer-a", "4711", "8001", kAudioSdp);
  ASSERT_TRUE(listener_.WaitFor(Event::kProgress)) << sipp->Report();
  agent_->HangUp(call);
  auto ended = listener_.WaitFor(Event::kEnded);
  ASSERT_TRUE(ended) << sipp->Report();
  EXPECT_EQ(ended->call, call);
  EXPECT_EQ(ended->status, 487);
  EXPECT_FALSE(ended->by_peer);
  EXPECT_EQ(sipp->Wait(), 0) << sipp->Report();
}

// HangUp right after Invite: the CANCEL waits for the first provisional response.
TEST_F(SipAgentTest, OutgoingCallHungUpAtOnce) {
  int port = FreePort();
  settings_.trunks.push_back(Trunk(port));
  StartAgent();
  auto sipp = StartSippServer("cancel-at-once", "uas_ring_cancel.xml", port);
  SipCallHandle call = agent_->Invite("peer-a", "4711", "8001", kAudioSdp);
  agent_->HangUp(call);
  auto ended = listener_.WaitFor(Event::kEnded);
  ASSERT_TRUE(ended) << sipp->Report();
  EXPECT_EQ(ended->status, 487);
  EXPECT_FALSE(ended->by_peer);
  EXPECT_EQ(sipp->Wait(), 0) << sipp->Report();
  EXPECT_EQ(listener_.Count(Event::kEnded, call), 1);
}

// A bodiless UPDATE (refresh) is answered by the agent; an UPDATE with an offer goes to the
// listener; an offer-less re-INVITE is answered with the SDP in force (now T.38).
TEST_F(SipAgentTest, UpdateAndOfferlessReinvite) {
  StartAgent();
  AnswerCalls();
  listener_.on_offer = [this](SipCallHandle call, const std::string&) {
    agent_ptr_.load()->Respond(call, 200, "OK", kT38Sdp);
  };
  auto sipp = StartSippClient("update", "uac_update_refresh.xml");
  auto ended = listener_.WaitFor(Event::kEnded);
  ASSERT_TRUE(ended) << sipp->Report();
  EXPECT_TRUE(ended->by_peer);
  EXPECT_EQ(sipp->Wait(), 0) << sipp->Report();
  EXPECT_EQ(listener_.Count(Event::kOffer, ended->call), 1);
}

// With session timers on and the peer asking us to refresh, sofia refreshes with a bodiless
// UPDATE. Takes about 45 s (RFC 4028's 90 s minimum): run with --gtest_also_run_disabled_tests.
TEST_F(SipAgentTest, DISABLED_SessionTimerRefreshIsBodilessUpdate) {
  settings_.session_expires_s = 90;
  StartAgent();
  AnswerCalls();
  std::vector<std::string> args = {AgentAddress(),
                                   "-i",
                                   "127.0.0.1",
                                   "-p",
                                   std::to_string(FreePort()),
                                   "-mp",
                                   std::to_string(FreeMediaPort()),
                                   "-m",
                                   "1",
                                   "-timeout",
                                   "80s",
                                   "-timeout_error"};
  AddScenario(&args, "uac_session_timer_uas_refreshes.xml");
  Sipp sipp("session-timer", args);
  ASSERT_TRUE(listener_.WaitFor(Event::kEnded, nullptr, 80s)) << sipp.Report();
  EXPECT_EQ(sipp.Wait(), 0) << sipp.Report();
  EXPECT_EQ(listener_.Count(Event::kOffer, 1), 0);
}

// (g) REGISTER challenged with 401, then registered; un-REGISTER on Stop.
TEST_F(SipAgentTest, RegistersWithDigest) {
  int port = FreePort();
  settings_.trunks.push_back(Trunk(port));
  settings_.trunks.back().do_register = true;
  auto sipp = StartSippServer("register", "uas_register401.xml", port);
  StartAgent();
  auto registered = listener_.WaitFor(Event::kRegistration,
                                      [](const Event& e) { return e.registration.registered; });
  ASSERT_TRUE(registered) << sipp->Report();
  EXPECT_EQ(registered->registration.trunk, "peer-a");
  EXPECT_EQ(registered->registration.status, 200);
  auto states = agent_->Registrations();
  ASSERT_EQ(states.size(), 1u);
  EXPECT_TRUE(states[0].registered);

  agent_->Stop();
  EXPECT_EQ(sipp->Wait(), 0) << sipp->Report();  // it saw the un-REGISTER
  EXPECT_FALSE(agent_->Registrations()[0].registered);
}

// sofia refreshes a registration before it expires; a refused refresh is reported.
TEST_F(SipAgentTest, RegistrationIsRefreshed) {
  int port = FreePort();
  settings_.trunks.push_back(Trunk(port));
  settings_.trunks.back().do_register = true;
  auto sipp = StartSippServer("register-refresh", "uas_register_refresh.xml", port);
  StartAgent();
  ASSERT_TRUE(listener_.WaitFor(Event::kRegistration, [](const Event& e) {
    return e.registration.registered;
  })) << sipp->Report();
  auto refused = listener_.WaitFor(Event::kRegistration,
                                   [](const Event& e) { return e.registration.status == 403; });
  ASSERT_TRUE(refused) << sipp->Report();
  EXPECT_FALSE(refused->registration.registered);
  EXPECT_EQ(sipp->Wait(), 0) << sipp->Report();
}

// A refused registration is reported with the next attempt's delay, and that attempt comes
// (after 10 s: the longest test here).
TEST_F(SipAgentTest, RefusedRegistrationIsRetriedLater) {
  int port = FreePort();
  settings_.trunks.push_back(Trunk(port));
  settings_.trunks.back().do_register = true;
  std::vector<std::string> args = {"-i", "127.0.0.1", "-p",  std::to_string(port), "-m",
                                   "2",  "-timeout",  "40s", "-timeout_error"};
  AddScenario(&args, "uas_register_forbidden.xml");
  Sipp sipp("register-refused", args);
  std::this_thread::sleep_for(300ms);
  StartAgent();
  auto refused = listener_.WaitFor(Event::kRegistration);
  ASSERT_TRUE(refused) << sipp.Report();
  EXPECT_FALSE(refused->registration.registered);
  EXPECT_EQ(refused->registration.status, 403);
  EXPECT_GT(refused->registration.retry_in_s, 0);
  EXPECT_EQ(agent_->Registrations()[0].status, 403);
  auto registered = listener_.WaitFor(
      Event::kRegistration, [](const Event& e) { return e.registration.registered; }, 30s);
  ASSERT_TRUE(registered) << sipp.Report();
  agent_->Stop();
  EXPECT_EQ(sipp.Wait(), 0) << sipp.Report();
}

// (h) garbage and unknown methods on the UDP port do not hurt; a call still works afterwards.
TEST_F(SipAgentTest, SurvivesGarbage) {
  StartAgent();
  AnswerCalls();
  int sock = socket(AF_INET, SOCK_DGRAM, 0);
  ASSERT_GE(sock, 0);
  sockaddr_in local{};
  local.sin_family = AF_INET;
  local.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(bind(sock, reinterpret_cast<sockaddr*>(&local), sizeof local), 0);
  socklen_t length = sizeof local;
  getsockname(sock, reinterpret_cast<sockaddr*>(&local), &length);
  timeval timeout{2, 0};
  setsockopt(sock, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  sockaddr_in agent{};
  agent.sin_family = AF_INET;
  agent.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  agent.sin_port = htons(static_cast<uint16_t>(agent_->bound_port()));
  auto send_text = [&](const std::string& text) {
    sendto(sock, text.data(), text.size(), 0, reinterpret_cast<sockaddr*>(&agent), sizeof agent);
  };
  // The response to the request with this Call-ID (answers to the garbage arrive too).
  auto receive = [&](const std::string& call_id) -> std::string {
    char buffer[4096];
    for (;;) {
      ssize_t got = recv(sock, buffer, sizeof buffer, 0);
      if (got <= 0) return "";
      std::string text(buffer, static_cast<size_t>(got));
      if (text.find("Call-ID: " + call_id + "@test") != std::string::npos) return text;
    }
  };
  const std::string me = "127.0.0.1:" + std::to_string(ntohs(local.sin_port));
  auto request = [&](const std::string& method, const std::string& branch,
                     const std::string& extra) {
    return method + " sip:fax@" + AgentAddress() + " SIP/2.0\r\n" + "Via: SIP/2.0/UDP " + me +
           ";branch=z9hG4bK" + branch + "\r\n" + "From: <sip:x@" + me + ">;tag=1\r\n" +
           "To: <sip:fax@" + AgentAddress() + ">\r\n" + "Call-ID: " + branch + "@test\r\n" +
           "CSeq: 1 " + method + "\r\n" + "Max-Forwards: 70\r\n" + extra +
           "Content-Length: 0\r\n\r\n";
  };

  std::string random(700, '\0');
  unsigned seed = 12345;
  for (char& c : random) c = static_cast<char>(rand_r(&seed) & 0xFF);
  send_text(random);
  send_text("INVITE sip:fax@127.0.0.1 SIP/2.0\r\nVia: \x01\x02garbage\r\nCSeq: x\r\n\r\n");
  send_text(request("INVITE", "broken1", "Contact: <<<>>>\r\nContent-Type: ;;\r\n"));
  send_text("SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP " + me + ";branch=z9hG4bKnobody\r\n\r\n");

  send_text(request("FOO", "foo1", ""));
  std::string answer = receive("foo1");
  EXPECT_TRUE(answer.rfind("SIP/2.0 405", 0) == 0 || answer.rfind("SIP/2.0 501", 0) == 0) << answer;
  send_text(request("OPTIONS", "options1", ""));
  answer = receive("options1");
  EXPECT_EQ(answer.rfind("SIP/2.0 200", 0), 0u) << answer;
  send_text(request("BYE", "bye1", ""));
  answer = receive("bye1");
  EXPECT_EQ(answer.rfind("SIP/2.0 481", 0), 0u) << answer;
  send_text(request("MESSAGE", "message1", ""));
  answer = receive("message1");
  EXPECT_EQ(answer.rfind("SIP/2.0 405", 0), 0u) << answer;
  // An INVITE sofia cannot parse far enough gets a 400 and never reaches the listener.
  send_text(request("INVITE", "broken2", "Contact: <<<>>>\r\n"));
  answer = receive("broken2");
  EXPECT_EQ(answer.rfind("SIP/2.0 400", 0), 0u) << answer;
  close(sock);

  auto sipp = StartSippClient("after-garbage", "uac");
  auto incoming = listener_.WaitFor(Event::kIncoming);
  ASSERT_TRUE(incoming) << sipp->Report();
  EXPECT_EQ(incoming->incoming.called, "service");  // the first call the listener heard of
  ASSERT_TRUE(listener_.WaitFor(Event::kEnded));
  EXPECT_EQ(sipp->Wait(), 0) << sipp->Report();
}

// Stop ends calls still up: one OnEnded each, BYE to the peer.
TEST_F(SipAgentTest, StopEndsCallsInProgress) {
  int port = FreePort();
  settings_.trunks.push_back(Trunk(port));
  StartAgent();
  auto sipp = StartSippServer("stop", "uas_answer.xml", port);
  SipCallHandle call = agent_->Invite("peer-a", "4711", "8001", kAudioSdp);
  ASSERT_TRUE(listener_.WaitFor(Event::kAnswered)) << sipp->Report();
  agent_->Stop();
  agent_->Stop();  // idempotent
  EXPECT_EQ(listener_.Count(Event::kEnded, call), 1);
  EXPECT_EQ(sipp->Wait(), 0) << sipp->Report();
}

// TLS between two agents (sipp here is built without TLS): A listens on sips:, B calls it
// through a TLS trunk. A self-signed certificate, so B does not verify.
TEST_F(SipAgentTest, CallOverTls) {
  if (access("/usr/bin/openssl", X_OK) != 0) GTEST_SKIP() << "openssl is not installed";
  std::string pattern = (fs::temp_directory_path() / "faxgate-tls-XXXXXX").string();
  fs::path dir = mkdtemp(pattern.data());
  std::string make_certificate =
      "cd '" + dir.string() +
      "' && openssl req -x509 -newkey rsa:2048 -nodes -keyout key.pem -out cert.pem -days 2 "
      "-subj /CN=127.0.0.1 >/dev/null 2>&1 && cat key.pem cert.pem > agent.pem && "
      "cp cert.pem cafile.pem";
  ASSERT_EQ(std::system(make_certificate.c_str()), 0);

  settings_.tls_port = FreePort();
  settings_.tls_certificate_dir = dir.string();
  settings_.tls_verify_peer = false;
  StartAgent();  // A
  AnswerCalls();

  RecordingListener caller_events;
  SipAgentSettings caller_settings = settings_;
  caller_settings.tls_port = FreePort();  // sofia sends TLS only from a TLS transport of its own
  SipTrunkSettings trunk = Trunk(settings_.tls_port, SipTransport::kTls);
  caller_settings.trunks = {trunk};
  auto caller = SipAgent::Start(caller_settings, &caller_events);
  ASSERT_TRUE(caller.ok()) << caller.error().message;
  SipCallHandle call = (*caller)->Invite("peer-a", "4711", "8001", kAudioSdp);
  auto incoming = listener_.WaitFor(Event::kIncoming);
  ASSERT_TRUE(incoming);
  EXPECT_EQ(incoming->incoming.called, "4711");
  ASSERT_TRUE(caller_events.WaitFor(Event::kAnswered));
  (*caller)->HangUp(call);
  auto ended = listener_.WaitFor(Event::kEnded);
  ASSERT_TRUE(ended);
  EXPECT_TRUE(ended->by_peer);
  ASSERT_TRUE(caller_events.WaitFor(Event::kEnded));
  (*caller)->Stop();
  fs::remove_all(dir);
}

// Start and Stop give back every socket and descriptor (eventfd, epoll, listeners).
TEST_F(SipAgentTest, StartStopReleasesDescriptors) {
  auto count_descriptors = [] {
    return std::distance(fs::directory_iterator("/proc/self/fd"), fs::directory_iterator());
  };
  {  // the first start opens what sofia keeps for the process (/dev/urandom)
    auto started = SipAgent::Start(settings_, &listener_);
    ASSERT_TRUE(started.ok()) << started.error().message;
    (*started)->Stop();
  }
  auto before = count_descriptors();
  for (int i = 0; i < 5; ++i) {
    auto started = SipAgent::Start(settings_, &listener_);
    ASSERT_TRUE(started.ok()) << started.error().message;
    (*started)->Stop();
  }
  EXPECT_EQ(count_descriptors(), before);
}

TEST_F(SipAgentTest, StartFailsOnAPortInUse) {
  int sock = socket(AF_INET, SOCK_DGRAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(bind(sock, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
  socklen_t length = sizeof address;
  getsockname(sock, reinterpret_cast<sockaddr*>(&address), &length);
  settings_.listen_port = ntohs(address.sin_port);
  auto started = SipAgent::Start(settings_, &listener_);
  EXPECT_FALSE(started.ok());
  close(sock);
}

}  // namespace
}  // namespace faxgate

// sofia-sip's TLS transport leaks its SSL objects (scripts/lsan.supp names the library). The
// allocations happen inside libssl, which has no frame pointers, so LeakSanitizer's fast
// unwinder never reaches the sofia frame the suppression matches: unwind slowly in this binary.
extern "C" const char* __lsan_default_options() { return "fast_unwind_on_malloc=0"; }
