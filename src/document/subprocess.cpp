#include "document/subprocess.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <thread>

namespace faxgate {
namespace {

constexpr size_t kStderrHeadBytes = 1024;
constexpr size_t kStderrTailBytes = 4096;
constexpr size_t kMaxCollectedStdout = 16 << 20;

// Lines renderers print on every run that say nothing about the document.
constexpr std::string_view kHarmlessLines[] = {
    "warning: ICC support is not available",
};

std::string Errno(int e) { return std::strerror(e); }

void CloseFd(int& fd) {
  if (fd >= 0) close(fd);
  fd = -1;
}

// Resolves argv[0] against PATH in the parent: execvpe may allocate, so the child execs a
// full path with execve.
std::optional<std::string> ResolveProgram(const std::string& name) {
  if (name.find('/') != std::string::npos) {
    if (access(name.c_str(), X_OK) == 0) return name;
    return std::nullopt;
  }
  const char* path = getenv("PATH");
  std::string_view dirs = path ? path : "/usr/local/bin:/usr/bin:/bin";
  while (!dirs.empty()) {
    size_t colon = dirs.find(':');
    std::string_view dir = dirs.substr(0, colon);
    dirs = colon == std::string_view::npos ? std::string_view() : dirs.substr(colon + 1);
    if (dir.empty()) continue;
    std::string candidate = std::string(dir) + "/" + name;
    if (access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  return std::nullopt;
}

std::vector<std::string> BuildEnvironment(const SubprocessSpec& spec) {
  std::string dir = spec.work_dir.string();
  std::vector<std::pair<std::string, std::string>> vars = {
      {"PATH", "/usr/local/bin:/usr/bin:/bin"},
      {"LANG", "C.UTF-8"},
      {"HOME", dir},
      {"TMPDIR", dir},
      {"XDG_CONFIG_HOME", dir + "/.config"},
      {"XDG_CACHE_HOME", dir + "/.cache"},
      {"XDG_RUNTIME_DIR", dir},
  };
  for (const auto& [name, value] : spec.env) {
    // (A structured binding cannot be captured by a lambda before C++20's clang 16.)
    const std::string& key = name;
    auto it =
        std::find_if(vars.begin(), vars.end(), [&key](const auto& v) { return v.first == key; });
    if (it != vars.end()) {
      it->second = value;
    } else {
      vars.emplace_back(name, value);
    }
  }
  std::vector<std::string> env;
  for (const auto& [name, value] : vars) env.push_back(name + "=" + value);
  return env;
}

struct ChildSetup {
  const char* program;
  char* const* argv;
  char* const* envp;
  const char* work_dir;
  int stdin_fd;   // -1: /dev/null
  int stdout_fd;  // -1: /dev/null
  int stderr_fd;
  int error_fd;  // CLOEXEC pipe: the child writes errno here when exec fails
  int max_fd;
  rlimit cpu, as, fsize, core, nofile;
  bool set_cpu, set_as;
};

// Runs in the child between fork and exec: async-signal-safe calls only, no allocation.
[[noreturn]] void ExecChild(const ChildSetup& s) {
  auto fail = [&](int err) {
    ssize_t ignored = write(s.error_fd, &err, sizeof err);
    (void)ignored;
    _exit(127);
  };
  // Signals: a server thread may block some or ignore SIGPIPE; the renderer gets defaults.
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, nullptr);
  struct sigaction dfl {};
  dfl.sa_handler = SIG_DFL;
  for (int sig = 1; sig < NSIG; ++sig) sigaction(sig, &dfl, nullptr);
  if (setpgid(0, 0) != 0) fail(errno);

  int devnull = open("/dev/null", O_RDWR);
  if (devnull < 0) fail(errno);
  // Move the error pipe out of the way of 0..2, then wire the standard streams.
  int error_fd = fcntl(s.error_fd, F_DUPFD_CLOEXEC, 10);
  if (error_fd < 0) fail(errno);
  if (dup2(s.stdin_fd >= 0 ? s.stdin_fd : devnull, 0) < 0) fail(errno);
  if (dup2(s.stdout_fd >= 0 ? s.stdout_fd : devnull, 1) < 0) fail(errno);
  if (dup2(s.stderr_fd, 2) < 0) fail(errno);
  if (dup2(error_fd, 3) < 0) fail(errno);
  fcntl(3, F_SETFD, FD_CLOEXEC);
  auto fail3 = [](int err) {  // NOLINT: returns only through _exit
    ssize_t ignored = write(3, &err, sizeof err);
    (void)ignored;
    _exit(127);
  };
  // Close every other descriptor the server has open (sockets, the spool database, ...).
#ifdef SYS_close_range
  if (syscall(SYS_close_range, 4u, ~0u, 0u) != 0)
#endif
  {
    for (int fd = 4; fd < s.max_fd; ++fd) close(fd);
  }
  if (chdir(s.work_dir) != 0) fail3(errno);
  if (s.set_cpu && setrlimit(RLIMIT_CPU, &s.cpu) != 0) fail3(errno);
  if (s.set_as && setrlimit(RLIMIT_AS, &s.as) != 0) fail3(errno);
  if (setrlimit(RLIMIT_FSIZE, &s.fsize) != 0) fail3(errno);
  if (setrlimit(RLIMIT_CORE, &s.core) != 0) fail3(errno);
  if (setrlimit(RLIMIT_NOFILE, &s.nofile) != 0) fail3(errno);
  execve(s.program, s.argv, s.envp);
  fail3(errno);
  _exit(127);
}

rlimit Limit(uint64_t value) { return rlimit{value, value}; }

}  // namespace

std::string SubprocessResult::Describe() const {
  auto seconds = std::to_string((wall_time.count() + 999) / 1000);
  switch (outcome) {
    case Outcome::kExited:
      return "exited with status " + std::to_string(exit_code);
    case Outcome::kTimedOut:
      return "took longer than " + seconds + " s and was stopped";
    case Outcome::kCpuLimit:
      return "exceeded its CPU time limit and was stopped";
    case Outcome::kFileSizeLimit:
      return "produced too much output (file size limit) and was stopped";
    case Outcome::kCrashed:
      return "crashed (signal " + std::to_string(signal) + ", " + strsignal(signal) +
             "; possibly out of memory)";
    case Outcome::kKilled:
      return "was killed (signal " + std::to_string(signal) + ")";
  }
  return "failed";
}

std::string SubprocessResult::FirstErrorLine() const {
  std::string_view rest = stderr_head;
  while (!rest.empty()) {
    size_t nl = rest.find('\n');
    std::string_view line = rest.substr(0, nl);
    rest = nl == std::string_view::npos ? std::string_view() : rest.substr(nl + 1);
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.remove_suffix(1);
    if (line.empty()) continue;
    bool harmless = std::any_of(std::begin(kHarmlessLines), std::end(kHarmlessLines),
                                [&](std::string_view h) { return line == h; });
    if (!harmless) return std::string(line.substr(0, 300));
  }
  return "";
}

Result<std::unique_ptr<Subprocess>> Subprocess::Start(const SubprocessSpec& spec) {
  if (spec.argv.empty()) return MakeError(ErrorCode::kInternal, "subprocess without argv");
  auto program = ResolveProgram(spec.argv[0]);
  if (!program) {
    return MakeError(ErrorCode::kUnavailable, spec.argv[0] + " is not installed (not in PATH)");
  }
  std::vector<std::string> env = BuildEnvironment(spec);
  std::vector<char*> argv_ptrs, env_ptrs;
  for (const auto& a : spec.argv) argv_ptrs.push_back(const_cast<char*>(a.c_str()));
  argv_ptrs.push_back(nullptr);
  for (const auto& e : env) env_ptrs.push_back(const_cast<char*>(e.c_str()));
  env_ptrs.push_back(nullptr);
  std::string work_dir = spec.work_dir.empty() ? "/" : spec.work_dir.string();

  // All pipes are close-on-exec, so a fork in another thread cannot inherit them.
  int in[2] = {-1, -1}, out[2] = {-1, -1}, err[2] = {-1, -1}, status[2] = {-1, -1};
  auto close_all = [&] {
    for (int* p : {in, out, err, status}) {
      CloseFd(p[0]);
      CloseFd(p[1]);
    }
  };
  if ((spec.stdin_pipe && pipe2(in, O_CLOEXEC) != 0) ||
      (spec.capture_stdout && pipe2(out, O_CLOEXEC) != 0) || pipe2(err, O_CLOEXEC) != 0 ||
      pipe2(status, O_CLOEXEC) != 0) {
    int e = errno;
    close_all();
    return MakeError(ErrorCode::kIo, "cannot create pipes for " + spec.argv[0] + ": " + Errno(e));
  }

  ChildSetup setup{};
  setup.program = program->c_str();
  setup.argv = argv_ptrs.data();
  setup.envp = env_ptrs.data();
  setup.work_dir = work_dir.c_str();
  setup.stdin_fd = in[0];
  setup.stdout_fd = out[1];
  setup.stderr_fd = err[1];
  setup.error_fd = status[1];
  long open_max = sysconf(_SC_OPEN_MAX);
  setup.max_fd = static_cast<int>(std::clamp<long>(open_max, 1024, 1 << 16));
  setup.set_cpu = spec.cpu_seconds > 0;
  setup.cpu = rlimit{static_cast<rlim_t>(spec.cpu_seconds),
                     static_cast<rlim_t>(spec.cpu_seconds) + 5};  // soft: SIGXCPU, hard: KILL
  setup.set_as = spec.limit_memory;
  setup.as = Limit(static_cast<uint64_t>(spec.memory_bytes));
  setup.fsize = Limit(static_cast<uint64_t>(spec.file_bytes));
  setup.core = Limit(0);
  setup.nofile = Limit(static_cast<uint64_t>(spec.max_open_files));

  pid_t pid = fork();
  if (pid < 0) {
    int e = errno;
    close_all();
    return MakeError(ErrorCode::kUnavailable, "cannot start " + spec.argv[0] + ": " + Errno(e));
  }
  if (pid == 0) ExecChild(setup);

  // Also set the group from the parent, so a kill right after Start() cannot miss it.
  setpgid(pid, pid);
  CloseFd(in[0]);
  CloseFd(out[1]);
  CloseFd(err[1]);
  CloseFd(status[1]);
  int child_errno = 0;
  ssize_t n;
  do {
    n = read(status[0], &child_errno, sizeof child_errno);
  } while (n < 0 && errno == EINTR);
  CloseFd(status[0]);

  std::unique_ptr<Subprocess> p(new Subprocess());
  p->pid_ = pid;
  p->stdin_fd_ = in[1];
  p->stdout_fd_ = out[0];
  p->stderr_fd_ = err[0];
  p->wall_time_ = spec.wall_time;
  if (spec.wall_time.count() > 0) p->deadline_ = std::chrono::steady_clock::now() + spec.wall_time;
  if (n == static_cast<ssize_t>(sizeof child_errno)) {
    p->Wait();
    return MakeError(ErrorCode::kUnavailable,
                     "cannot run " + spec.argv[0] + ": " + Errno(child_errno));
  }
  return p;
}

Subprocess::~Subprocess() {
  if (!reaped_) {
    KillGroup();
    Reap(true);
  }
  CloseFd(stdin_fd_);
  CloseFd(stdout_fd_);
  CloseFd(stderr_fd_);
}

void Subprocess::SetDeadline(std::optional<std::chrono::steady_clock::time_point> deadline,
                             std::chrono::milliseconds for_messages) {
  deadline_ = deadline;
  wall_time_ = for_messages;
}

bool Subprocess::DeadlinePassed() const {
  return deadline_ && std::chrono::steady_clock::now() >= *deadline_;
}

int Subprocess::PollTimeoutMs() const {
  if (!deadline_) return -1;
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
      *deadline_ - std::chrono::steady_clock::now());
  return static_cast<int>(std::clamp<int64_t>(left.count() + 1, 0, 60'000));
}

void Subprocess::AppendStderr(std::string_view bytes) {
  auto& head = result_.stderr_head;
  if (head.size() < kStderrHeadBytes) {
    head.append(bytes.substr(0, kStderrHeadBytes - head.size()));
  }
  auto& tail = result_.stderr_tail;
  tail.append(bytes);
  if (tail.size() > kStderrTailBytes) tail.erase(0, tail.size() - kStderrTailBytes);
}

void Subprocess::DrainStderr() {
  char buffer[4096];
  while (stderr_fd_ >= 0) {
    ssize_t n = read(stderr_fd_, buffer, sizeof buffer);
    if (n > 0) {
      AppendStderr(std::string_view(buffer, static_cast<size_t>(n)));
      if (static_cast<size_t>(n) < sizeof buffer) return;
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno == EAGAIN) return;
    CloseFd(stderr_fd_);  // EOF or error
  }
}

void Subprocess::DrainStdoutAndStderr() {
  DrainStderr();
  std::string& collected = result_.stdout_text;
  char buffer[16384];
  while (stdout_fd_ >= 0) {
    ssize_t n = read(stdout_fd_, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno == EAGAIN) return;
    if (n <= 0) {
      CloseFd(stdout_fd_);
      return;
    }
    size_t take = std::min(static_cast<size_t>(n), kMaxCollectedStdout - collected.size());
    collected.append(buffer, take);
  }
}

Result<size_t> Subprocess::ReadStdout(char* buffer, size_t size) {
  if (stdout_fd_ < 0) return size_t{0};
  for (;;) {
    if (DeadlinePassed()) {
      Kill(true);
      return MakeError(ErrorCode::kUnavailable, "took longer than the time limit");
    }
    pollfd fds[2] = {{stdout_fd_, POLLIN, 0}, {stderr_fd_, POLLIN, 0}};
    int r = poll(fds, stderr_fd_ >= 0 ? 2 : 1, PollTimeoutMs());
    if (r < 0 && errno != EINTR) return MakeError(ErrorCode::kIo, "poll: " + Errno(errno));
    if (r <= 0) continue;
    if (stderr_fd_ >= 0 && fds[1].revents) {
      int flags = fcntl(stderr_fd_, F_GETFL);
      fcntl(stderr_fd_, F_SETFL, flags | O_NONBLOCK);
      DrainStderr();
    }
    if (fds[0].revents) {
      ssize_t n = read(stdout_fd_, buffer, size);
      if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
      if (n < 0) return MakeError(ErrorCode::kIo, "reading from renderer: " + Errno(errno));
      if (n == 0) CloseFd(stdout_fd_);
      return static_cast<size_t>(n);
    }
  }
}

Result<std::string> Subprocess::ReadLine(size_t max_bytes) {
  for (;;) {
    size_t nl = line_buffer_.find('\n');
    if (nl != std::string::npos) {
      std::string line = line_buffer_.substr(0, nl);
      line_buffer_.erase(0, nl + 1);
      return line;
    }
    if (line_buffer_.size() > max_bytes) {
      return MakeError(ErrorCode::kInternal, "line from subprocess too long");
    }
    char buffer[4096];
    FG_ASSIGN_OR_RETURN(size_t n, ReadStdout(buffer, sizeof buffer));
    if (n == 0) return MakeError(ErrorCode::kUnavailable, "subprocess closed its output");
    line_buffer_.append(buffer, n);
  }
}

Status Subprocess::WriteStdin(std::string_view bytes) {
  if (stdin_fd_ < 0) return MakeError(ErrorCode::kInternal, "subprocess stdin is not a pipe");
  // Block SIGPIPE in this thread for the write and discard one that became pending, so a dead
  // child is an error here and never a signal to the server.
  sigset_t pipe_set, old_set;
  sigemptyset(&pipe_set);
  sigaddset(&pipe_set, SIGPIPE);
  pthread_sigmask(SIG_BLOCK, &pipe_set, &old_set);
  int write_errno = 0;
  while (!bytes.empty()) {
    ssize_t n = write(stdin_fd_, bytes.data(), bytes.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      write_errno = errno;
      break;
    }
    bytes.remove_prefix(static_cast<size_t>(n));
  }
  if (write_errno == EPIPE) {
    timespec zero{};
    sigtimedwait(&pipe_set, nullptr, &zero);
  }
  pthread_sigmask(SIG_SETMASK, &old_set, nullptr);
  if (write_errno != 0) {
    return MakeError(ErrorCode::kUnavailable, "writing to subprocess: " + Errno(write_errno));
  }
  return Status::Ok();
}

void Subprocess::CloseStdin() { CloseFd(stdin_fd_); }

void Subprocess::KillGroup() {
  if (pid_ > 0) kill(-pid_, SIGKILL);
}

void Subprocess::Kill(bool as_timeout) {
  if (reaped_) return;
  if (as_timeout) killed_at_deadline_ = true;
  KillGroup();
}

void Subprocess::Reap(bool block) {
  if (reaped_) return;
  for (;;) {
    int status = 0;
    pid_t r = waitpid(pid_, &status, block ? 0 : WNOHANG);
    if (r < 0 && errno == EINTR) continue;
    if (r == pid_ || r < 0) {
      wait_status_ = r == pid_ ? status : 0;
      reaped_ = true;
    }
    return;
  }
}

SubprocessResult Subprocess::Wait() {
  if (!reaped_) {
    CloseFd(stdin_fd_);
    for (int fd : {stdout_fd_, stderr_fd_}) {
      if (fd >= 0) fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
    }
    // Collect stdout and stderr until the child exits. Its helpers may keep the pipes open
    // after it is gone, so the child's exit, not end-of-file, ends the wait.
    for (;;) {
      DrainStdoutAndStderr();
      Reap(false);
      if (reaped_) break;
      if (DeadlinePassed()) {
        Kill(true);
        Reap(true);
        break;
      }
      pollfd fds[2] = {{stdout_fd_, POLLIN, 0}, {stderr_fd_, POLLIN, 0}};
      int timeout = PollTimeoutMs();
      timeout = timeout < 0 ? 20 : std::min(timeout, 20);
      poll(fds, 2, timeout);  // negative fds are ignored
    }
    // Whatever the child left in its group (daemonised helpers) goes with it.
    KillGroup();
    DrainStdoutAndStderr();
    CloseFd(stdout_fd_);
    CloseFd(stderr_fd_);
  }
  SubprocessResult& r = result_;
  r.wall_time = wall_time_;
  if (killed_at_deadline_) {
    r.outcome = SubprocessResult::Outcome::kTimedOut;
    r.signal = SIGKILL;
  } else if (WIFEXITED(wait_status_)) {
    r.outcome = SubprocessResult::Outcome::kExited;
    r.exit_code = WEXITSTATUS(wait_status_);
  } else if (WIFSIGNALED(wait_status_)) {
    r.signal = WTERMSIG(wait_status_);
    switch (r.signal) {
      case SIGXCPU:
        r.outcome = SubprocessResult::Outcome::kCpuLimit;
        break;
      case SIGXFSZ:
        r.outcome = SubprocessResult::Outcome::kFileSizeLimit;
        break;
      case SIGSEGV:
      case SIGABRT:
      case SIGBUS:
      case SIGILL:
      case SIGFPE:
      case SIGSYS:
      case SIGTRAP:
        r.outcome = SubprocessResult::Outcome::kCrashed;
        break;
      default:
        r.outcome = SubprocessResult::Outcome::kKilled;
    }
  }
  return r;
}

Result<SubprocessResult> RunSubprocess(const SubprocessSpec& spec) {
  FG_ASSIGN_OR_RETURN(auto process, Subprocess::Start(spec));
  return process->Wait();
}

}  // namespace faxgate
