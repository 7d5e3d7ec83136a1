// RunInBackground: a fixed set of low-priority threads and a queue.
#include "fax/background_writer_threads.h"

#include "base/thread_priority.h"
#include "fax/fax_logging.h"

#include <pthread.h>

#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>
#include <vector>

namespace faxgate {
namespace {

class BackgroundThreads {
 public:
  BackgroundThreads() {
    // Jobs log; the loggers must outlive this object's draining at exit, so exist before it.
    (void)T30Log();
    (void)SpandspLog();
    unsigned count = std::max(1u, std::thread::hardware_concurrency());
    for (unsigned i = 0; i < count; ++i) threads_.emplace_back([this] { Run(); });
  }

  ~BackgroundThreads() {
    {
      std::lock_guard lock(mu_);
      stopping_ = true;
    }
    wake_.notify_all();
    for (std::thread& t : threads_) t.join();
  }

  void WaitIdle() {
    std::unique_lock lock(mu_);
    idle_.wait(lock, [this] { return jobs_.empty() && running_ == 0; });
  }

  void Post(std::function<void()> job) {
    {
      std::lock_guard lock(mu_);
      jobs_.push_back(std::move(job));
    }
    wake_.notify_one();
  }

 private:
  void Run() {
    // Named, or `top -H` shows them under the media worker that first wrote a page.
    pthread_setname_np(pthread_self(), "page-writer");
    // Below the media workers: a page can wait, their tick cannot.
    RunBelowNormalPriority();
    for (;;) {
      std::function<void()> job;
      {
        std::unique_lock lock(mu_);
        wake_.wait(lock, [this] { return stopping_ || !jobs_.empty(); });
        // Queued pages are finished before exit: a received fax is never left half-written.
        if (jobs_.empty()) return;
        job = std::move(jobs_.front());
        jobs_.pop_front();
        ++running_;
      }
      job();
      job = nullptr;  // what the job holds goes now, not with the next one
      {
        std::lock_guard lock(mu_);
        --running_;
        if (jobs_.empty() && running_ == 0) idle_.notify_all();
      }
    }
  }

  std::mutex mu_;
  std::condition_variable wake_;
  std::condition_variable idle_;
  int running_ = 0;
  std::deque<std::function<void()>> jobs_;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

BackgroundThreads& Threads() {
  static BackgroundThreads threads;
  return threads;
}

}  // namespace

void RunInBackground(std::function<void()> job) { Threads().Post(std::move(job)); }

void WaitForBackgroundWork() { Threads().WaitIdle(); }

}  // namespace faxgate
