// libFuzzer target: AOF loading (src/persistence/aof_loader.*): the input is one AOF file (the
// last of its manifest, so a torn tail is cut, not fatal), read through the loader's moving
// buffer with a small chunk so that commands straddle refills, and its commands replayed into
// an in-process 2-shard engine as a server's start would (transactions as one unit).
#include <sys/mman.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz_engine.h"
#include "keyspace/database.h"
#include "persistence/aof_loader.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static int fd = memfd_create("aof-fuzz", MFD_CLOEXEC);
  static const std::string path = "/proc/self/fd/" + std::to_string(fd);
  if (fd < 0) abort();
  if (ftruncate(fd, 0) != 0 || pwrite(fd, data, size, 0) != static_cast<ssize_t>(size)) abort();
  ember::fuzz::FuzzEngine& engine = ember::fuzz::SharedEngine();
  ember::AofLoadOptions options;
  options.dry_run = true;  // nothing on disk changes: the torn tail is only reported
  options.read_buffer_bytes = 64;
  size_t commands = 0;
  ember::AofLoadCallbacks callbacks;
  callbacks.on_command = [&](ember::AofArgv argv, std::string*) {
    if (++commands <= 256) engine.Run(argv);
    return true;
  };
  callbacks.on_transaction = [&](std::span<const ember::AofArgv> block, std::string*) {
    for (ember::AofArgv argv : block) {
      if (++commands <= 256) engine.Run(argv);
    }
    return true;
  };
  ember::AofLoadResult result;
  std::string error;
  ember::Database::set_loading(true);  // replay, as at start: no memory check, no -LOADING
  bool ok = ember::LoadAofFile(path, /*last_file=*/true, /*base=*/false, options, callbacks,
                               &result, &error);
  ember::Database::set_loading(false);
  if (!ok && error.empty()) abort();
  engine.Reset();
  return 0;
}
