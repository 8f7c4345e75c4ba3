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
  // The queued arguments, end to end in one buffer (kept between transactions: queueing
  // allocates nothing once warm), and where each ends.
  std::string arg_bytes;
  std::vector<uint32_t> arg_ends;
  std::vector<Queued> commands;
  // Shared with the watch tables of the shards the keys live on; null while nothing is watched.
  std::shared_ptr<WatchFlag> watch;
  std::vector<WatchedKey> watched;

  ~TransactionState() { Unwatch(); }

  void Queue(const CommandSpec& spec, std::span<const std::string_view> argv) {
    commands.push_back(
        {&spec, static_cast<uint32_t>(arg_ends.size()), static_cast<uint32_t>(argv.size())});
    for (std::string_view arg : argv) {
      arg_bytes.append(arg);
      arg_ends.push_back(static_cast<uint32_t>(arg_bytes.size()));
    }
  }
  // Ends MULTI (EXEC, DISCARD, RESET): the queue goes; so do the watches.
  void Discard() {
    queue_error = false;
    armed = false;
    arg_bytes.clear();
    arg_ends.clear();
    commands.clear();
    Unwatch();
  }
  // The arguments of queued command `cmd` as views, into `out`.
  void ArgsOf(const Queued& cmd, std::vector<std::string_view>* out) const {
    out->clear();
    for (uint32_t i = cmd.first_arg; i < cmd.first_arg + cmd.num_args; ++i) {
      uint32_t begin = i == 0 ? 0 : arg_ends[i - 1];
      out->emplace_back(arg_bytes.data() + begin, arg_ends[i] - begin);
    }
  }
  void Unwatch() {
    if (watch != nullptr) watch->cancelled.store(true, std::memory_order_relaxed);
    watch.reset();
    watched.clear();
  }
};

}  // namespace ember
