#pragma once
// Holds every shard from a thread that runs none (the main thread loading the data set while
// the workers already answer -LOADING): Acquire parks each shard thread in a task of its
// mailbox, like a multi-shard step, and returns once all are parked; until Release the caller
// may read and change any shard. Between a Release and the next Acquire the workers run their
// event loops, so clients get answers while a big file loads.
#include <atomic>
#include <cstdint>
#include <memory>

namespace ember {

class Engine;

class ShardHold {
 public:
  explicit ShardHold(Engine& engine) : engine_(engine) {}
  ~ShardHold() { Release(); }
  ShardHold(const ShardHold&) = delete;
  ShardHold& operator=(const ShardHold&) = delete;

  void Acquire();  // blocks until every shard thread is parked; no-op when held
  void Release();  // lets them go; no-op when not held
  bool held() const { return state_ != nullptr; }

  struct State {
    std::atomic<uint32_t> arrived{0};
    std::atomic<uint32_t> released{0};
  };

 private:
  Engine& engine_;
  std::shared_ptr<State> state_;
};

}  // namespace ember
