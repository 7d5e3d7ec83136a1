// The reference for bench/loopback_bench.py: N fax calls with nothing but spandsp — a calling
// audio terminal sending a TIFF to an answering one through G.711 µ-law, every pair ticked every
// 20 ms of real time on T threads. No daemon, no database, no HTTP: what the fax engine alone
// costs on this machine, measured the same way faxgate is.
//
// Usage: spandsp_reference --calls N --threads T --doc page.tif --out DIR
// Prints one JSON object.
#include <spandsp.h>
#include <sys/resource.h>
#include <time.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

namespace {

constexpr int kTick = 160;

struct Pair {
  fax_state_t* tx = nullptr;
  fax_state_t* rx = nullptr;
  int tx_result = -1;
  int rx_result = -1;
  long ticks = 0;
};

void OnTxEnd(t30_state_t*, void* ud, int code) { static_cast<Pair*>(ud)->tx_result = code; }
void OnRxEnd(t30_state_t*, void* ud, int code) { static_cast<Pair*>(ud)->rx_result = code; }

fax_state_t* Terminal(bool calling, Pair* p, const std::string& file) {
  fax_state_t* f = fax_init(nullptr, calling);
  fax_set_transmit_on_idle(f, 1);
  t30_state_t* t = fax_get_t30_state(f);
  t30_set_tx_ident(t, calling ? "bench tx" : "bench rx");
  t30_set_supported_modems(t, T30_SUPPORT_V17 | T30_SUPPORT_V29 | T30_SUPPORT_V27TER);
  t30_set_ecm_capability(t, 1);
  t30_set_supported_compressions(t, T30_SUPPORT_T4_1D_COMPRESSION | T30_SUPPORT_T4_2D_COMPRESSION |
                                        T30_SUPPORT_T6_COMPRESSION);
  t30_set_supported_resolutions(t, T30_SUPPORT_STANDARD_RESOLUTION | T30_SUPPORT_FINE_RESOLUTION |
                                       T30_SUPPORT_SUPERFINE_RESOLUTION);
  t30_set_supported_image_sizes(t, T30_SUPPORT_US_LETTER_LENGTH | T30_SUPPORT_US_LEGAL_LENGTH |
                                       T30_SUPPORT_UNLIMITED_LENGTH | T30_SUPPORT_215MM_WIDTH);
  t30_set_phase_e_handler(t, calling ? OnTxEnd : OnRxEnd, p);
  if (calling) {
    t30_set_tx_file(t, file.c_str(), -1, -1);
  } else {
    t30_set_rx_encoding(t, T4_COMPRESSION_ITU_T6);
    t30_set_rx_file(t, file.c_str(), -1);
  }
  return f;
}

void Codec(int16_t* s) {
  for (int i = 0; i < kTick; ++i) s[i] = ulaw_to_linear(linear_to_ulaw(s[i]));
}

bool TickPair(Pair& p) {
  if (p.tx_result >= 0 && p.rx_result >= 0) return false;
  int16_t a[kTick] = {}, b[kTick] = {};
  fax_tx(p.tx, a, kTick);
  fax_tx(p.rx, b, kTick);
  Codec(a);
  Codec(b);
  fax_rx(p.rx, a, kTick);
  fax_rx(p.tx, b, kTick);
  ++p.ticks;
  return true;
}

double Now() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec * 1e-9;
}

}  // namespace

int main(int argc, char** argv) {
  int calls = 50, threads = 2;
  std::string doc = "page.tif", out = "/tmp";
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string k = argv[i];
    if (k == "--calls")
      calls = std::atoi(argv[i + 1]);
    else if (k == "--threads")
      threads = std::atoi(argv[i + 1]);
    else if (k == "--doc")
      doc = argv[i + 1];
    else if (k == "--out")
      out = argv[i + 1];
  }
  span_set_message_handler(nullptr);
  std::vector<Pair> pairs(calls);
  for (int i = 0; i < calls; ++i) {
    pairs[i].tx = Terminal(true, &pairs[i], doc);
    pairs[i].rx = Terminal(false, &pairs[i], out + "/ref-rx-" + std::to_string(i) + ".tif");
  }
  std::vector<std::vector<double>> lateness(threads);
  rusage r0;
  getrusage(RUSAGE_SELF, &r0);
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&, t] {
      double deadline = Now();
      while (true) {
        deadline += 0.020;
        timespec ts{static_cast<time_t>(deadline),
                    static_cast<long>((deadline - static_cast<time_t>(deadline)) * 1e9)};
        clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, nullptr);
        lateness[t].push_back((Now() - deadline) * 1000.0);
        bool any = false;
        for (int i = t; i < calls; i += threads) any = TickPair(pairs[i]) || any;
        if (!any) break;
      }
    });
  }
  for (auto& w : workers) w.join();
  rusage r1;
  getrusage(RUSAGE_SELF, &r1);
  auto secs = [](const timeval& tv) { return tv.tv_sec + tv.tv_usec * 1e-6; };
  double cpu = secs(r1.ru_utime) - secs(r0.ru_utime) + secs(r1.ru_stime) - secs(r0.ru_stime);
  int ok = 0;
  double call_seconds = 0;
  for (auto& p : pairs) {
    ok += p.tx_result == T30_ERR_OK && p.rx_result == T30_ERR_OK;
    call_seconds += p.ticks * 0.020;
    fax_free(p.tx);
    fax_free(p.rx);
  }
  std::vector<double> all;
  for (auto& v : lateness) all.insert(all.end(), v.begin(), v.end());
  std::sort(all.begin(), all.end());
  auto pct = [&](double q) {
    return all.empty() ? 0.0 : all[static_cast<size_t>(q * (all.size() - 1))];
  };
  std::printf(
      "{\"calls\": %d, \"succeeded\": %d, \"cpu_s\": %.3f, \"call_seconds\": %.1f, "
      "\"cpu_ms_per_call_second\": %.3f, \"tick_p50_ms\": %.2f, \"tick_p99_ms\": %.2f, "
      "\"max_rss_mb\": %.1f}\n",
      calls, ok, cpu, call_seconds, cpu * 1000.0 / call_seconds, pct(0.5), pct(0.99),
      r1.ru_maxrss / 1024.0);
  return ok == calls ? 0 : 1;
}
