// The load at start (persistence.h): the AOF when appendonly is on, else the snapshot file,
// on the main thread while the workers answer -LOADING. It holds every shard and lets them go
// for a moment every slice, so a client waits at most a slice for its -LOADING or INFO.
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <thread>

#include <fmt/format.h>

#include "common/clock.h"
#include "engine/dataset_loading.h"
#include "engine/engine.h"
#include "engine/execute.h"
#include "engine/shard_hold.h"
#include "persistence/aof_loader.h"
#include "persistence/persistence.h"
#include "persistence/persistence_files.h"
#include "persistence/snapshot.h"

namespace ember {

using persistence_files::Exists;
using persistence_files::FileSize;
using persistence_files::Log;

bool Persistence::Start(const std::function<void()>& between_slices, std::string* error) {
  const ServerConfig c = engine_.ConfigCopy();
  if (!Exists(c.data_dir) && ::mkdir(c.data_dir.c_str(), 0755) != 0) {
    *error = "cannot create the data directory " + c.data_dir + ": " + strerror(errno);
    return false;
  }
  ShardHold hold(engine_);
  hold.Acquire();
  load_hold_ = &hold;
  between_slices_ = &between_slices;
  slice_start_us_ = MonotonicUs();
  key_load_delay_us_ = c.key_load_delay;
  loading_start_s_.store(WallClockMs() / 1000);
  loading_total_bytes_.store(LoadTotalBytes());
  loading_loaded_bytes_.store(0);
  loading_.store(true);
  g_dataset_loading.store(true);
  Database::set_loading(true);  // replayed writes see the keys their originals saw
  int64_t start_us = MonotonicUs();
  bool ok = LoadAtStart(error);
  Database::set_loading(false);
  load_hold_ = nullptr;
  between_slices_ = nullptr;
  if (load_interrupted_) {
    Log("loading stopped: shutdown requested");
    error->clear();
    ok = false;
  }
  if (ok) {
    Log(fmt::format("loading took {:.3f} seconds",
                    static_cast<double>(MonotonicUs() - start_us) / 1e6));
    for (uint32_t s = 0; s < engine_.num_shards(); ++s) engine_.shard(s).PublishBytes();
    changes_mark_.store(Changes(true));
    ok = !c.appendonly || OpenAof(error);
  }
  // Still holding every shard: the first command a client gets through sees all of the data.
  g_dataset_loading.store(false);
  loading_.store(false);
  return ok;
}

bool Persistence::LoadTick(uint64_t bytes, uint32_t items) {
  loading_loaded_bytes_.fetch_add(bytes, std::memory_order_relaxed);
  load_items_ += items;
  if (load_hold_ == nullptr || load_items_ < 1024) return !load_interrupted_;
  int64_t delay_us = key_load_delay_us_ * load_items_;
  load_items_ = 0;
  constexpr int64_t kSliceUs = 20'000;  // how long clients may wait for a -LOADING
  if (delay_us == 0 && MonotonicUs() - slice_start_us_ < kSliceUs) return true;
  load_hold_->Release();
  if (*between_slices_) (*between_slices_)();
  // key-load-delay sleeps with the shards free, in short naps so SIGTERM is still prompt.
  for (int64_t until = MonotonicUs() + delay_us, now = MonotonicUs();
       now < until && !engine_.shutdown_requested(); now = MonotonicUs()) {
    std::this_thread::sleep_for(std::chrono::microseconds(std::min<int64_t>(until - now, 10'000)));
  }
  if (engine_.shutdown_requested()) {
    load_interrupted_ = true;
    return false;
  }
  load_hold_->Acquire();
  slice_start_us_ = MonotonicUs();
  return true;
}

uint64_t Persistence::LoadTotalBytes() const {
  const ServerConfig c = engine_.ConfigCopy();
  if (!c.appendonly) return FileSize(SnapshotPath(c.data_dir, c.dbfilename));
  // Every file of the AOF directory (history too: close enough for a progress figure).
  uint64_t total = FileSize(c.data_dir + "/" + c.appendfilename);
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(AofDir(), ec)) {
    if (entry.is_regular_file(ec)) total += entry.file_size(ec);
  }
  return total;
}

bool Persistence::LoadAtStart(std::string* error) {
  const ServerConfig c = engine_.ConfigCopy();
  std::string rdb_path = SnapshotPath(c.data_dir, c.dbfilename);
  RdbLoadStats stats;
  // LoadSnapshotFile reports its read position every 4096 keys.
  auto progress = [this] {
    return [this, last = uint64_t{0}](uint64_t bytes_read) mutable {
      uint64_t delta = bytes_read > last ? bytes_read - last : 0;
      last = std::max(last, bytes_read);
      return LoadTick(delta, 4096);
    };
  };
  if (!c.appendonly) {
    if (!Exists(rdb_path)) return true;
    if (!LoadSnapshotFile(engine_, rdb_path, WallClockMs(), &stats, error, progress()))
      return false;
    Log(fmt::format("DB loaded from disk: {} keys from {}", stats.keys_loaded, rdb_path));
    return true;
  }
  AofLoadOptions options;
  options.data_dir = c.data_dir;
  options.appenddirname = c.appenddirname;
  options.appendfilename = c.appendfilename;
  options.load_truncated = c.aof_load_truncated;
  ClientState client;
  std::string replies;
  ReplyBuilder reply(&replies, 2);
  uint64_t failed = 0;
  std::string first_failure;
  auto run = [&](AofArgv argv) {
    uint64_t bytes = 16;  // about what the RESP framing of a command takes
    for (std::string_view arg : argv) bytes += arg.size() + 8;
    if (!LoadTick(bytes, 1)) return false;
    replies.clear();
    ExecuteDirect(engine_, argv, client, reply, WallClockMs());
    if (!replies.empty() && replies[0] == '-' && failed++ == 0)
      first_failure = std::string(argv[0]) + ": " + replies.substr(1, replies.find('\r') - 1);
    return true;
  };
  AofLoadCallbacks callbacks;
  callbacks.on_rdb = [&](const std::string& path, uint64_t* rdb_bytes, std::string* err) {
    // Every key of a base is kept, expired or not: the increments that follow may touch them
    // (lazy expiry resumes once loading is done).
    if (!LoadSnapshotFile(engine_, path, 0, &stats, err, progress())) return false;
    *rdb_bytes = stats.bytes_read;  // an old-style AOF goes on in RESP after its preamble
    return true;
  };
  callbacks.on_command = [&](AofArgv argv, std::string* err) {
    if (run(argv)) return true;
    *err = "loading was interrupted";
    return false;
  };
  callbacks.on_transaction = [&](std::span<const AofArgv> commands, std::string* err) {
    for (AofArgv argv : commands) {
      if (!run(argv)) {
        *err = "loading was interrupted";
        return false;
      }
    }
    return true;
  };
  AofLoadResult result;
  if (!LoadAof(options, callbacks, &result, error)) return false;
  for (const std::string& warning : result.warnings) Log(warning);
  if (failed > 0)
    Log(fmt::format("{} commands of the AOF failed on replay (first: {})", failed, first_failure));
  if (result.found) {
    Log(fmt::format("AOF loaded: {} commands, {} bytes", result.commands, result.total_size));
    loaded_manifest_ = std::make_unique<AofManifest>(result.manifest);
    return true;
  }
  // appendonly is on but there is no AOF yet: start from the snapshot if there is one (its
  // keys become the AOF's first base).
  if (Exists(rdb_path)) {
    if (!LoadSnapshotFile(engine_, rdb_path, WallClockMs(), &stats, error, progress()))
      return false;
    Log(fmt::format("no AOF yet: loaded {} keys from {}", stats.keys_loaded, rdb_path));
  }
  return true;
}

}  // namespace ember
