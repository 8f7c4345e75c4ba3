// libFuzzer target: DUMP/RESTORE payloads. The input is a type byte and a serialised value, as
// DUMP writes them; the footer (RDB version, CRC-64) is added so that RESTORE reads the value
// rather than stopping at the checksum. A value that loads is then read by the commands of its
// type, dumped, and restored again: a value RESTORE accepted must survive all of them.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_engine.h"
#include "persistence/crc64.h"
#include "persistence/rdb_format.h"

namespace {

std::string WithFooter(std::string_view value) {
  std::string payload(value);
  payload.push_back(static_cast<char>(ember::rdb::kVersion & 0xff));
  payload.push_back(static_cast<char>(ember::rdb::kVersion >> 8));
  uint64_t crc = ember::Crc64(0, payload.data(), payload.size());
  for (int i = 0; i < 8; ++i) payload.push_back(static_cast<char>((crc >> (8 * i)) & 0xff));
  return payload;
}

// Reads every part of a loaded value, whatever its type (the wrong-type ones answer an error).
constexpr std::string_view kReads[] = {"get k",
                                       "strlen k",
                                       "getrange k 0 -1",
                                       "lrange k 0 -1",
                                       "llen k",
                                       "lindex k -1",
                                       "smembers k",
                                       "scard k",
                                       "sismember k a",
                                       "hgetall k",
                                       "hlen k",
                                       "hget k a",
                                       "zrange k 0 -1 withscores",
                                       "zcard k",
                                       "zscore k a",
                                       "zrangebyscore k -inf +inf",
                                       "xrange k - +",
                                       "xlen k",
                                       "xinfo stream k full",
                                       "xinfo groups k",
                                       "object encoding k",
                                       "memory usage k",
                                       "type k",
                                       "pfcount k",
                                       "srandmember k -5",
                                       "hrandfield k -5 withvalues",
                                       "zrandmember k -5",
                                       "lpop k",
                                       "spop k",
                                       "zpopmin k",
                                       "hscan k 0",
                                       "sscan k 0",
                                       "zscan k 0",
                                       "bitcount k",
                                       "rpush k x",
                                       "sadd k x",
                                       "hset k x y",
                                       "zadd k 1 x",
                                       "xadd k * a b",
                                       "pfadd k x",
                                       "append k x",
                                       "rename k k2",
                                       "copy k2 k"};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  ember::fuzz::FuzzEngine& engine = ember::fuzz::SharedEngine();
  std::string payload = WithFooter(std::string_view(reinterpret_cast<const char*>(data), size));
  std::string_view restore[] = {"restore", "k", "0", payload, "replace"};
  if (engine.Run(restore) == "+OK\r\n") {
    for (std::string_view read : kReads) engine.RunLines(read, 1);
    std::string_view dump[] = {"dump", "k"};
    std::string dumped(engine.Run(dump));
    // The reply is a bulk "$<n>\r\n<payload>\r\n" (or a null when the reads emptied the key).
    if (dumped.starts_with("$") && !dumped.starts_with("$-1")) {
      size_t start = dumped.find("\r\n") + 2;
      std::string again = dumped.substr(start, dumped.size() - start - 2);
      std::string_view restore_again[] = {"restore", "k3", "0", again};
      if (engine.Run(restore_again) != "+OK\r\n") abort();
    }
  }
  engine.Reset();
  return 0;
}
