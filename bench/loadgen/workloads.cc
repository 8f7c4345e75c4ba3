#include "workloads.h"

#include <initializer_list>

std::string EncodeCommand(const std::vector<std::string>& args) {
  std::string out = "*" + std::to_string(args.size()) + "\r\n";
  for (const std::string& a : args) {
    out += "$" + std::to_string(a.size()) + "\r\n";
    out += a;
    out += "\r\n";
  }
  return out;
}

void WriteRandDigits(char* at, uint64_t value) {
  for (size_t i = kRandPlaceholder.size(); i-- > 0;) {
    at[i] = static_cast<char>('0' + value % 10);
    value /= 10;
  }
}

bool AppendWorkload(std::string_view name, int data_size, bool random_keys,
                    std::vector<Workload>& out) {
  const std::string data(static_cast<size_t>(data_size), 'x');
  const std::string rnd(kRandPlaceholder);
  auto add = [&](std::string title, std::initializer_list<std::string> args) {
    out.push_back({std::move(title), EncodeCommand(std::vector<std::string>(args))});
  };
  if (name == "ping_inline" || name == "ping") {
    out.push_back({"PING_INLINE", "PING\r\n"});
    if (name == "ping") add("PING_MBULK", {"PING"});
  } else if (name == "ping_mbulk") {
    add("PING_MBULK", {"PING"});
  } else if (name == "set") {
    add("SET", {"SET", "key:" + rnd, data});
  } else if (name == "get") {
    add("GET", {"GET", "key:" + rnd});
  } else if (name == "incr") {
    add("INCR", {"INCR", "counter:" + rnd});
  } else if (name == "lpush") {
    add("LPUSH", {"LPUSH", "mylist", data});
  } else if (name == "rpush") {
    add("RPUSH", {"RPUSH", "mylist", data});
  } else if (name == "lpop") {
    add("LPOP", {"LPOP", "mylist"});
  } else if (name == "rpop") {
    add("RPOP", {"RPOP", "mylist"});
  } else if (name == "sadd") {
    add("SADD", {"SADD", "myset", "element:" + rnd});
  } else if (name == "hset") {
    add("HSET", {"HSET", "myhash", "element:" + rnd, data});
  } else if (name == "hincrby") {  // not in redis-benchmark: one counter field per random key
    add("HINCRBY", {"HINCRBY", "myhash", "counter:" + rnd, "1"});
  } else if (name == "spop") {
    add("SPOP", {"SPOP", "myset"});
  } else if (name == "zadd") {
    add("ZADD", {"ZADD", "myzset", random_keys ? rnd : "0", "element:" + rnd});
  } else if (name == "zpopmin") {
    add("ZPOPMIN", {"ZPOPMIN", "myzset"});
  } else if (name == "lrange_100" || name == "lrange_300" || name == "lrange_500" ||
             name == "lrange_600" || name == "lrange") {
    std::string count = name == "lrange" ? "100" : std::string(name.substr(7));
    add("LPUSH (needed to benchmark LRANGE)", {"LPUSH", "mylist", data});
    add("LRANGE_" + count + " (first " + count + " elements)",
        {"LRANGE", "mylist", "0", std::to_string(std::stoi(count) - 1)});
  } else if (name == "mset") {
    std::vector<std::string> args{"MSET"};
    for (int i = 0; i < 10; ++i) {
      args.push_back("key:" + rnd);
      args.push_back(data);
    }
    out.push_back({"MSET (10 keys)", EncodeCommand(args)});
  } else if (name == "multi_set3") {  // not in redis-benchmark: a transaction of three SETs
    std::string request = EncodeCommand({"MULTI"});
    for (int i = 0; i < 3; ++i) request += EncodeCommand({"SET", "key:" + rnd, data});
    request += EncodeCommand({"EXEC"});
    out.push_back({"MULTI/EXEC (3 SETs)", request, 5});
  } else {
    return false;
  }
  return true;
}
