// Runs an external renderer (mutool, gs, soffice, chromium) as a confined child process.
//
// Documents come from strangers, so every renderer runs in its own process group with resource
// limits, no inherited file descriptors and a wall-clock deadline; when anything goes wrong the
// whole group (grandchildren included) is killed with SIGKILL and reaped.
//
// Thread safety: any number of threads may start and run subprocesses at once (the child side
// between fork and exec only makes async-signal-safe calls). One Subprocess object is used by
// one thread at a time.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/result.h"

namespace faxgate {

struct SubprocessSpec {
  // argv[0] is a path or a name looked up in PATH.
  std::vector<std::string> argv;
  // The child's working directory, also its HOME, TMPDIR and XDG_* directories. Must exist.
  std::filesystem::path work_dir;
  // Added to (or replacing entries of) the small base environment: PATH, LANG=C.UTF-8, HOME,
  // TMPDIR. Nothing else of the server's environment reaches the child.
  std::vector<std::pair<std::string, std::string>> env;
  // RLIMIT_AS = memory_bytes when set. Off for programs that reserve large address ranges
  // (Chromium's V8 cages, ASan-instrumented helpers); they rely on the wall-time limit.
  bool limit_memory = true;
  int64_t memory_bytes = int64_t{2} << 30;
  int cpu_seconds = 60;                     // RLIMIT_CPU; 0 = none (long-lived servers)
  int64_t file_bytes = int64_t{512} << 20;  // RLIMIT_FSIZE
  int max_open_files = 256;                 // RLIMIT_NOFILE
  // Whole-life deadline, counted from Start(); zero = none (then use SetDeadline()).
  std::chrono::milliseconds wall_time{0};
  // stdin is /dev/null unless this is set; then WriteStdin() feeds it.
  bool stdin_pipe = false;
  // The child's stdout is a pipe when set, else /dev/null.
  bool capture_stdout = true;
};

// How a finished (or stopped) subprocess ended.
struct SubprocessResult {
  enum class Outcome {
    kExited,         // exit_code is valid
    kTimedOut,       // we killed it at the wall-clock deadline
    kCpuLimit,       // SIGXCPU: RLIMIT_CPU
    kFileSizeLimit,  // SIGXFSZ: RLIMIT_FSIZE
    kCrashed,        // SIGSEGV, SIGABRT, SIGBUS, ... (also what a failed allocation under
                     // RLIMIT_AS usually becomes)
    kKilled,         // another signal, e.g. SIGKILL from the kernel's OOM killer
  };
  Outcome outcome = Outcome::kExited;
  int exit_code = -1;
  int signal = 0;
  std::chrono::milliseconds wall_time{0};  // the deadline in force, for messages
  std::string stdout_text;                 // what Wait() collected (capped), if not read
  std::string stderr_head;                 // first ~1 KB of stderr
  std::string stderr_tail;                 // last ~4 KB of stderr

  bool ok() const { return outcome == Outcome::kExited && exit_code == 0; }
  // "took longer than 60 s and was stopped", "exceeded its CPU time limit", "crashed (signal
  // 11)", "exited with status 1", ... — completes a sentence "NAME: the PDF renderer ...".
  std::string Describe() const;
  // The first line of stderr that is not a known harmless warning, or "".
  std::string FirstErrorLine() const;
};

class Subprocess {
 public:
  // Forks and execs spec.argv. Fails when the program cannot be started (not found, not
  // executable, pipe or fork failure).
  static Result<std::unique_ptr<Subprocess>> Start(const SubprocessSpec& spec);
  // Kills the process group if it is still running and reaps the child.
  ~Subprocess();
  Subprocess(const Subprocess&) = delete;
  Subprocess& operator=(const Subprocess&) = delete;

  pid_t pid() const { return pid_; }
  // Replaces the deadline (for a long-lived child: one deadline per request).
  void SetDeadline(std::optional<std::chrono::steady_clock::time_point> deadline,
                   std::chrono::milliseconds for_messages);

  // Reads what stdout has, up to `size` bytes, waiting until the deadline; stderr is drained
  // meanwhile. Returns 0 at end of stream. At the deadline the group is killed and the result
  // is an error; call Wait() afterwards for the outcome.
  Result<size_t> ReadStdout(char* buffer, size_t size);
  // Reads one '\n'-terminated line (without the '\n') from stdout, bounded by max_bytes.
  Result<std::string> ReadLine(size_t max_bytes = 1 << 20);
  // Writes all of `bytes` to the child's stdin (spec.stdin_pipe). A child that has exited
  // makes this fail, never raises SIGPIPE in the server.
  Status WriteStdin(std::string_view bytes);
  void CloseStdin();

  // Waits for the child to exit (until the deadline, then kills it), collecting what is left
  // on stdout into stdout_text (up to 16 MB) and stderr. Kills whatever the child left behind
  // in its process group. Idempotent.
  SubprocessResult Wait();
  // SIGKILLs the whole process group now; Wait() then reports kTimedOut if `as_timeout`.
  void Kill(bool as_timeout = false);
  bool running() const { return !reaped_; }

 private:
  Subprocess() = default;
  bool DeadlinePassed() const;
  int PollTimeoutMs() const;
  void DrainStderr();
  void DrainStdoutAndStderr();
  void AppendStderr(std::string_view bytes);
  void Reap(bool block);
  void KillGroup();

  pid_t pid_ = -1;
  int stdin_fd_ = -1;
  int stdout_fd_ = -1;
  int stderr_fd_ = -1;
  bool reaped_ = false;
  bool killed_at_deadline_ = false;
  int wait_status_ = 0;
  std::optional<std::chrono::steady_clock::time_point> deadline_;
  std::chrono::milliseconds wall_time_{0};
  std::string line_buffer_;
  SubprocessResult result_;
};

// Starts spec, collects stdout and stderr and waits. An error only when it cannot start.
Result<SubprocessResult> RunSubprocess(const SubprocessSpec& spec);

}  // namespace faxgate
