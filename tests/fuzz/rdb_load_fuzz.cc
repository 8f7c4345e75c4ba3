// libFuzzer target: RDB loading (src/persistence/rdb_*): the input is an RDB file (a memfd, so
// the reader's buffered fd path is the one a server's start uses). Every key the reader hands
// over is checked (its key readable) and freed; a malformed file must end in an error, never in
// a crash or a sanitizer report.
#include <sys/mman.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <string>

#include "keyspace/record.h"
#include "persistence/rdb_reader.h"
#include "server/config.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static int fd = memfd_create("rdb-fuzz", MFD_CLOEXEC);
  if (fd < 0) abort();
  if (ftruncate(fd, 0) != 0 || pwrite(fd, data, size, 0) != static_cast<ssize_t>(size) ||
      lseek(fd, 0, SEEK_SET) != 0)
    abort();
  static const ember::ServerConfig config;
  uint64_t key_bytes = 0;
  auto on_key = [&](ember::RdbKey& key) {
    key_bytes += key.record->key().size();
    ember::Record::Free(key.record);
    return true;
  };
  ember::RdbLoadStats stats;
  std::string error;
  bool ok = ember::LoadRdb(fd, config, 1700000000000, on_key, &stats, &error);
  if (!ok && error.empty()) abort();  // a failure always says why
  return 0;
}
