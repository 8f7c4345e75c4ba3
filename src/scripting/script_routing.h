#pragma once
// What the session asks about a script before routing it (engine/session.cc).
#include <span>
#include <string_view>

namespace ember {

// EVAL/EVALSHA[_RO] `args`: whether, with several shards, the script runs with every shard
// held: the first time (which learns whether it touches keys outside its KEYS), and always
// when it does.
bool ScriptRunsOnAllShards(std::span<const std::string_view> args);

}  // namespace ember
