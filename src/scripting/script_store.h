#pragma once
// The script cache every thread shares: SHA-1 -> body, plus what routing has learned about the
// script. Each thread compiles a body into its own interpreter the first time it runs it, so a
// SCRIPT LOAD on one thread makes EVALSHA work on all. SCRIPT FLUSH bumps the generation; each
// interpreter then starts afresh before its next script.
#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

namespace ember {

struct StoredScript {
  std::string sha;
  std::string body;
  // It touched a key that is neither in KEYS nor on their shards' hash tag: with several
  // shards it runs with every shard stopped from now on (scripting/README in README.md).
  std::atomic<bool> undeclared_keys{false};
  // It ran once with every shard held (as each script does first), so undeclared_keys says
  // what it does.
  std::atomic<bool> learned{false};
};

class ScriptStore {
 public:
  static ScriptStore& Instance();

  // Adds the body under its SHA-1 (kept when present); returns the entry.
  std::shared_ptr<StoredScript> Add(std::string_view sha, std::string_view body);
  // `sha` in lower or upper case; null when unknown.
  std::shared_ptr<StoredScript> Find(std::string_view sha);
  bool Contains(std::string_view sha) { return Find(sha) != nullptr; }
  void Flush();
  uint64_t generation() const { return generation_.load(std::memory_order_acquire); }
  size_t size();
  size_t body_bytes();

 private:
  std::mutex mutex_;
  std::unordered_map<std::string, std::shared_ptr<StoredScript>> scripts_;
  size_t body_bytes_ = 0;
  std::atomic<uint64_t> generation_{0};
};

// "abc..." in lower case when it is 40 characters (EVALSHA accepts either case).
std::string LowerSha(std::string_view sha);

}  // namespace ember
