#include "engine/command_stats.h"

#include <unistd.h>

#include <atomic>
#include <bit>
#include <cmath>
#include <memory>
#include <mutex>
#include <unordered_map>

#include "common/cycle_clock.h"
#include "engine/slow_command_watch.h"

namespace ember {
namespace {

constexpr size_t kMaxCommands = 512;     // top-level commands: ids [0, 512)
constexpr size_t kMaxSubcommands = 256;  // "container|sub": ids [512, 768)
constexpr size_t kSlots = kMaxCommands + kMaxSubcommands;

struct Histogram {
  std::atomic<uint64_t> counts[LatencyBuckets::kCount] = {};
};

struct Slot {
  std::atomic<uint64_t> calls{0};
  std::atomic<uint64_t> timed_calls{0};
  std::atomic<uint64_t> timed_ticks{0};
  std::atomic<uint64_t> failed{0};
  std::atomic<uint64_t> rejected{0};
  // Allocated the first time this thread times this command, never per call.
  std::atomic<Histogram*> histogram{nullptr};
};

struct ThreadTable {
  Slot slots[kSlots];
  uint32_t calls = 0;  // picks the calls to time; only this thread touches it
  pid_t tid = gettid();
};

constexpr uint64_t kAlwaysTimed = 16;   // a command's first calls on a thread
constexpr uint32_t kSamplePeriod = 16;  // then one call in this many

std::mutex g_registry_mutex;
std::vector<ThreadTable*>& Registry() {
  static auto* tables = new std::vector<ThreadTable*>;  // outlive their threads: counts stay
  return *tables;
}

thread_local ThreadTable* t_table = nullptr;

[[gnu::noinline]] void RegisterThisThread() {
  t_table = new ThreadTable;
  std::lock_guard lock(g_registry_mutex);
  Registry().push_back(t_table);
}

inline ThreadTable& ThisThread() {
  if (t_table == nullptr) [[unlikely]]
    RegisterThisThread();
  return *t_table;
}

// Only the owning thread adds, so a load and a store do (no locked instruction).
void Add(std::atomic<uint64_t>& counter, uint64_t n) {
  counter.store(counter.load(std::memory_order_relaxed) + n, std::memory_order_relaxed);
}

// Subcommand names get ids once; CONFIG, CLIENT ... are not hot, so a mutex is fine here.
std::mutex g_sub_mutex;
std::unordered_map<std::string, size_t>& SubIds() {
  static auto* ids = new std::unordered_map<std::string, size_t>;
  return *ids;
}
std::vector<std::string>& SubNames() {
  static auto* names = new std::vector<std::string>;
  return *names;
}

[[gnu::noinline]] size_t SubcommandSlot(std::string name) {
  std::lock_guard lock(g_sub_mutex);
  auto it = SubIds().find(name);
  if (it != SubIds().end()) return it->second;
  if (SubNames().size() >= kMaxSubcommands) return kSlots;
  size_t id = kMaxCommands + SubNames().size();
  SubNames().push_back(name);
  SubIds().emplace(std::move(name), id);
  return id;
}

// A subcommand the table does not know runs as its parent: it is named by its argument.
[[gnu::noinline]] size_t UnknownSubcommandSlot(const CommandSpec& spec,
                                               std::span<const std::string_view> args) {
  std::string name = spec.name + "|";
  for (char c : args[1].substr(0, 32)) {
    name.push_back(c >= 'A' && c <= 'Z' ? static_cast<char>(c + ('a' - 'A')) : c);
  }
  return SubcommandSlot(std::move(name));
}

// kSlots when the command has no slot (a table past the limit, or too many subcommand names).
inline size_t SlotOf(const CommandSpec& spec, std::span<const std::string_view> args) {
  if (spec.is_subcommand) [[unlikely]]
    return SubcommandSlot(spec.name);
  if (spec.has_subcommands && args.size() >= 2) [[unlikely]]
    return UnknownSubcommandSlot(spec, args);
  return spec.id < kMaxCommands ? spec.id : kSlots;
}

}  // namespace

size_t LatencyBuckets::Index(uint64_t ticks) {
  constexpr uint64_t kSub = 1u << kSubBits;
  if (ticks < kSub) return static_cast<size_t>(ticks);
  constexpr uint64_t kCap = (uint64_t{1} << (kMaxExponent + 1)) - 1;
  if (ticks > kCap) ticks = kCap;
  int exponent = std::bit_width(ticks) - 1;  // >= kSubBits
  uint64_t sub = (ticks >> (exponent - kSubBits)) - kSub;
  return static_cast<size_t>((exponent - kSubBits + 1) * kSub + sub);
}

uint64_t LatencyBuckets::UpperBound(size_t index) {
  constexpr size_t kSub = 1u << kSubBits;
  if (index < kSub) return index;
  int exponent = static_cast<int>(index / kSub) + kSubBits - 1;
  uint64_t sub = index % kSub;
  uint64_t width = uint64_t{1} << (exponent - kSubBits);
  return ((kSub + sub) << (exponent - kSubBits)) + width - 1;
}

uint64_t LatencyBuckets::ValueAtPercentile(const std::vector<uint64_t>& counts, double percentile) {
  uint64_t total = 0;
  for (uint64_t n : counts) total += n;
  if (total == 0) return 0;
  double p = std::min(std::max(percentile, 0.0), 100.0);
  auto rank = static_cast<uint64_t>(p / 100.0 * static_cast<double>(total) + 0.5);
  if (rank < 1) rank = 1;
  uint64_t seen = 0;
  for (size_t i = 0; i < counts.size(); ++i) {
    seen += counts[i];
    if (seen >= rank) return UpperBound(i);
  }
  return UpperBound(counts.size() - 1);
}

CommandCall StartCommandCall(const CommandSpec& spec, std::span<const std::string_view> args) {
  size_t id = SlotOf(spec, args);
  if (id >= kSlots) [[unlikely]]
    return {};
  ThreadTable& table = ThisThread();
  Slot& slot = table.slots[id];
  bool sampled = ++table.calls % kSamplePeriod == 0 ||
                 slot.calls.load(std::memory_order_relaxed) < kAlwaysTimed;
  bool timed = sampled || SlowCommandTicks() != kNoSlowCommandWatch;
  return {&slot, timed ? CycleNow() | 1 : 0, sampled};  // | 1: never 0, costs a tick at most
}

uint64_t FinishCommandCall(const CommandCall& call, bool failed, bool track_latency) {
  if (call.slot == nullptr) return 0;
  Slot& slot = *static_cast<Slot*>(call.slot);
  Add(slot.calls, 1);
  if (failed) Add(slot.failed, 1);
  if (call.start == 0) return 0;
  uint64_t ticks = CycleNow() - call.start;
  if (!call.sampled) return ticks;
  Add(slot.timed_calls, 1);
  Add(slot.timed_ticks, ticks);
  if (!track_latency) return ticks;
  Histogram* histogram = slot.histogram.load(std::memory_order_relaxed);
  if (histogram == nullptr) [[unlikely]] {
    histogram = new Histogram;
    slot.histogram.store(histogram, std::memory_order_release);
  }
  Add(histogram->counts[LatencyBuckets::Index(ticks)], 1);
  return ticks;
}

void RecordRejectedCall(std::span<const std::string_view> args) {
  if (args.empty()) return;
  const CommandSpec* spec = CommandTable::Instance().Find(args[0]);
  if (spec == nullptr) return;
  size_t id = SlotOf(*spec, args);
  if (id < kSlots) Add(ThisThread().slots[id].rejected, 1);
}

std::vector<CommandStatsRow> SnapshotCommandStats() {
  std::vector<std::string> names(kSlots);
  for (const CommandSpec* spec : CommandTable::Instance().All()) {
    if (spec->id < kMaxCommands) names[spec->id] = spec->name;
  }
  {
    std::lock_guard lock(g_sub_mutex);
    for (size_t i = 0; i < SubNames().size(); ++i) names[kMaxCommands + i] = SubNames()[i];
  }
  std::vector<CommandStatsRow> rows;
  std::lock_guard lock(g_registry_mutex);
  for (size_t id = 0; id < kSlots; ++id) {
    if (names[id].empty()) continue;
    CommandStatsRow row;
    row.name = names[id];
    uint64_t timed_calls = 0, timed_ticks = 0;
    for (ThreadTable* table : Registry()) {
      const Slot& slot = table->slots[id];
      row.calls += slot.calls.load(std::memory_order_relaxed);
      timed_calls += slot.timed_calls.load(std::memory_order_relaxed);
      timed_ticks += slot.timed_ticks.load(std::memory_order_relaxed);
      row.failed += slot.failed.load(std::memory_order_relaxed);
      row.rejected += slot.rejected.load(std::memory_order_relaxed);
      const Histogram* histogram = slot.histogram.load(std::memory_order_acquire);
      if (histogram == nullptr) continue;
      if (row.latency.empty()) row.latency.assign(LatencyBuckets::kCount, 0);
      for (size_t b = 0; b < LatencyBuckets::kCount; ++b) {
        row.latency[b] += histogram->counts[b].load(std::memory_order_relaxed);
      }
    }
    if (timed_calls > 0) {
      row.ticks =
          static_cast<uint64_t>(static_cast<double>(timed_ticks) * static_cast<double>(row.calls) /
                                static_cast<double>(timed_calls));
    }
    bool timed = false;  // histograms stay allocated across a reset, and while tracking is off
    for (uint64_t n : row.latency) timed = timed || n > 0;
    if (!timed) row.latency.clear();
    if (row.calls + row.failed + row.rejected > 0) rows.push_back(std::move(row));
  }
  return rows;
}

std::vector<pid_t> CommandThreadIds() {
  std::vector<pid_t> tids;
  std::lock_guard lock(g_registry_mutex);
  for (const ThreadTable* table : Registry()) tids.push_back(table->tid);
  return tids;
}

void ResetCommandStats() {
  std::lock_guard lock(g_registry_mutex);
  for (ThreadTable* table : Registry()) {
    for (Slot& slot : table->slots) {
      slot.calls.store(0, std::memory_order_relaxed);
      slot.timed_calls.store(0, std::memory_order_relaxed);
      slot.timed_ticks.store(0, std::memory_order_relaxed);
      slot.failed.store(0, std::memory_order_relaxed);
      slot.rejected.store(0, std::memory_order_relaxed);
      Histogram* histogram = slot.histogram.load(std::memory_order_acquire);
      if (histogram == nullptr) continue;
      for (auto& count : histogram->counts) count.store(0, std::memory_order_relaxed);
    }
  }
}

}  // namespace ember
