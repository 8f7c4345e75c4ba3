#include "persistence/aof_manifest.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <memory>

#include "common/quoted.h"
#include "persistence/aof_file.h"
#include "protocol/resp_parser.h"

namespace ember {
namespace {

// Redis reads the manifest with a 1024-byte line buffer (newline included).
constexpr size_t kMaxManifestLine = 1024;

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

// Redis quotes a name holding any of these (sdsneedsrepr): the splitter would cut it otherwise.
bool NeedsQuoting(std::string_view name) {
  for (char c : name) {
    auto u = static_cast<unsigned char>(c);
    if (c == '\\' || c == '"' || u <= ' ' || u >= 0x7f) return true;
  }
  return false;
}

std::string_view Trim(std::string_view s) {
  constexpr std::string_view kBlank = " \t\r\n";
  size_t first = s.find_first_not_of(kBlank);
  if (first == std::string_view::npos) return {};
  size_t last = s.find_last_not_of(kBlank);
  return s.substr(first, last - first + 1);
}

bool ParsePositive(std::string_view text, int64_t* out) {
  int64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value <= 0) return false;
  *out = value;
  return true;
}

void AppendLine(std::string& out, const AofFileInfo& info) {
  out += "file ";
  AppendManifestFileName(out, info.name);
  out += " seq ";
  out += std::to_string(info.seq);
  out += " type ";
  out += static_cast<char>(info.type);
  out += '\n';
}

std::string ErrnoText(int error) {
  return std::strerror(error);
}

}  // namespace

void AppendManifestFileName(std::string& out, std::string_view name) {
  if (!NeedsQuoting(name)) {
    out += name;
    return;
  }
  AppendQuotedRepr(out, name);
}

bool AofManifest::Parse(std::string_view text, AofManifest* out, std::string* error) {
  AofManifest manifest;
  int64_t max_incr_seq = 0;
  size_t line_number = 0;
  std::string storage;
  std::vector<std::pair<size_t, size_t>> spans;
  std::string_view line;
  auto fail = [&](const char* why) {
    *error = why;
    if (line_number > 0) {
      *error +=
          " (manifest line " + std::to_string(line_number) + ": '" + std::string(Trim(line)) + "')";
    }
    return false;
  };
  if (text.empty()) return fail("Found an empty AOF manifest");

  size_t pos = 0;
  while (pos < text.size()) {
    size_t newline = text.find('\n', pos);
    size_t end = newline == std::string_view::npos ? text.size() : newline;
    line = text.substr(pos, end - pos);
    pos = newline == std::string_view::npos ? text.size() : newline + 1;
    ++line_number;
    if (!line.empty() && line[0] == '#') continue;  // a comment
    if (line.size() + 1 > kMaxManifestLine) {
      return fail("The AOF manifest file contains too long line");
    }
    std::string_view trimmed = Trim(line);
    if (trimmed.empty()) return fail("Invalid AOF manifest file format");
    storage.clear();
    spans.clear();
    // Fewer than 6 fields is an error; more (in key/value pairs) is a newer Redis's addition.
    if (!SplitInlineArgs(trimmed, storage, spans) || spans.size() < 6 || spans.size() % 2 != 0) {
      return fail("Invalid AOF manifest file format");
    }
    AofFileInfo info;
    char type = 0;
    for (size_t i = 0; i < spans.size(); i += 2) {
      std::string_view key(storage.data() + spans[i].first, spans[i].second);
      std::string_view value(storage.data() + spans[i + 1].first, spans[i + 1].second);
      if (EqualsIgnoreCase(key, "file")) {
        if (value.find('/') != std::string_view::npos) {
          return fail("File can't be a path, just a filename");
        }
        info.name = value;
      } else if (EqualsIgnoreCase(key, "seq")) {
        if (!ParsePositive(value, &info.seq)) return fail("Invalid AOF manifest file format");
      } else if (EqualsIgnoreCase(key, "type")) {
        type = value.empty() ? 0 : value[0];
      }
    }
    if (info.name.empty() || info.seq == 0 || type == 0) {
      return fail("Invalid AOF manifest file format");
    }
    switch (type) {
      case 'b':
        if (manifest.base) return fail("Found duplicate base file information");
        info.type = AofFileType::kBase;
        manifest.base_seq = info.seq;
        manifest.base = std::move(info);
        break;
      case 'h':
        info.type = AofFileType::kHistory;
        manifest.history.push_back(std::move(info));
        break;
      case 'i':
        if (info.seq <= max_incr_seq) return fail("Found a non-monotonic sequence number");
        info.type = AofFileType::kIncrement;
        max_incr_seq = manifest.incr_seq = info.seq;
        manifest.increments.push_back(std::move(info));
        break;
      default:
        return fail("Unknown AOF file type");
    }
  }
  *out = std::move(manifest);
  return true;
}

std::string AofManifest::Serialize() const {
  std::string out;
  if (base) AppendLine(out, *base);
  for (const auto& info : history) AppendLine(out, info);
  for (const auto& info : increments) AppendLine(out, info);
  return out;
}

const std::string& AofManifest::StartNewBase(std::string_view appendfilename,
                                             AofBaseFormat format) {
  if (base) {
    base->type = AofFileType::kHistory;
    history.insert(history.begin(), std::move(*base));
  }
  ++base_seq;
  base =
      AofFileInfo{AofBaseFileName(appendfilename, base_seq, format), base_seq, AofFileType::kBase};
  return base->name;
}

const std::string& AofManifest::AddIncrement(std::string_view appendfilename) {
  ++incr_seq;
  increments.push_back(
      {AofIncrementFileName(appendfilename, incr_seq), incr_seq, AofFileType::kIncrement});
  return increments.back().name;
}

void AofManifest::MarkIncrementsAsHistory(size_t keep_last) {
  if (increments.size() <= keep_last) return;
  size_t moving = increments.size() - keep_last;
  // Newest first at the head of the history list, as Redis orders it.
  for (size_t i = moving; i-- > 0;) {
    AofFileInfo info = std::move(increments[i]);
    info.type = AofFileType::kHistory;
    history.insert(history.begin(), std::move(info));
  }
  increments.erase(increments.begin(), increments.begin() + static_cast<ptrdiff_t>(moving));
}

std::string AofManifestFileName(std::string_view appendfilename) {
  return std::string(appendfilename) + ".manifest";
}

std::string AofTempManifestFileName(std::string_view appendfilename) {
  return "temp-" + std::string(appendfilename) + ".manifest";
}

std::string AofBaseFileName(std::string_view appendfilename, int64_t seq, AofBaseFormat format) {
  return std::string(appendfilename) + "." + std::to_string(seq) + ".base" +
         (format == AofBaseFormat::kRdb ? ".rdb" : ".aof");
}

std::string AofIncrementFileName(std::string_view appendfilename, int64_t seq) {
  return std::string(appendfilename) + "." + std::to_string(seq) + ".incr.aof";
}

std::string AofPath(std::string_view dir, std::string_view name) {
  std::string path(dir);
  if (!path.empty() && path.back() != '/') path += '/';
  path += name;
  return path;
}

bool ReadAofManifest(const std::string& dir, std::string_view appendfilename, AofManifest* out,
                     bool* exists, std::string* error) {
  std::string path = AofPath(dir, AofManifestFileName(appendfilename));
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT || errno == ENOTDIR) {
      *exists = false;
      return true;
    }
    *error = "Can't open the AOF manifest file " + path + " for reading: " + ErrnoText(errno);
    return false;
  }
  *exists = true;
  std::string text;
  char chunk[4096];
  while (true) {
    ssize_t n = ::read(fd, chunk, sizeof(chunk));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      *error = "Read AOF manifest " + path + " failed: " + ErrnoText(errno);
      ::close(fd);
      return false;
    }
    if (n == 0) break;
    text.append(chunk, static_cast<size_t>(n));
  }
  ::close(fd);
  if (!AofManifest::Parse(text, out, error)) {
    *error = "Bad AOF manifest " + path + ": " + *error;
    return false;
  }
  return true;
}

bool WriteAofManifest(AofFileSystem& fs, const std::string& dir, std::string_view appendfilename,
                      const AofManifest& manifest, std::string* error) {
  std::string temp_path = AofPath(dir, AofTempManifestFileName(appendfilename));
  std::string path = AofPath(dir, AofManifestFileName(appendfilename));
  std::string text = manifest.Serialize();
  std::unique_ptr<AofFile> file;
  if (int rc = fs.OpenForAppend(temp_path, /*truncate=*/true, &file); rc != 0) {
    *error = "Can't open the AOF manifest file " + temp_path + ": " + ErrnoText(rc);
    return false;
  }
  size_t written = 0;
  if (int rc = file->Append(text, &written); rc != 0) {
    *error =
        "Error trying to write the temporary AOF manifest file " + temp_path + ": " + ErrnoText(rc);
    return false;
  }
  if (int rc = file->DataSync(); rc != 0) {
    *error = "Fail to fsync the temp AOF file " + temp_path + ": " + ErrnoText(rc);
    return false;
  }
  file.reset();
  if (int rc = fs.Rename(temp_path, path); rc != 0) {
    *error = "Error trying to rename the temporary AOF manifest file " + temp_path + " into " +
             path + ": " + ErrnoText(rc);
    return false;
  }
  if (int rc = fs.SyncDirectory(dir); rc != 0) {
    *error = "Fail to fsync AOF directory " + dir + ": " + ErrnoText(rc);
    return false;
  }
  return true;
}

}  // namespace ember
