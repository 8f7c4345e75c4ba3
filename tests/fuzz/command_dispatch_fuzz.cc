// libFuzzer target: command dispatch. Each input is up to 64 commands in redis-cli syntax, one
// a line, run through the real command table on an in-process engine with 2 shards: any argv
// may come, and none may crash, trip ASan/UBSan, or build a reply past the output limit.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz_engine.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  ember::fuzz::FuzzEngine& engine = ember::fuzz::SharedEngine();
  engine.RunLines(std::string_view(reinterpret_cast<const char*>(data), size), 64);
  engine.Reset();
  return 0;
}
