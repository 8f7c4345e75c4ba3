#pragma once
// INFO's instantaneous_ops_per_sec and instantaneous_input/output_kbps: like Redis, the rate
// over the last 16 samples of a running total, one sample every 100 ms (taken by the main
// thread), so the figure covers the last ~1.6 s.
#include <array>
#include <atomic>
#include <cstdint>

namespace ember {

class Engine;

class RateSampler {
 public:
  // Records `total` (a counter that only grows) at `now_ms`; returns the rate per second over
  // the samples kept.
  double Sample(int64_t now_ms, uint64_t total);

 private:
  static constexpr size_t kSamples = 16;
  std::array<int64_t, kSamples> at_ms_{};
  std::array<uint64_t, kSamples> totals_{};
  size_t next_ = 0, count_ = 0;
};

class InstantaneousRates {
 public:
  // Called every ~100 ms from one thread.
  void Sample(Engine& engine, int64_t now_ms);

  uint64_t ops_per_sec() const { return ops_.load(std::memory_order_relaxed); }
  double input_kbps() const { return input_kbps_.load(std::memory_order_relaxed); }
  double output_kbps() const { return output_kbps_.load(std::memory_order_relaxed); }

 private:
  RateSampler ops_sampler_, input_sampler_, output_sampler_;
  std::atomic<uint64_t> ops_{0};
  std::atomic<double> input_kbps_{0}, output_kbps_{0};
};

}  // namespace ember
