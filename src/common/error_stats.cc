#include "common/error_stats.h"

#include <algorithm>
#include <atomic>
#include <cstring>
#include <map>
#include <mutex>

namespace ember {
namespace {

// Redis stops tracking new prefixes past 128 as well: a client inventing error codes (a Lua
// script's error_reply) must not grow the table without bound.
constexpr size_t kMaxPrefixes = 128;
constexpr size_t kMaxPrefixLen = 32;

struct ThreadErrors {
  struct Entry {
    char prefix[kMaxPrefixLen];
    size_t len = 0;
    std::atomic<uint64_t> count{0};
  };
  Entry entries[kMaxPrefixes];
  std::atomic<size_t> used{0};  // entries[0, used) are filled in; only the owner appends
  std::atomic<uint64_t> total{0};
};

std::mutex g_registry_mutex;
std::vector<ThreadErrors*>& Registry() {
  static auto* tables = new std::vector<ThreadErrors*>;  // threads' tables outlive the threads
  return *tables;
}

thread_local ThreadErrors* t_errors = nullptr;

ThreadErrors& ThisThread() {
  if (t_errors == nullptr) {
    t_errors = new ThreadErrors;
    std::lock_guard lock(g_registry_mutex);
    Registry().push_back(t_errors);
  }
  return *t_errors;
}

void Bump(std::atomic<uint64_t>& counter) {
  counter.store(counter.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
}

}  // namespace

void CountErrorReply(std::string_view msg) {
  // As Redis: the text before the first space (looked for in the first 32 bytes), else "ERR".
  std::string_view prefix = "ERR";
  size_t space = msg.substr(0, kMaxPrefixLen).find(' ');
  if (space != std::string_view::npos && space > 0) prefix = msg.substr(0, space);
  ThreadErrors& t = ThisThread();
  Bump(t.total);
  size_t used = t.used.load(std::memory_order_relaxed);
  for (size_t i = 0; i < used; ++i) {
    ThreadErrors::Entry& e = t.entries[i];
    if (std::string_view(e.prefix, e.len) == prefix) return Bump(e.count);
  }
  if (used == kMaxPrefixes) return;
  ThreadErrors::Entry& e = t.entries[used];
  std::memcpy(e.prefix, prefix.data(), prefix.size());
  e.len = prefix.size();
  e.count.store(1, std::memory_order_relaxed);
  t.used.store(used + 1, std::memory_order_release);  // readers see the name before the entry
}

std::vector<ErrorCount> SnapshotErrorCounts(uint64_t* total) {
  std::map<std::string, uint64_t, std::less<>> merged;
  *total = 0;
  std::lock_guard lock(g_registry_mutex);
  for (ThreadErrors* t : Registry()) {
    *total += t->total.load(std::memory_order_relaxed);
    size_t used = t->used.load(std::memory_order_acquire);
    for (size_t i = 0; i < used; ++i) {
      uint64_t n = t->entries[i].count.load(std::memory_order_relaxed);
      if (n > 0) merged[std::string(t->entries[i].prefix, t->entries[i].len)] += n;
    }
  }
  std::vector<ErrorCount> out;
  for (auto& [prefix, count] : merged) out.push_back({prefix, count});
  return out;
}

void ResetErrorCounts() {
  // Names stay (their owner thread appends without a lock); zero counts are not reported.
  std::lock_guard lock(g_registry_mutex);
  for (ThreadErrors* t : Registry()) {
    t->total.store(0, std::memory_order_relaxed);
    size_t used = t->used.load(std::memory_order_acquire);
    for (size_t i = 0; i < used; ++i) t->entries[i].count.store(0, std::memory_order_relaxed);
  }
}

}  // namespace ember
