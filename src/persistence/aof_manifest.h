#pragma once
// Redis 7's multi-part AOF manifest, byte-compatible: a text file in the AOF directory
// (`appendonly.aof.manifest`) with one line per file,
//
//   file appendonly.aof.2.base.rdb seq 2 type b
//   file appendonly.aof.1.incr.aof seq 1 type h
//   file appendonly.aof.2.incr.aof seq 2 type i
//
// base first (at most one), then history (files a rewrite superseded, to be deleted), then the
// increments in load order. A name with spaces or odd bytes is written quoted and escaped as
// Redis does ("...", \n \r \t \a \b \\ \" \xHH) and read back with the same splitting rules.
//
// ember appends to ONE increment file that every shard thread writes (AofWriter), so normally
// the manifest lists one increment; it can list several, as Redis does while a rewrite is under
// way or after one failed, and the loader reads them all in order.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ember {

class AofFileSystem;

enum class AofFileType : char { kBase = 'b', kHistory = 'h', kIncrement = 'i' };
enum class AofBaseFormat { kRdb, kAof };  // `.base.rdb` (RDB preamble) or `.base.aof` (RESP)

struct AofFileInfo {
  std::string name;  // a plain file name in the AOF directory, never a path
  int64_t seq = 0;
  AofFileType type = AofFileType::kIncrement;
  bool operator==(const AofFileInfo&) const = default;
};

struct AofManifest {
  std::optional<AofFileInfo> base;
  std::vector<AofFileInfo> history;
  std::vector<AofFileInfo> increments;
  // The last sequence numbers handed out (Redis's curr_base_file_seq / curr_incr_file_seq).
  int64_t base_seq = 0;
  int64_t incr_seq = 0;

  bool empty() const { return !base && increments.empty(); }
  bool operator==(const AofManifest&) const = default;

  // Parses a manifest's text. On error returns false with *error like Redis's
  // "Invalid AOF manifest file format (line 2: 'file x seq')".
  static bool Parse(std::string_view text, AofManifest* out, std::string* error);
  std::string Serialize() const;

  // The file a rewrite will write its snapshot to: the current base becomes history (first in
  // the history list, as Redis does) and a new base `<appendfilename>.<seq>.base.<rdb|aof>` is
  // recorded. Returns its name.
  const std::string& StartNewBase(std::string_view appendfilename, AofBaseFormat format);
  // Records a new increment `<appendfilename>.<seq>.incr.aof` at the end; returns its name.
  const std::string& AddIncrement(std::string_view appendfilename);
  // After a rewrite: every increment but the last `keep_last` becomes history.
  void MarkIncrementsAsHistory(size_t keep_last);
};

std::string AofManifestFileName(std::string_view appendfilename);  // appendonly.aof.manifest
std::string AofTempManifestFileName(
    std::string_view appendfilename);  // temp-appendonly.aof.manifest
std::string AofBaseFileName(std::string_view appendfilename, int64_t seq, AofBaseFormat format);
std::string AofIncrementFileName(std::string_view appendfilename, int64_t seq);
// dir + "/" + name (no doubled slash).
std::string AofPath(std::string_view dir, std::string_view name);

// Appends one manifest line's file name: as is, or quoted with escapes where Redis would.
void AppendManifestFileName(std::string& out, std::string_view name);

// Reads `<dir>/<appendfilename>.manifest`. Returns false with *error (which names the file) on
// an unreadable or bad manifest; *exists is false (and true returned) when there is none.
bool ReadAofManifest(const std::string& dir, std::string_view appendfilename, AofManifest* out,
                     bool* exists, std::string* error);

// Writes the manifest the crash-safe way: temp file, fsync, rename over the old one, fsync of
// the directory. A crash at any point leaves either the old or the new manifest.
bool WriteAofManifest(AofFileSystem& fs, const std::string& dir, std::string_view appendfilename,
                      const AofManifest& manifest, std::string* error);

}  // namespace ember
