#pragma once
// Snapshot files: every shard's keys in one Redis RDB v10 file (SAVE, and the load at start).
// A file is written to a temporary name, fsynced and renamed, so a crash mid-save leaves the
// previous file whole. Loading routes each key to the shard that owns it now, so a file loads
// whatever the shard count was when it was written.
#include <cstdint>
#include <functional>
#include <string>

#include "persistence/rdb_reader.h"

namespace ember {

class Engine;
class Shard;

// Called whenever serialised bytes pile up past a chunk (and for the last bytes): takes
// *chunk (usually writes and clears it); false stops the serialisation.
using ChunkSink = std::function<bool(std::string* chunk)>;

// Appends the shard's live keys as RDB sections (SELECTDB/RESIZEDB per non-empty database,
// then its entries) to *out, handing it to `flush` each time it grows past ~1 MiB. The
// caller adds the header and EOF (rdb_writer.h); sections of several shards may follow one
// another, a database appearing once per shard. Must run where the shard's data may be read
// (its own thread, or while its owner waits). False when `flush` failed.
bool SerializeShard(Shard& shard, int64_t now_ms, bool compress, std::string* out,
                    const ChunkSink& flush);

// Writes all shards to `path` (through path's directory's temp-<pid>.rdb, fsync, rename,
// fsync of the directory). Every shard must be readable by the caller for the whole call
// (an all-shards command). False with *error (including errno's text) on failure.
bool WriteSnapshotFile(Engine& engine, const std::string& path, std::string* error);

// Called every few thousand keys while a file loads with how far it has read; false stops.
using LoadProgress = std::function<bool(uint64_t bytes_read)>;

// Loads `path` into the engine's shards (where the caller may touch every shard: before the
// workers start, or while it holds them all). False with *error naming the file and offset;
// keys loaded before the problem stay.
bool LoadSnapshotFile(Engine& engine, const std::string& path, int64_t now_ms, RdbLoadStats* stats,
                      std::string* error, const LoadProgress& progress = nullptr);

// write(2) until all of `data` is written (EINTR retried); false with errno set.
bool WriteAll(int fd, const char* data, size_t len);
// fsync of a directory, so a rename into it survives a crash.
bool FsyncDirectory(const std::string& dir);

// <data_dir>/<dbfilename>.
std::string SnapshotPath(const std::string& data_dir, const std::string& dbfilename);

}  // namespace ember
