#pragma once
// What clients' buffers hold, for maxmemory-clients and INFO: each worker thread sums its own
// connections into its own slot (no shared counter on the hot path), readers add the slots up.
// Also the recent peaks of one client's input and output (Redis's client_recent_max_*: the
// largest seen in the last 8 seconds, one slot per second).
#include <atomic>
#include <cstdint>
#include <memory>

namespace ember {

class Engine;

class ClientMemory {
 public:
  explicit ClientMemory(uint32_t workers);

  // On worker `w`'s thread: one of its connections' buffers grew (or shrank) by `delta` bytes.
  void Add(uint32_t w, int64_t delta) {
    Slot& slot = slots_[w];
    slot.bytes.store(slot.bytes.load(std::memory_order_relaxed) + delta, std::memory_order_relaxed);
  }
  // On worker `w`'s thread: a connection holds `input` unprocessed bytes and `output` unsent.
  void NotePeaks(uint32_t w, uint64_t input, uint64_t output) {
    Slot& slot = slots_[w];
    RaiseTo(slot.input[slot.index], input);
    RaiseTo(slot.output[slot.index], output);
  }
  // On worker `w`'s thread, from its timer: a new second starts a fresh peak slot.
  void Tick(uint32_t w, int64_t now_ms);

  int64_t Total() const;  // every worker's connections
  uint64_t RecentMaxInput() const { return RecentMax(&Slot::input); }
  uint64_t RecentMaxOutput() const { return RecentMax(&Slot::output); }

 private:
  static constexpr unsigned kPeakSeconds = 8;
  struct alignas(64) Slot {
    std::atomic<int64_t> bytes{0};
    std::atomic<uint64_t> input[kPeakSeconds] = {};
    std::atomic<uint64_t> output[kPeakSeconds] = {};
    unsigned index = 0;  // the current second's entry (owner thread only)
    int64_t second = 0;  // which second that is
  };
  static void RaiseTo(std::atomic<uint64_t>& peak, uint64_t value) {
    if (value > peak.load(std::memory_order_relaxed)) peak.store(value, std::memory_order_relaxed);
  }
  uint64_t RecentMax(std::atomic<uint64_t> (Slot::*peaks)[kPeakSeconds]) const;

  std::unique_ptr<Slot[]> slots_;
  uint32_t workers_;
};

// maxmemory-clients: while all clients together hold more than `limit` bytes, closes the ones
// holding the most, biggest first (as Redis 7 does), never a CLIENT NO-EVICT one. Any thread;
// one eviction pass at a time. Returns how many clients it closed.
size_t EvictClients(Engine& engine, int64_t limit);

}  // namespace ember
