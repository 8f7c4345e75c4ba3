// --bigkeys, --memkeys and --hotkeys: one pass of SCAN, then per-key TYPE and a size (element
// count, MEMORY USAGE) or an access counter (OBJECT FREQ), printed in redis-cli's layout.
#include <algorithm>
#include <cstdio>
#include <map>

#include "cli/keyspace_scan.h"
#include "cli/operator_tools.h"
#include "cli/reply_format.h"

namespace ember::cli {
namespace {

struct TypeStats {
  const char* name;      // "string"
  const char* plural;    // "strings"
  const char* size_cmd;  // "STRLEN"
  const char* unit;      // "bytes"
  unsigned long long count = 0, total = 0, biggest = 0;
  std::string biggest_key;
  bool found = false;
};

// The order redis-cli lists the types in.
std::vector<TypeStats> MakeTypes() {
  return {{"list", "lists", "LLEN", "items"},       {"hash", "hashs", "HLEN", "fields"},
          {"string", "strings", "STRLEN", "bytes"}, {"stream", "streams", "XLEN", "entries"},
          {"set", "sets", "SCARD", "members"},      {"zset", "zsets", "ZCARD", "members"}};
}

std::string Quoted(const std::string& key) {
  std::string out;
  AppendQuoted(out, key);
  return out;
}

long long DbSize(Session& session) {
  Reply reply;
  if (!session.Call({"DBSIZE"}, reply) || reply.type != ReplyType::kInteger) return -1;
  return reply.integer;
}

double Percent(unsigned long long part, unsigned long long whole) {
  return whole == 0 ? 0 : 100.0 * static_cast<double>(part) / static_cast<double>(whole);
}

const char* kSleepNote =
    "average sizes per key type.  You can use -i 0.1 to sleep 0.1 sec\n"
    "# per 100 SCAN commands (not usually needed).\n\n";

}  // namespace

int RunKeySizes(Session& session, bool by_memory) {
  if (!session.Connect()) return 1;
  long long total_keys = DbSize(session);
  if (total_keys < 0) {
    std::fprintf(stderr, "Error: DBSIZE failed\n");
    return 1;
  }
  std::printf("\n# Scanning the entire keyspace to find biggest keys as well as\n# %s", kSleepNote);
  std::vector<TypeStats> types = MakeTypes();
  if (by_memory) {
    for (TypeStats& t : types) t.unit = "bytes";
  }
  unsigned long long sampled = 0, key_bytes = 0;
  Connection& conn = session.connection();
  bool ok = ScanKeyspace(session, [&](const std::vector<Reply>& keys) {
    // Pipeline the TYPEs, then the sizes, of one SCAN batch.
    std::string error;
    for (const Reply& key : keys) conn.Queue({"TYPE", key.str});
    std::vector<TypeStats*> key_types;
    if (!conn.Flush(error)) return false;
    for (size_t i = 0; i < keys.size(); ++i) {
      Reply reply;
      if (!conn.ReadReply(reply, error)) return false;
      TypeStats* found = nullptr;
      for (TypeStats& t : types) {
        if (reply.str == t.name) found = &t;
      }
      key_types.push_back(found);
      if (found == nullptr) continue;
      if (by_memory) {
        std::vector<std::string> args = {"MEMORY", "USAGE", keys[i].str};
        if (session.options().memkeys_samples > 0) {
          args.push_back("SAMPLES");
          args.push_back(std::to_string(session.options().memkeys_samples));
        }
        conn.Queue(args);
      } else {
        conn.Queue({found->size_cmd, keys[i].str});
      }
    }
    if (!conn.Flush(error)) return false;
    double pct = Percent(sampled, static_cast<unsigned long long>(total_keys));
    for (size_t i = 0; i < keys.size(); ++i) {
      TypeStats* t = key_types[i];
      if (t == nullptr) continue;
      Reply reply;
      if (!conn.ReadReply(reply, error)) return false;
      unsigned long long size = reply.type == ReplyType::kInteger ? reply.integer : 0;
      t->count++;
      t->total += size;
      key_bytes += keys[i].str.size();
      if (!t->found || size > t->biggest) {
        t->found = true;
        t->biggest = size;
        t->biggest_key = keys[i].str;
        std::printf("[%05.2f%%] Biggest %-6s found so far '%s' with %llu %s\n", pct, t->name,
                    Quoted(keys[i].str).c_str(), size, t->unit);
      }
    }
    sampled += keys.size();
    return true;
  });
  if (!ok) return 1;
  std::printf("\n-------- summary -------\n\n");
  std::printf("Sampled %llu keys in the keyspace!\n", sampled);
  std::printf("Total key length in bytes is %llu (avg len %.2f)\n\n", key_bytes,
              sampled ? static_cast<double>(key_bytes) / sampled : 0.0);
  for (const TypeStats& t : types) {
    if (!t.found) continue;
    std::printf("Biggest %6s found '%s' has %llu %s\n", t.name, Quoted(t.biggest_key).c_str(),
                t.biggest, t.unit);
  }
  std::printf("\n");
  for (const TypeStats& t : types) {
    std::printf("%llu %s with %llu %s (%05.2f%% of keys, avg size %.2f)\n", t.count, t.plural,
                t.total, t.unit, Percent(t.count, sampled),
                t.count ? static_cast<double>(t.total) / t.count : 0.0);
  }
  return 0;
}

int RunHotKeys(Session& session) {
  if (!session.Connect()) return 1;
  long long total_keys = DbSize(session);
  if (total_keys < 0) {
    std::fprintf(stderr, "Error: DBSIZE failed\n");
    return 1;
  }
  std::printf("\n# Scanning the entire keyspace to find hot keys as well as\n# %s", kSleepNote);
  constexpr size_t kTop = 16;
  std::vector<std::pair<unsigned long long, std::string>> hot(kTop);  // ascending
  unsigned long long sampled = 0;
  Connection& conn = session.connection();
  bool failed = false;
  bool ok = ScanKeyspace(session, [&](const std::vector<Reply>& keys) {
    std::string error;
    for (const Reply& key : keys) conn.Queue({"OBJECT", "FREQ", key.str});
    if (!conn.Flush(error)) return false;
    double pct = Percent(sampled, static_cast<unsigned long long>(total_keys));
    for (const Reply& key : keys) {
      Reply reply;
      if (!conn.ReadReply(reply, error)) return false;
      if (reply.IsError()) {
        std::printf("Error: %s\n", reply.str.c_str());
        failed = true;
        return false;
      }
      unsigned long long freq = reply.integer;
      // A fixed table of the 16 highest counters, smallest first, starting at zeros: a key
      // enters only with a counter above the smallest kept one (as redis-cli).
      if (freq <= hot.front().first) continue;
      size_t at = 0;
      while (at + 1 < kTop && freq > hot[at + 1].first) ++at;
      for (size_t i = 0; i < at; ++i) hot[i] = hot[i + 1];
      hot[at] = {freq, key.str};
      std::printf("[%05.2f%%] Hot key '%s' found so far with counter %llu\n", pct,
                  Quoted(key.str).c_str(), freq);
    }
    sampled += keys.size();
    return true;
  });
  if (!ok || failed) return 1;
  std::printf("\n-------- summary -------\n\n");
  std::printf("Sampled %llu keys in the keyspace!\n", sampled);
  for (auto it = hot.rbegin(); it != hot.rend() && it->first > 0; ++it) {
    std::printf("hot key found with counter: %llu\tkeyname: %s\n", it->first,
                Quoted(it->second).c_str());
  }
  return 0;
}

}  // namespace ember::cli
