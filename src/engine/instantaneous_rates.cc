#include "engine/instantaneous_rates.h"

#include "engine/engine.h"

namespace ember {

double RateSampler::Sample(int64_t now_ms, uint64_t total) {
  size_t last = (next_ + kSamples - 1) % kSamples;
  if (count_ > 0 && total < totals_[last]) count_ = 0;  // CONFIG RESETSTAT: start a new window
  at_ms_[next_] = now_ms;
  totals_[next_] = total;
  next_ = (next_ + 1) % kSamples;
  if (count_ < kSamples) ++count_;
  if (count_ < 2) return 0;
  size_t newest = (next_ + kSamples - 1) % kSamples;
  size_t oldest = (next_ + kSamples - count_) % kSamples;
  int64_t span_ms = at_ms_[newest] - at_ms_[oldest];
  if (span_ms <= 0) return 0;
  return static_cast<double>(totals_[newest] - totals_[oldest]) * 1000.0 /
         static_cast<double>(span_ms);
}

void InstantaneousRates::Sample(Engine& engine, int64_t now_ms) {
  uint64_t commands = 0;
  for (uint32_t s = 0; s < engine.num_shards(); ++s) {
    commands += engine.shard(s).commands_processed.load(std::memory_order_relaxed);
  }
  ServerStats& stats = engine.stats();
  double ops = ops_sampler_.Sample(now_ms, commands);
  ops_.store(static_cast<uint64_t>(ops + 0.5), std::memory_order_relaxed);
  input_kbps_.store(input_sampler_.Sample(now_ms, stats.total_net_input_bytes.load()) / 1024.0,
                    std::memory_order_relaxed);
  output_kbps_.store(output_sampler_.Sample(now_ms, stats.total_net_output_bytes.load()) / 1024.0,
                     std::memory_order_relaxed);
}

}  // namespace ember
