#pragma once
// Hides the cache misses of key lookups in pipelined input. A lookup costs three dependent
// misses (the segment's tags, its record references, the record) and little else, so with
// 16 commands in one read the CPU mostly waits for memory. Before each command runs, the
// prefetcher scans a few commands ahead in the same read (without parsing them for real),
// hashes their first key, and asks for the table lines of the commands up to kSlotsAhead
// ahead and for the record of the next one, whose table lines are in cache by then.
#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace ember {

class Database;
class Engine;

class KeyPrefetcher {
 public:
  // Starts over on a new input buffer (views into it stay valid while it is processed). Only
  // keys that live on shard `home` are prefetched: the others run on their own shard's core.
  void Reset(std::string_view input, const Engine& engine, uint32_t home);
  // Called before the command starting at `pos` runs; `db` is the database its keys live in.
  void Advance(size_t pos, const Database& db);

 private:
  static constexpr size_t kSlotsAhead = 4;
  struct Ahead {
    size_t start = 0;
    uint64_t hash = 0;
    bool local = true;  // the key lives on the home shard
  };
  // Scans the multibulk command at scan_pos_; false at the end, on a partial command, on an
  // inline command or anything unexpected: the prefetcher then just stops helping.
  bool ScanNext(Ahead* out);

  std::string_view input_;
  const Engine* engine_ = nullptr;
  uint32_t home_ = 0;
  size_t scan_pos_ = 0;
  bool scan_done_ = true;
  std::array<Ahead, kSlotsAhead + 1> ring_{};
  size_t head_ = 0, count_ = 0;
};

}  // namespace ember
