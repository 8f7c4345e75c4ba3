// libFuzzer target: Lua script arguments. Fixed scripts (so every run ends) take KEYS and ARGV
// from the input and hand them to what scripts parse: cjson, cmsgpack, struct, bit, tonumber,
// redis.call with the arguments as a command, redis.sha1hex, and the reply conversion back.
// Input: byte 0 picks the script, the rest is split on '\n' into arguments (the first one a key).
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_engine.h"

namespace {

constexpr const char* kScripts[] = {
    "return cjson.encode(cjson.decode(ARGV[1]))",
    "return cmsgpack.pack(cmsgpack.unpack(ARGV[1]))",
    "return {cmsgpack.unpack(ARGV[1])}",
    "return {struct.unpack(ARGV[1], ARGV[2] or '')}",
    "return struct.pack(ARGV[1], tonumber(ARGV[2]) or 0, tonumber(ARGV[3]) or 0)",
    "return bit.tohex(tonumber(ARGV[1]) or 0, tonumber(ARGV[2]) or 8)",
    "return redis.pcall(unpack(ARGV))",
    "return redis.call('set', KEYS[1], ARGV[1] or '') and redis.call('get', KEYS[1])",
    "return redis.sha1hex(ARGV[1] or '')",
    "local n = tonumber(ARGV[1]) return {n, tostring(n), string.format('%.17g', n or 0)}",
    "local t = cjson.decode(ARGV[1]) return t",
    "return redis.status_reply(ARGV[1] or '')",
    "return redis.error_reply(ARGV[1] or '')",
    "return {string.byte(ARGV[1] or '', 1, -1)}",
    "return cmsgpack.unpack_limit(ARGV[1], tonumber(ARGV[2]) or 1)",
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  ember::fuzz::FuzzEngine& engine = ember::fuzz::SharedEngine();
  std::string_view script = kScripts[data[0] % std::size(kScripts)];
  std::string_view rest(reinterpret_cast<const char*>(data) + 1, size - 1);
  std::vector<std::string_view> argv = {"eval", script, "1"};
  argv.push_back("{k}key");
  for (size_t pos = 0; pos <= rest.size() && argv.size() < 20;) {
    size_t end = rest.find('\n', pos);
    if (end == std::string_view::npos) end = rest.size();
    argv.push_back(rest.substr(pos, end - pos));
    pos = end + 1;
  }
  engine.RunScript(argv);
  engine.Reset();
  return 0;
}
