#pragma once
// A client's MULTI/EXEC state: the queued commands and the keys it WATCHes. Lives in its
// ClientState from the first MULTI or WATCH; EXEC runs on whichever thread holds every shard
// the queued commands and watched keys live on (engine/session.cc routes it there).
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "engine/watch_table.h"

namespace ember {

struct CommandSpec;

struct TransactionState {
  struct Queued {
    const CommandSpec* spec;
    uint32_t first_arg, num_args;
  };
  struct WatchedKey {
    int db;
    std::string key;
  };

  bool queue_error = false;  // a command was refused while queueing: EXEC answers EXECABORT
  bool armed = false;        // EXEC was routed for this queue (MULTI has ended)
  std::vector<std::string> args;
  std::vector<Queued> commands;
  // Shared with the watch tables of the shards the keys live on; null while nothing is watched.
  std::shared_ptr<WatchFlag> watch;
  std::vector<WatchedKey> watched;

  ~TransactionState() { Unwatch(); }

  void Queue(const CommandSpec& spec, std::span<const std::string_view> argv) {
    commands.push_back(
        {&spec, static_cast<uint32_t>(args.size()), static_cast<uint32_t>(argv.size())});
    args.insert(args.end(), argv.begin(), argv.end());
  }
  // Ends MULTI (EXEC, DISCARD, RESET): the queue goes; so do the watches.
  void Discard() {
    queue_error = false;
    armed = false;
    args.clear();
    commands.clear();
    Unwatch();
  }
  void Unwatch() {
    if (watch != nullptr) watch->cancelled.store(true, std::memory_order_relaxed);
    watch.reset();
    watched.clear();
  }
};

}  // namespace ember
