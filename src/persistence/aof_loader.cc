#include "persistence/aof_loader.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "persistence/aof_command_reader.h"
#include "persistence/aof_file.h"

namespace ember {
namespace {

bool IsWord(std::string_view arg, std::string_view word) {
  if (arg.size() != word.size()) return false;
  for (size_t i = 0; i < arg.size(); ++i) {
    char c = arg[i];
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    if (c != word[i]) return false;
  }
  return true;
}

std::string BaseName(const std::string& path) {
  size_t slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

bool PathExists(const std::string& path, bool* is_dir = nullptr) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) return false;
  if (is_dir) *is_dir = S_ISDIR(st.st_mode);
  return true;
}

class FileCloser {
 public:
  explicit FileCloser(int fd) : fd_(fd) {}
  ~FileCloser() { ::close(fd_); }

 private:
  int fd_;
};

// Holds a MULTI block's argument ranges until its EXEC, then hands out views.
struct PendingTransaction {
  uint64_t start = 0;
  std::vector<std::pair<uint64_t, uint64_t>> ranges;
  std::vector<size_t> counts;  // arguments per command
  std::vector<std::string_view> views;
  std::vector<AofArgv> commands;

  void Clear(uint64_t at) {
    start = at;
    ranges.clear();
    counts.clear();
  }
};

bool Deliver(const AofLoadCallbacks& callbacks, AofCommandReader& reader, PendingTransaction& tx,
             std::string* error) {
  tx.views.clear();
  tx.commands.clear();
  for (const auto& [offset, length] : tx.ranges) tx.views.push_back(reader.Slice(offset, length));
  size_t at = 0;
  for (size_t count : tx.counts) {
    tx.commands.emplace_back(tx.views.data() + at, count);
    at += count;
  }
  if (callbacks.on_transaction) return callbacks.on_transaction(tx.commands, error);
  for (AofArgv argv : tx.commands) {
    if (!callbacks.on_command(argv, error)) return false;
  }
  return true;
}

// The torn tail of `path` ends at `valid_up_to`: cut it, or fail, per the rules above.
bool HandleTruncated(const std::string& path, uint64_t valid_up_to, bool last_file,
                     const AofLoadOptions& options, AofLoadResult* result, std::string* error) {
  std::string name = BaseName(path);
  std::string where = " at offset " + std::to_string(valid_up_to);
  if (!last_file) {
    *error = "Unexpected end of file reading the append only file " + name + where +
             ": only the last file of the AOF may end in an incomplete command (" + path + ")";
    return false;
  }
  if (!options.load_truncated) {
    *error = "Unexpected end of file reading the append only file " + name + where +
             ". You can: 1) Make a backup of your AOF file, then cut it at that offset. "
             "2) Alternatively you can set the 'aof-load-truncated' configuration option to yes "
             "and restart the server.";
    return false;
  }
  result->warnings.push_back("!!! Warning: short read while loading the AOF file " + name + "!!!");
  result->warnings.push_back("!!! Truncating the AOF " + name + " at offset " +
                             std::to_string(valid_up_to) + " !!!");
  if (!options.dry_run && ::truncate(path.c_str(), static_cast<off_t>(valid_up_to)) != 0) {
    *error = "Error truncating the AOF file " + name + ": " + std::strerror(errno);
    return false;
  }
  result->warnings.push_back("AOF " + name +
                             " loaded anyway because aof-load-truncated is enabled");
  result->truncated = true;
  result->truncated_file = name;
  result->truncated_at = valid_up_to;
  return true;
}

// Redis's test for the old single file that should move into the directory.
bool ShouldUseOldStyle(const AofLoadOptions& options, const std::string& dir, bool manifest_exists,
                       const AofManifest& manifest) {
  if (!PathExists(AofPath(options.data_dir, options.appendfilename))) return false;
  bool is_dir = false;
  if (!PathExists(dir, &is_dir) || !is_dir) return true;
  if (!manifest_exists || manifest.empty()) return true;
  // A crash between writing the upgrade's manifest and moving the file leaves this.
  return manifest.base && manifest.increments.empty() &&
         manifest.base->name == options.appendfilename &&
         !PathExists(AofPath(dir, options.appendfilename));
}

bool MigrateOldStyle(const AofLoadOptions& options, const std::string& dir, AofManifest* manifest,
                     std::string* error) {
  AofFileSystem& fs = PosixAofFileSystem();
  if (int rc = fs.CreateDirectory(dir); rc != 0) {
    *error = "Can't open or create append-only dir " + dir + ": " + std::strerror(rc);
    return false;
  }
  AofManifest upgraded;
  upgraded.base = AofFileInfo{options.appendfilename, 1, AofFileType::kBase};
  upgraded.base_seq = 1;
  // Manifest first, then the move: a crash in between is recognised and redone next start.
  if (!WriteAofManifest(fs, dir, options.appendfilename, upgraded, error)) return false;
  std::string from = AofPath(options.data_dir, options.appendfilename);
  if (int rc = fs.Rename(from, AofPath(dir, options.appendfilename)); rc != 0) {
    *error = "Error trying to move the old AOF file " + from + " into dir " + dir + ": " +
             std::strerror(rc);
    return false;
  }
  *manifest = std::move(upgraded);
  return true;
}

}  // namespace

bool LoadAofFile(const std::string& path, bool last_file, bool base, const AofLoadOptions& options,
                 const AofLoadCallbacks& callbacks, AofLoadResult* result, std::string* error) {
  std::string name = BaseName(path);
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) {
      *error = "The AOF file " + name + " doesn't exist (listed in the manifest, " + path + ")";
    } else {
      *error = "Fatal error: can't open the append log file " + name +
               " for reading: " + std::strerror(errno);
    }
    return false;
  }
  FileCloser closer(fd);
  struct stat st;
  if (::fstat(fd, &st) != 0) {
    *error = "Can't stat the AOF file " + path + ": " + std::strerror(errno);
    return false;
  }
  uint64_t size = static_cast<uint64_t>(st.st_size);
  if (size == 0) return true;

  uint64_t start = 0;
  char magic[5];
  if (size >= 5 && ::pread(fd, magic, 5, 0) == 5 && std::memcmp(magic, "REDIS", 5) == 0) {
    if (!base) {
      *error = "The AOF increment " + name + " is an RDB file: only a base may be";
      return false;
    }
    if (!callbacks.on_rdb) {
      *error = "The AOF base " + name + " is an RDB file and no RDB loader was given";
      return false;
    }
    std::string why;
    if (!callbacks.on_rdb(path, &start, &why)) {
      *error = "Error reading the RDB base file " + name + ", AOF loading aborted: " + why;
      return false;
    }
    if (start > size) start = size;
  }

  AofCommandReader reader(fd, size, start, options.read_buffer_bytes);
  PendingTransaction tx;
  bool in_multi = false;
  std::string why;
  auto fail_at = [&](uint64_t offset, const std::string& what) {
    *error = "Bad file format reading the append only file " + name + " at offset " +
             std::to_string(offset) + ": " + what;
    return false;
  };
  struct PeakRecorder {
    AofCommandReader& reader;
    AofLoadResult* result;
    ~PeakRecorder() {
      result->peak_buffer_bytes = std::max(result->peak_buffer_bytes, reader.peak_buffer_bytes());
    }
  } peak{reader, result};
  while (true) {
    AofCommandReader::Result r = reader.Next();
    if (r == AofCommandReader::Result::kEnd) {
      if (!in_multi) return true;
      result->warnings.push_back("Revert incomplete MULTI/EXEC transaction in AOF file " + name);
      return HandleTruncated(path, tx.start, last_file, options, result, error);
    }
    if (r == AofCommandReader::Result::kTruncated) {
      return HandleTruncated(path, in_multi ? tx.start : reader.command_start(), last_file, options,
                             result, error);
    }
    if (r != AofCommandReader::Result::kCommand)
      return fail_at(reader.error_offset(), reader.error());

    AofArgv argv = reader.argv();
    if (argv.size() == 1 && IsWord(argv[0], "MULTI")) {
      if (in_multi) return fail_at(reader.command_start(), "MULTI inside MULTI");
      in_multi = true;
      tx.Clear(reader.command_start());
      reader.Pin(tx.start);
      continue;
    }
    if (argv.size() == 1 && IsWord(argv[0], "EXEC")) {
      if (!in_multi) return fail_at(reader.command_start(), "EXEC without MULTI");
      if (!Deliver(callbacks, reader, tx, &why)) {
        return fail_at(tx.start, "the transaction could not be applied: " + why);
      }
      result->commands += tx.counts.size();
      ++result->transactions;
      in_multi = false;
      reader.Unpin();
      continue;
    }
    if (in_multi) {
      auto ranges = reader.arg_ranges();
      tx.ranges.insert(tx.ranges.end(), ranges.begin(), ranges.end());
      tx.counts.push_back(ranges.size());
      continue;
    }
    if (!callbacks.on_command(argv, &why)) {
      return fail_at(reader.command_start(), "the command could not be applied: " + why);
    }
    ++result->commands;
  }
}

bool LoadAof(const AofLoadOptions& options, const AofLoadCallbacks& callbacks,
             AofLoadResult* result, std::string* error) {
  std::string dir = AofPath(options.data_dir, options.appenddirname);
  result->dir = dir;
  AofManifest manifest;
  bool manifest_exists = false;
  if (!ReadAofManifest(dir, options.appendfilename, &manifest, &manifest_exists, error)) {
    return false;
  }
  if (ShouldUseOldStyle(options, dir, manifest_exists, manifest)) {
    result->found = result->old_style = true;
    if (options.dry_run) {
      // Load it where it is, as the only (and so the last) file.
      std::string path = AofPath(options.data_dir, options.appendfilename);
      AofManifest in_place;
      in_place.base = AofFileInfo{options.appendfilename, 1, AofFileType::kBase};
      in_place.base_seq = 1;
      result->manifest = in_place;
      if (!LoadAofFile(path, true, true, options, callbacks, result, error)) return false;
      uint64_t size = 0;
      PosixAofFileSystem().FileSize(path, &size);
      result->total_size = result->base_size = size;
      return true;
    }
    if (!MigrateOldStyle(options, dir, &manifest, error)) return false;
    result->migrated = true;
    manifest_exists = true;
  }
  result->manifest = manifest;
  if (!manifest_exists || manifest.empty()) return true;
  result->found = true;

  std::vector<const AofFileInfo*> files;
  if (manifest.base) files.push_back(&*manifest.base);
  for (const auto& info : manifest.increments) files.push_back(&info);
  for (size_t i = 0; i < files.size(); ++i) {
    std::string path = AofPath(dir, files[i]->name);
    bool is_base = files[i]->type == AofFileType::kBase;
    if (!LoadAofFile(path, i + 1 == files.size(), is_base, options, callbacks, result, error)) {
      return false;
    }
  }
  // Sizes after any cut, for aof_current_size / aof_base_size.
  AofFileSystem& fs = PosixAofFileSystem();
  for (const AofFileInfo* info : files) {
    uint64_t size = 0;
    fs.FileSize(AofPath(dir, info->name), &size);
    result->total_size += size;
    if (info->type == AofFileType::kBase) result->base_size = size;
  }
  return true;
}

}  // namespace ember
