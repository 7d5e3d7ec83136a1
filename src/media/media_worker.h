// A media worker is one thread that drives the calls pinned to it: every 20 ms (realtime pace)
// or as fast as the CPU allows (fast pace) it ticks each call once. A call lives on one worker
// from start to end, so its fax state needs no lock. Slow work (database, documents) never runs
// here: calls report through messages posted to the control thread.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "base/config.h"

namespace faxgate {

constexpr int kSamplesPerTick = 160;  // 20 ms at 8 kHz

// A call as a media worker sees it.
class MediaCall {
 public:
  virtual ~MediaCall() = default;
  // Advances the call by one 20 ms tick; false once the call is over (it is then destroyed).
  virtual bool Tick() = 0;
  // Ends the call at the next tick (cancel, shutdown).
  virtual void HangUp(const std::string& why) = 0;
  virtual const std::string& key() const = 0;
};

// Tick lateness: how far behind its 20 ms deadline each tick started (realtime pace only).
struct TickStats {
  static constexpr int kBuckets = 2000;  // 0.1 ms buckets up to 200 ms
  std::array<uint64_t, kBuckets> histogram{};
  uint64_t ticks = 0;
  double Percentile(double p) const;  // in milliseconds
};

class MediaWorker {
 public:
  MediaWorker(int index, Pace pace);
  ~MediaWorker();

  void Start();
  // Hangs up every call, lets them end, and joins the thread.
  void Stop();
  // Thread-safe: the call starts ticking on the worker's thread.
  void Add(std::unique_ptr<MediaCall> call);
  // Thread-safe: hangs up the call with this key, if it is on this worker.
  void HangUp(const std::string& key, const std::string& why);
  // Thread-safe: runs `fn` on the worker's thread with the call of this key, if it is still
  // there (signalling events reach their call this way).
  void Post(const std::string& key, std::function<void(MediaCall&)> fn);
  int call_count() const { return calls_count_.load(); }
  TickStats stats() const;

 private:
  void ScheduleTick();
  void RunTick();

  int index_;
  Pace pace_;
  boost::asio::io_context io_;
  boost::asio::steady_timer timer_;
  std::chrono::steady_clock::time_point deadline_;
  std::vector<std::unique_ptr<MediaCall>> calls_;
  std::atomic<int> calls_count_{0};
  bool ticking_ = false;
  bool stopping_ = false;
  std::thread thread_;
  mutable std::mutex stats_mutex_;
  TickStats stats_;
};

}  // namespace faxgate
