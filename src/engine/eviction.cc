#include "engine/eviction.h"

#include <algorithm>
#include <array>
#include <random>
#include <string>

#include "common/memory.h"
#include "engine/engine.h"
#include "keyspace/access_stamp.h"

namespace ember {
namespace {

constexpr std::array<std::pair<std::string_view, EvictionPolicy>, 8> kPolicies = {{
    {"noeviction", EvictionPolicy::kNoEviction},
    {"allkeys-lru", EvictionPolicy::kAllKeysLru},
    {"allkeys-lfu", EvictionPolicy::kAllKeysLfu},
    {"allkeys-random", EvictionPolicy::kAllKeysRandom},
    {"volatile-lru", EvictionPolicy::kVolatileLru},
    {"volatile-lfu", EvictionPolicy::kVolatileLfu},
    {"volatile-random", EvictionPolicy::kVolatileRandom},
    {"volatile-ttl", EvictionPolicy::kVolatileTtl},
}};

// Evictions per command before the write is let through anyway (progress was made), so one
// command never stalls for long; the next writes continue the work.
constexpr int kMaxEvictionsPerWrite = 64;
// Draws per sample slot, for volatile policies where most keys may have no TTL.
constexpr int kDrawsPerSample = 4;
constexpr size_t kPoolSize = 16;

// The process-wide byte count, summed over the thread slots at most once per millisecond per
// thread: checking every write stays cheap, and a millisecond of drift is a few KB.
struct MemoryView {
  int64_t total = 0;
  int64_t summed_at_ms = -1;
};

thread_local MemoryView t_view;

int64_t UsedMemory(int64_t now_ms, bool fresh) {
  if (fresh || now_ms != t_view.summed_at_ms) {
    t_view.total = memory::Used();
    t_view.summed_at_ms = now_ms;
  }
  return t_view.total;
}

bool IsVolatile(EvictionPolicy p) {
  return p == EvictionPolicy::kVolatileLru || p == EvictionPolicy::kVolatileLfu ||
         p == EvictionPolicy::kVolatileRandom || p == EvictionPolicy::kVolatileTtl;
}

// Higher is a better victim.
int64_t VictimScore(EvictionPolicy p, const Record* r, int64_t now_ms) {
  switch (p) {
    case EvictionPolicy::kAllKeysLru:
    case EvictionPolicy::kVolatileLru:
      return IdleMs(r->lru(), now_ms);
    case EvictionPolicy::kAllKeysLfu:
    case EvictionPolicy::kVolatileLfu:
      return 255 - LfuCounter(r->lru(), now_ms);
    case EvictionPolicy::kVolatileTtl:
      return -r->expire_ms();  // the soonest to expire goes first
    default:
      return 0;
  }
}

// Picks a database with a probability proportional to its size.
int PickDatabase(Shard& shard, std::mt19937_64& rng, bool volatile_only) {
  size_t total = 0;
  for (int i = 0; i < kNumDatabases; ++i) {
    total += volatile_only ? shard.db(i).expires() : shard.db(i).size();
  }
  if (total == 0) return -1;
  size_t pick = rng() % total;
  for (int i = 0; i < kNumDatabases; ++i) {
    size_t n = volatile_only ? shard.db(i).expires() : shard.db(i).size();
    if (pick < n) return i;
    pick -= n;
  }
  return -1;
}

bool IsRandom(EvictionPolicy p) {
  return p == EvictionPolicy::kAllKeysRandom || p == EvictionPolicy::kVolatileRandom;
}

// Adds a candidate to the pool, which keeps the kPoolSize best (highest score) once.
void Offer(std::vector<Shard::EvictionCandidate>& pool, int64_t score, int db,
           std::string_view key) {
  for (auto& c : pool) {
    if (c.db == db && c.key == key) {
      c.score = score;
      return;
    }
  }
  if (pool.size() < kPoolSize) {
    pool.push_back({score, db, std::string(key)});
    return;
  }
  auto worst = std::min_element(pool.begin(), pool.end(),
                                [](const auto& a, const auto& b) { return a.score < b.score; });
  if (worst->score < score) *worst = {score, db, std::string(key)};
}

void Evict(Shard& shard, Database& db, Database::Entry& entry) {
  db.Evict(entry);
  ++shard.stats().evicted_keys;
}

// Evicts one key; false when there is nothing the policy may evict.
bool EvictOne(Shard& shard, EvictionPolicy policy, int samples, int64_t now_ms) {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  bool volatile_only = IsVolatile(policy);
  auto& pool = shard.eviction_pool();
  int db_index = PickDatabase(shard, rng, volatile_only);
  if (db_index < 0) {
    pool.clear();
    return false;
  }
  Database& db = shard.db(db_index);
  int taken = 0;
  for (int draw = 0; draw < samples * kDrawsPerSample && taken < samples; ++draw) {
    Record* r = db.Random(rng());
    if (r == nullptr) break;
    if (volatile_only && !r->has_expire()) continue;
    ++taken;
    if (IsRandom(policy)) {
      std::string key(r->key());  // the record dies with the erase
      auto entry = db.Peek(key, now_ms);
      if (entry) Evict(shard, db, entry);
      return true;
    }
    Offer(pool, VictimScore(policy, r, now_ms), db_index, r->key());
  }
  // Take the best candidate that still exists and still deserves it: a key touched since it
  // was pooled goes back in with its new score.
  for (size_t attempt = 0; attempt < 2 * kPoolSize && !pool.empty(); ++attempt) {
    auto best = std::max_element(pool.begin(), pool.end(),
                                 [](const auto& a, const auto& b) { return a.score < b.score; });
    Shard::EvictionCandidate candidate = std::move(*best);
    pool.erase(best);
    Database& cdb = shard.db(candidate.db);
    auto entry = cdb.Peek(candidate.key, now_ms);
    if (!entry) continue;  // gone (deleted, expired) since it was pooled
    if (volatile_only && !entry.record->has_expire()) continue;
    int64_t fresh = VictimScore(policy, entry.record, now_ms);
    if (fresh < candidate.score) {
      Offer(pool, fresh, candidate.db, candidate.key);
      continue;
    }
    Evict(shard, cdb, entry);
    return true;
  }
  return taken > 0 || !pool.empty();
}

}  // namespace

std::optional<EvictionPolicy> ParseEvictionPolicy(std::string_view name) {
  for (const auto& [text, policy] : kPolicies) {
    if (text == name) return policy;
  }
  return std::nullopt;
}

bool IsLfuPolicy(std::string_view name) {
  return name.ends_with("-lfu");
}

bool MakeRoomForWrite(Engine& engine, Shard& shard, int64_t now_ms) {
  const ServerConfig& config = engine.config();
  if (config.maxmemory <= 0) return true;
  if (UsedMemory(now_ms, false) <= config.maxmemory) return true;
  auto policy = ParseEvictionPolicy(config.maxmemory_policy);
  if (!policy || *policy == EvictionPolicy::kNoEviction) return false;
  // Only shards holding at least their share evict: otherwise whichever shard notices first
  // would shrink while the others grow, and each thread's heap would keep the pages it freed.
  shard.PublishBytes();
  int64_t total = 0;
  for (uint32_t s = 0; s < engine.num_shards(); ++s) {
    total += engine.shard(s).published_bytes.load(std::memory_order_relaxed);
  }
  int64_t fair_share = total / static_cast<int64_t>(engine.num_shards());
  if (shard.published_bytes.load(std::memory_order_relaxed) < fair_share - fair_share / 64) {
    return true;
  }
  int samples = static_cast<int>(config.maxmemory_samples);
  for (int i = 0; i < kMaxEvictionsPerWrite; ++i) {
    // Nothing evictable: the write is refused unless this call already freed something.
    if (!EvictOne(shard, *policy, samples, now_ms)) return i > 0;
    if ((i & 7) == 7 && UsedMemory(now_ms, true) <= config.maxmemory) break;
  }
  shard.PublishBytes();
  return true;  // progress was made; the next writes keep evicting
}

}  // namespace ember
