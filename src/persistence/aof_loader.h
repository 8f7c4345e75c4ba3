#pragma once
// Loads a Redis 7 multi-part AOF: `<data_dir>/<appenddirname>/<appendfilename>.manifest`, then
// the base (an RDB, handed to a callback, or RESP commands) and each increment in order.
//
// MULTI ... EXEC in a file is delivered as one unit: the loader holds the block (in the read
// buffer, not copied) until its EXEC and then calls on_transaction with the commands between
// them, so a transaction cut by a crash is never applied.
//
// A torn tail (the file ends inside a command, or inside a MULTI block) is allowed only in the
// LAST file: with aof-load-truncated yes the file is cut back to the last complete command
// and a warning names the file and offset ("!!! Warning: short read while loading the AOF file
// ..."), as Redis does; with no, loading fails. Corruption anywhere, or a torn non-last file,
// fails with the file name and byte offset. Data is never dropped silently.
//
// Without a manifest, an old-style single `<data_dir>/<appendfilename>` is loaded (and, unless
// dry_run, moved into the directory under a new manifest, as Redis 7 upgrades it).
#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "persistence/aof_manifest.h"

namespace ember {

using AofArgv = std::span<const std::string_view>;

struct AofLoadOptions {
  std::string data_dir = ".";
  std::string appenddirname = "appendonlydir";
  std::string appendfilename = "appendonly.aof";
  bool load_truncated = true;  // aof-load-truncated
  // Change nothing on disk: no upgrade of an old-style file, no cutting of a torn tail (it is
  // still reported, as a warning or an error). For checking tools.
  bool dry_run = false;
  size_t read_buffer_bytes = 1 << 20;
};

struct AofLoadCallbacks {
  // A base that is an RDB (starts with "REDIS": a `.base.rdb`, or an old single AOF with an
  // RDB preamble). Load it and set *rdb_bytes to the bytes the RDB took; anything after them is
  // read as RESP commands. Unset: such a base is an error.
  std::function<bool(const std::string& path, uint64_t* rdb_bytes, std::string* error)> on_rdb;
  // One command outside MULTI/EXEC. Return false with *error to stop loading.
  std::function<bool(AofArgv argv, std::string* error)> on_command;
  // A complete MULTI ... EXEC: the commands between them (MULTI and EXEC themselves excluded).
  // Unset: they go to on_command one by one, still only after the EXEC was read.
  std::function<bool(std::span<const AofArgv> commands, std::string* error)> on_transaction;
};

struct AofLoadResult {
  bool found = false;      // there was an AOF (a manifest, or an old-style file)
  bool old_style = false;  // it was the old single file
  bool migrated = false;   // ... and it was moved into the directory
  std::string dir;         // the AOF directory
  AofManifest manifest;    // what was loaded (for the writer to continue)
  uint64_t commands = 0;   // commands delivered, those inside transactions included
  uint64_t transactions = 0;
  uint64_t total_size = 0;  // base + increments after loading (aof_current_size)
  uint64_t base_size = 0;
  bool truncated = false;  // a torn tail was cut (or, dry_run, would have been)
  std::string truncated_file;
  uint64_t truncated_at = 0;
  std::vector<std::string> warnings;  // Redis-worded lines for the log
  size_t peak_buffer_bytes = 0;       // the largest read buffer any file needed
};

// Loads the AOF described above. False with *error (naming file and offset) on failure.
bool LoadAof(const AofLoadOptions& options, const AofLoadCallbacks& callbacks,
             AofLoadResult* result, std::string* error);

// Loads one file given by path; `last_file` says whether a torn tail may be cut, `base` whether
// an RDB is allowed. For LoadAof and the check tool.
bool LoadAofFile(const std::string& path, bool last_file, bool base, const AofLoadOptions& options,
                 const AofLoadCallbacks& callbacks, AofLoadResult* result, std::string* error);

}  // namespace ember
