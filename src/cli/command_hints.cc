// Argument hints for servers whose COMMAND DOCS carries no "arguments" (ember's today): the
// common commands' syntax, written for ember-cli.
#include <cstring>
#include <string>

#include "cli/command_catalog.h"

namespace ember::cli {
namespace {

struct HintEntry {
  const char* name;
  const char* arguments;
};

constexpr HintEntry kHints[] = {
    {"append", "key value"},
    {"auth", "[username] password"},
    {"bgsave", "[SCHEDULE]"},
    {"blpop", "key [key ...] timeout"},
    {"brpop", "key [key ...] timeout"},
    {"client kill", "ip:port|ID id|ADDR ip:port|USER username|SKIPME yes/no"},
    {"client setname", "connection-name"},
    {"config get", "parameter [parameter ...]"},
    {"config set", "parameter value [parameter value ...]"},
    {"copy", "source destination [DB destination-db] [REPLACE]"},
    {"dbsize", ""},
    {"decr", "key"},
    {"decrby", "key decrement"},
    {"del", "key [key ...]"},
    {"echo", "message"},
    {"exists", "key [key ...]"},
    {"expire", "key seconds [NX|XX|GT|LT]"},
    {"expireat", "key unix-time-seconds [NX|XX|GT|LT]"},
    {"flushall", "[ASYNC|SYNC]"},
    {"flushdb", "[ASYNC|SYNC]"},
    {"get", "key"},
    {"getdel", "key"},
    {"getex",
     "key [EX seconds|PX milliseconds|EXAT unix-time-seconds|PXAT unix-time-milliseconds|PERSIST]"},
    {"getrange", "key start end"},
    {"getset", "key value"},
    {"hdel", "key field [field ...]"},
    {"hello", "[protover [AUTH username password] [SETNAME clientname]]"},
    {"hexists", "key field"},
    {"hget", "key field"},
    {"hgetall", "key"},
    {"hincrby", "key field increment"},
    {"hincrbyfloat", "key field increment"},
    {"hkeys", "key"},
    {"hlen", "key"},
    {"hmget", "key field [field ...]"},
    {"hmset", "key field value [field value ...]"},
    {"hscan", "key cursor [MATCH pattern] [COUNT count]"},
    {"hset", "key field value [field value ...]"},
    {"hsetnx", "key field value"},
    {"hvals", "key"},
    {"incr", "key"},
    {"incrby", "key increment"},
    {"incrbyfloat", "key increment"},
    {"info", "[section [section ...]]"},
    {"keys", "pattern"},
    {"lindex", "key index"},
    {"linsert", "key BEFORE|AFTER pivot element"},
    {"llen", "key"},
    {"lmove", "source destination LEFT|RIGHT LEFT|RIGHT"},
    {"lpop", "key [count]"},
    {"lpos", "key element [RANK rank] [COUNT num-matches] [MAXLEN len]"},
    {"lpush", "key element [element ...]"},
    {"lrange", "key start stop"},
    {"lrem", "key count element"},
    {"lset", "key index element"},
    {"ltrim", "key start stop"},
    {"mget", "key [key ...]"},
    {"mset", "key value [key value ...]"},
    {"msetnx", "key value [key value ...]"},
    {"object encoding", "key"},
    {"object freq", "key"},
    {"persist", "key"},
    {"pexpire", "key milliseconds [NX|XX|GT|LT]"},
    {"ping", "[message]"},
    {"psubscribe", "pattern [pattern ...]"},
    {"pttl", "key"},
    {"publish", "channel message"},
    {"rename", "key newkey"},
    {"renamenx", "key newkey"},
    {"rpop", "key [count]"},
    {"rpush", "key element [element ...]"},
    {"sadd", "key member [member ...]"},
    {"scan", "cursor [MATCH pattern] [COUNT count] [TYPE type]"},
    {"scard", "key"},
    {"sdiff", "key [key ...]"},
    {"select", "index"},
    {"set",
     "key value [NX|XX] [GET] [EX seconds|PX milliseconds|EXAT unix-time-seconds|PXAT "
     "unix-time-milliseconds|KEEPTTL]"},
    {"setex", "key seconds value"},
    {"setnx", "key value"},
    {"sinter", "key [key ...]"},
    {"sismember", "key member"},
    {"smembers", "key"},
    {"smove", "source destination member"},
    {"spop", "key [count]"},
    {"srandmember", "key [count]"},
    {"srem", "key member [member ...]"},
    {"sscan", "key cursor [MATCH pattern] [COUNT count]"},
    {"strlen", "key"},
    {"subscribe", "channel [channel ...]"},
    {"sunion", "key [key ...]"},
    {"ttl", "key"},
    {"type", "key"},
    {"unlink", "key [key ...]"},
    {"unsubscribe", "[channel [channel ...]]"},
    {"watch", "key [key ...]"},
    {"zadd", "key [NX|XX] [GT|LT] [CH] [INCR] score member [score member ...]"},
    {"zcard", "key"},
    {"zcount", "key min max"},
    {"zincrby", "key increment member"},
    {"zrange", "key start stop [BYSCORE|BYLEX] [REV] [LIMIT offset count] [WITHSCORES]"},
    {"zrank", "key member"},
    {"zrem", "key member [member ...]"},
    {"zrevrange", "key start stop [WITHSCORES]"},
    {"zscan", "key cursor [MATCH pattern] [COUNT count]"},
    {"zscore", "key member"},
};

}  // namespace

const char* BuiltinArgumentHint(const std::string& lower_name) {
  for (const HintEntry& entry : kHints) {
    if (lower_name == entry.name) return entry.arguments;
  }
  return nullptr;
}

}  // namespace ember::cli
