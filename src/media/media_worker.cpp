#include "media/media_worker.h"

#include <algorithm>

#include <pthread.h>

#include <boost/asio/post.hpp>

#include "base/log.h"

namespace faxgate {
namespace {

constexpr auto kTick = std::chrono::milliseconds(20);
// In fast pace a worker runs this many ticks of every call before letting posted work (new
// calls, hang-ups) in, so the queue stays responsive without a timer.
constexpr int kFastTicksPerSlice = 25;

}  // namespace

double TickStats::Percentile(double p) const {
  if (ticks == 0) return 0;
  uint64_t want = static_cast<uint64_t>(p * static_cast<double>(ticks));
  uint64_t seen = 0;
  for (int i = 0; i < kBuckets; ++i) {
    seen += histogram[i];
    if (seen > want) return i * 0.1;
  }
  return kBuckets * 0.1;
}

MediaWorker::MediaWorker(int index, Pace pace) : index_(index), pace_(pace), timer_(io_) {}

MediaWorker::~MediaWorker() { Stop(); }

void MediaWorker::Start() {
  thread_ = std::thread([this] {
    // Named so that top -H and perf show which worker is busy.
    const std::string name = "media-" + std::to_string(index_);
    pthread_setname_np(pthread_self(), name.c_str());
    auto guard = boost::asio::make_work_guard(io_);
    io_.run();
  });
}

void MediaWorker::Stop() {
  if (!thread_.joinable()) return;
  boost::asio::post(io_, [this] {
    stopping_ = true;
    for (auto& call : calls_) call->HangUp("faxgate is shutting down");
    // One last tick lets every call finish its fax session and report.
    for (auto& call : calls_) call->Tick();
    calls_.clear();
    calls_count_ = 0;
    timer_.cancel();
    io_.stop();
  });
  thread_.join();
}

void MediaWorker::Add(std::unique_ptr<MediaCall> call) {
  calls_count_.fetch_add(1);
  boost::asio::post(io_, [this, c = std::move(call)]() mutable {
    if (stopping_) return;
    calls_.push_back(std::move(c));
    if (!ticking_) {
      ticking_ = true;
      deadline_ = std::chrono::steady_clock::now();
      ScheduleTick();
    }
  });
}

void MediaWorker::HangUp(const std::string& key, const std::string& why) {
  boost::asio::post(io_, [this, key, why] {
    for (auto& call : calls_)
      if (call->key() == key) call->HangUp(why);
  });
}

void MediaWorker::Post(const std::string& key, std::function<void(MediaCall&)> fn) {
  boost::asio::post(io_, [this, key, fn = std::move(fn)] {
    for (auto& call : calls_)
      if (call->key() == key) return fn(*call);
  });
}

void MediaWorker::ScheduleTick() {
  if (calls_.empty()) {
    ticking_ = false;
    return;
  }
  if (pace_ == Pace::kFast) {
    boost::asio::post(io_, [this] {
      for (int i = 0; i < kFastTicksPerSlice && !calls_.empty(); ++i) RunTick();
      ScheduleTick();
    });
    return;
  }
  deadline_ += kTick;
  timer_.expires_at(deadline_);
  timer_.async_wait([this](const boost::system::error_code& ec) {
    if (ec || stopping_) return;
    auto late = std::chrono::steady_clock::now() - deadline_;
    int bucket = static_cast<int>(std::chrono::duration<double, std::milli>(late).count() * 10);
    {
      std::lock_guard lock(stats_mutex_);
      stats_.histogram[std::clamp(bucket, 0, TickStats::kBuckets - 1)]++;
      stats_.ticks++;
    }
    RunTick();
    ScheduleTick();
  });
}

void MediaWorker::RunTick() {
  for (size_t i = 0; i < calls_.size();) {
    if (calls_[i]->Tick()) {
      ++i;
    } else {
      calls_[i] = std::move(calls_.back());
      calls_.pop_back();
      calls_count_.fetch_sub(1);
    }
  }
}

TickStats MediaWorker::stats() const {
  std::lock_guard lock(stats_mutex_);
  return stats_;
}

}  // namespace faxgate
