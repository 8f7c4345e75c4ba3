// Request latencies in 1 µs buckets up to 1 s (one overflow bucket above), as redis-benchmark
// reports them: milliseconds, per request, from the write of its batch to its reply.
#pragma once

#include <algorithm>
#include <cstdint>
#include <vector>

class LatencyHistogram {
 public:
  LatencyHistogram() : buckets_(kBuckets + 1, 0) {}

  void Add(uint64_t micros) {
    ++buckets_[std::min<uint64_t>(micros, kBuckets)];
    ++count_;
    sum_ += micros;
    max_ = std::max(max_, micros);
  }

  void Merge(const LatencyHistogram& other) {
    for (size_t i = 0; i < buckets_.size(); ++i) buckets_[i] += other.buckets_[i];
    count_ += other.count_;
    sum_ += other.sum_;
    max_ = std::max(max_, other.max_);
  }

  uint64_t count() const { return count_; }

  // Requests answered within `micros` (inclusive).
  uint64_t CountAtMost(uint64_t micros) const {
    uint64_t seen = 0;
    for (size_t i = 0; i <= std::min<uint64_t>(micros, kBuckets); ++i) seen += buckets_[i];
    return seen;
  }

  double MeanMs() const { return count_ ? static_cast<double>(sum_) / count_ / 1000.0 : 0; }

  // percent in [0, 100]; 0 gives the minimum and 100 the maximum.
  double PercentileMs(double percent) const {
    if (count_ == 0) return 0;
    if (percent >= 100) return static_cast<double>(max_) / 1000.0;
    uint64_t rank = static_cast<uint64_t>(percent / 100.0 * static_cast<double>(count_));
    uint64_t seen = 0;
    for (size_t i = 0; i < buckets_.size(); ++i) {
      seen += buckets_[i];
      if (seen > rank) return static_cast<double>(i) / 1000.0;
    }
    return static_cast<double>(max_) / 1000.0;
  }

 private:
  static constexpr uint64_t kBuckets = 1000000;
  std::vector<uint64_t> buckets_;
  uint64_t count_ = 0, sum_ = 0, max_ = 0;
};
