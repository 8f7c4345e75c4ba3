#pragma once
// Runs a function with every shard held, from outside any client (save points, auto AOF
// rewrites): like a multi-shard step of an all-shards command, the last shard thread to arrive
// runs it while the others wait, so it sees one instant of the whole keyspace.
#include <functional>

namespace ember {

class Engine;

// Posts the work and returns at once; `fn` runs later on one shard thread.
void RunOnAllShards(Engine& engine, std::function<void()> fn);

}  // namespace ember
