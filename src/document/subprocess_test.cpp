#include "document/subprocess.h"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "base/files.h"

namespace faxgate {
namespace {

using ::testing::HasSubstr;
using Outcome = SubprocessResult::Outcome;
using namespace std::chrono_literals;

class SubprocessTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("faxgate-subprocess-" + RandomHex(6));
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  SubprocessSpec Shell(std::string script) {
    SubprocessSpec spec;
    spec.argv = {"sh", "-c", std::move(script)};
    spec.work_dir = dir_;
    spec.wall_time = 10s;
    return spec;
  }

  SubprocessResult Run(const SubprocessSpec& spec) {
    auto r = RunSubprocess(spec);
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
    return r.ok() ? *r : SubprocessResult{};
  }

  std::filesystem::path dir_;
};

TEST_F(SubprocessTest, ReportsExitStatusAndOutput) {
  SubprocessResult r = Run(Shell("echo hello; exit 3"));
  EXPECT_EQ(r.outcome, Outcome::kExited);
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.stdout_text, "hello\n");
  EXPECT_EQ(r.Describe(), "exited with status 3");
  EXPECT_TRUE(Run(Shell("true")).ok());
}

TEST_F(SubprocessTest, MissingProgramIsAnErrorNotACrash) {
  SubprocessSpec spec = Shell("");
  spec.argv = {"faxgate-no-such-renderer"};
  auto r = RunSubprocess(spec);
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.error().message, HasSubstr("not installed"));
}

TEST_F(SubprocessTest, ChildRunsInWorkDirWithOnlyItsOwnEnvironment) {
  setenv("FAXGATE_SECRET", "leak", 1);
  SubprocessSpec spec = Shell("pwd; echo \"$HOME|$TMPDIR|$FOO|$FAXGATE_SECRET\"");
  spec.env = {{"FOO", "bar"}};
  SubprocessResult r = Run(spec);
  std::string d = std::filesystem::canonical(dir_).string();
  EXPECT_EQ(r.stdout_text, d + "\n" + dir_.string() + "|" + dir_.string() + "|bar|\n");
  unsetenv("FAXGATE_SECRET");
}

TEST_F(SubprocessTest, ChildInheritsNoOtherFileDescriptors) {
  int fd = open("/dev/null", O_RDONLY);  // deliberately without O_CLOEXEC
  ASSERT_GE(fd, 0);
  SubprocessResult r = Run(Shell("ls /proc/self/fd | tr '\\n' ' '"));
  close(fd);
  // 0, 1, 2, and the descriptor ls uses to read the directory.
  EXPECT_EQ(r.stdout_text, "0 1 2 3 ");
}

TEST_F(SubprocessTest, DeadlineKillsTheWholeGroupIncludingGrandchildren) {
  SubprocessSpec spec = Shell("sleep 100 & echo $!; wait");
  spec.wall_time = 500ms;
  auto started = std::chrono::steady_clock::now();
  auto process = Subprocess::Start(spec);
  ASSERT_TRUE(process.ok());
  auto line = (*process)->ReadLine();
  ASSERT_TRUE(line.ok());
  pid_t grandchild = std::stoi(*line);
  SubprocessResult r = (*process)->Wait();
  EXPECT_LT(std::chrono::steady_clock::now() - started, 3s);
  EXPECT_EQ(r.outcome, Outcome::kTimedOut);
  EXPECT_EQ(r.Describe(), "took longer than 1 s and was stopped");
  // The grandchild is killed too (it may linger as a zombie of init for a moment).
  bool gone = false;
  for (int i = 0; i < 100 && !gone; ++i) {
    std::string state;
    auto stat = ReadFile("/proc/" + std::to_string(grandchild) + "/stat");
    gone = !stat.ok() || stat->find(") Z") != std::string::npos;
    if (!gone) usleep(10'000);
  }
  EXPECT_TRUE(gone);
}

TEST_F(SubprocessTest, CpuLimitStopsABusyLoop) {
  SubprocessSpec spec = Shell("while :; do :; done");
  spec.cpu_seconds = 1;
  SubprocessResult r = Run(spec);
  EXPECT_EQ(r.outcome, Outcome::kCpuLimit);
  EXPECT_THAT(r.Describe(), HasSubstr("CPU time limit"));
}

TEST_F(SubprocessTest, MemoryLimitMakesLargeAllocationsFail) {
  SubprocessSpec spec = Shell("exec /usr/bin/python3 -c 'x = bytearray(600 << 20)'");
  spec.memory_bytes = 300 << 20;
  SubprocessResult r = Run(spec);
  EXPECT_FALSE(r.ok());
  EXPECT_THAT(r.stderr_tail, HasSubstr("MemoryError"));
  spec.limit_memory = false;
  EXPECT_TRUE(Run(spec).ok());
}

TEST_F(SubprocessTest, FileSizeLimitStopsRunawayOutput) {
  SubprocessSpec spec = Shell("exec head -c 3000000 /dev/zero > big");
  spec.file_bytes = 1 << 20;
  SubprocessResult r = Run(spec);
  EXPECT_EQ(r.outcome, Outcome::kFileSizeLimit);
}

TEST_F(SubprocessTest, StdoutStreamsBeforeTheChildExits) {
  auto process = Subprocess::Start(Shell("echo first; sleep 1; echo second"));
  ASSERT_TRUE(process.ok());
  auto started = std::chrono::steady_clock::now();
  auto line = (*process)->ReadLine();
  ASSERT_TRUE(line.ok());
  EXPECT_EQ(*line, "first");
  EXPECT_LT(std::chrono::steady_clock::now() - started, 800ms);
  EXPECT_EQ(*(*process)->ReadLine(), "second");
  EXPECT_TRUE((*process)->Wait().ok());
}

TEST_F(SubprocessTest, KeepsTheHeadAndTailOfStderr) {
  SubprocessResult r =
      Run(Shell("echo 'warning: ICC support is not available' >&2; echo 'error: first' >&2; "
                "head -c 20000 /dev/zero | tr '\\0' x >&2; echo >&2; echo last >&2; exit 1"));
  EXPECT_EQ(r.FirstErrorLine(), "error: first");
  EXPECT_LE(r.stderr_tail.size(), 4096u);
  EXPECT_THAT(r.stderr_tail, ::testing::EndsWith("last\n"));
}

TEST_F(SubprocessTest, StdinPipeFeedsTheChildAndAFinishedChildIsNoSignal) {
  SubprocessSpec spec = Shell("read line; echo \"got $line\"");
  spec.stdin_pipe = true;
  auto process = Subprocess::Start(spec);
  ASSERT_TRUE(process.ok());
  ASSERT_TRUE((*process)->WriteStdin("fax\n").ok());
  EXPECT_EQ(*(*process)->ReadLine(), "got fax");
  (*process)->Wait();
  // The child is gone: writing fails instead of killing the test with SIGPIPE.
  SubprocessSpec quits = Shell("exit 0");
  quits.stdin_pipe = true;
  auto gone = Subprocess::Start(quits);
  ASSERT_TRUE(gone.ok());
  usleep(200'000);
  std::string big(1 << 20, 'x');
  EXPECT_FALSE((*gone)->WriteStdin(big).ok());
}

TEST_F(SubprocessTest, CrashIsReportedAsCrash) {
  SubprocessResult r = Run(Shell("kill -SEGV $$"));
  EXPECT_EQ(r.outcome, Outcome::kCrashed);
  EXPECT_THAT(r.Describe(), HasSubstr("crashed"));
}

}  // namespace
}  // namespace faxgate
