#include "engine/client_memory.h"

#include <algorithm>
#include <mutex>
#include <utility>
#include <vector>

#include "engine/engine.h"

namespace ember {

ClientMemory::ClientMemory(uint32_t workers)
    : slots_(std::make_unique<Slot[]>(workers)), workers_(workers) {}

void ClientMemory::Tick(uint32_t w, int64_t now_ms) {
  Slot& slot = slots_[w];
  int64_t second = now_ms / 1000;
  if (second == slot.second) return;
  // Seconds with no tick (an idle loop sleeps up to 1/hz) leave stale slots: clear each one
  // passed over, up to the whole window.
  int64_t steps = std::min<int64_t>(second - slot.second, kPeakSeconds);
  if (slot.second == 0) steps = kPeakSeconds;
  for (int64_t i = 0; i < steps; ++i) {
    slot.index = (slot.index + 1) % kPeakSeconds;
    slot.input[slot.index].store(0, std::memory_order_relaxed);
    slot.output[slot.index].store(0, std::memory_order_relaxed);
  }
  slot.second = second;
}

int64_t ClientMemory::Total() const {
  int64_t total = 0;
  for (uint32_t w = 0; w < workers_; ++w) total += slots_[w].bytes.load(std::memory_order_relaxed);
  return std::max<int64_t>(total, 0);
}

uint64_t ClientMemory::RecentMax(std::atomic<uint64_t> (Slot::*peaks)[kPeakSeconds]) const {
  uint64_t most = 0;
  for (uint32_t w = 0; w < workers_; ++w) {
    for (const auto& peak : slots_[w].*peaks)
      most = std::max(most, peak.load(std::memory_order_relaxed));
  }
  return most;
}

size_t EvictClients(Engine& engine, int64_t limit) {
  static std::mutex one_pass;
  std::unique_lock pass(one_pass, std::try_to_lock);
  if (!pass.owns_lock()) return 0;  // another thread is at it
  size_t closed = 0;
  std::vector<std::pair<uint64_t, ClientState*>> candidates;
  uint64_t total = 0;
  // Under the registry's lock throughout: no client can go away while it is looked at.
  engine.clients().WithAll([&](const auto& clients) {
    for (const auto& [id, client] : clients) {
      // Clients already being closed hold their memory only until their thread frees it.
      if (client->kill_requested.load(std::memory_order_relaxed)) continue;
      uint64_t bytes = client->tot_mem.load(std::memory_order_relaxed);
      total += bytes;
      if (!client->no_evict) candidates.emplace_back(bytes, client);
    }
    if (total <= static_cast<uint64_t>(limit)) return;
    std::sort(candidates.begin(), candidates.end(),
              [](const auto& a, const auto& b) { return a.first > b.first; });
    for (auto [bytes, client] : candidates) {
      if (total <= static_cast<uint64_t>(limit)) break;
      if (!engine.KillClient(*client)) continue;
      engine.stats().evicted_clients.fetch_add(1, std::memory_order_relaxed);
      total -= bytes;
      ++closed;
    }
  });
  return closed;
}

}  // namespace ember
