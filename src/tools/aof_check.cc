// ember-aof-check: reads an AOF (a Redis 7 / ember AOF directory, its manifest, or one AOF
// file) without changing it, prints the manifest and every command, and exits 1 with the
// error on a corrupt or torn one — like redis-check-aof without --fix.
//
//   ember-aof-check [--allow-truncated] [--quiet] [--appendfilename NAME] PATH
//
// An RDB base is not decoded here (it is reported and skipped whole).
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "persistence/aof_loader.h"
#include "persistence/aof_manifest.h"
#include "persistence/rdb_reader.h"
#include "server/config.h"

namespace {

using namespace ember;

int Usage() {
  fprintf(stderr,
          "usage: ember-aof-check [--allow-truncated] [--quiet] [--appendfilename NAME] PATH\n"
          "PATH: an AOF directory, its .manifest file, or a single AOF file\n");
  return 2;
}

bool EndsWith(const std::string& s, std::string_view suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// The one manifest in `dir` (temp- files aside): its appendfilename.
bool FindManifest(const std::string& dir, std::string* appendfilename) {
  DIR* d = opendir(dir.c_str());
  if (!d) return false;
  std::vector<std::string> found;
  while (dirent* entry = readdir(d)) {
    std::string name = entry->d_name;
    if (EndsWith(name, ".manifest") && name.rfind("temp-", 0) != 0) {
      found.push_back(name.substr(0, name.size() - std::strlen(".manifest")));
    }
  }
  closedir(d);
  if (found.size() != 1) return false;
  *appendfilename = found[0];
  return true;
}

void SplitPath(std::string path, std::string* parent, std::string* name) {
  while (path.size() > 1 && path.back() == '/') path.pop_back();
  size_t slash = path.rfind('/');
  *parent = slash == std::string::npos ? "." : (slash == 0 ? "/" : path.substr(0, slash));
  *name = slash == std::string::npos ? path : path.substr(slash + 1);
}

void PrintCommand(AofArgv argv) {
  std::string line;
  for (size_t i = 0; i < argv.size(); ++i) {
    if (i > 0) line += ' ';
    AppendManifestFileName(line, argv[i]);
  }
  line += '\n';
  fwrite(line.data(), 1, line.size(), stdout);
}

}  // namespace

int main(int argc, char** argv) {
  AofLoadOptions options;
  options.dry_run = true;
  options.load_truncated = false;
  bool quiet = false;
  std::string appendfilename, path;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--allow-truncated") {
      options.load_truncated = true;
    } else if (arg == "--quiet") {
      quiet = true;
    } else if (arg == "--appendfilename" && i + 1 < argc) {
      appendfilename = argv[++i];
    } else if (!arg.empty() && arg[0] == '-') {
      return Usage();
    } else if (path.empty()) {
      path = arg;
    } else {
      return Usage();
    }
  }
  if (path.empty()) return Usage();

  AofLoadCallbacks callbacks;
  callbacks.on_rdb = [&](const std::string& file, uint64_t* rdb_bytes, std::string* error) {
    // Read through (keys checked, then dropped) to learn where an old-style file's RESP
    // tail begins.
    int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
      *error = std::strerror(errno);
      return false;
    }
    ServerConfig config;
    RdbLoadStats stats;
    auto drop = [](RdbKey& key) {
      Record::Free(key.record);
      return true;
    };
    bool ok = LoadRdb(fd, config, 0, drop, &stats, error);
    ::close(fd);
    if (!ok) return false;
    *rdb_bytes = stats.bytes_read;
    if (!quiet)
      printf("# RDB preamble %s: %llu bytes, %llu keys\n", file.c_str(),
             static_cast<unsigned long long>(*rdb_bytes),
             static_cast<unsigned long long>(stats.keys_loaded));
    return true;
  };
  callbacks.on_command = [&](AofArgv command, std::string*) {
    if (!quiet) PrintCommand(command);
    return true;
  };
  callbacks.on_transaction = [&](std::span<const AofArgv> commands, std::string*) {
    if (!quiet) printf("MULTI\n");
    for (AofArgv command : commands) {
      if (!quiet) PrintCommand(command);
    }
    if (!quiet) printf("EXEC\n");
    return true;
  };

  struct stat st;
  if (::stat(path.c_str(), &st) != 0) {
    fprintf(stderr, "ember-aof-check: %s: %s\n", path.c_str(), std::strerror(errno));
    return 1;
  }
  AofLoadResult result;
  std::string error;
  bool ok;
  std::string parent, name;
  SplitPath(path, &parent, &name);
  if (S_ISDIR(st.st_mode) || EndsWith(name, ".manifest")) {
    std::string dir = S_ISDIR(st.st_mode) ? path : parent;
    if (!S_ISDIR(st.st_mode)) {
      appendfilename = name.substr(0, name.size() - std::strlen(".manifest"));
    } else if (appendfilename.empty() && !FindManifest(dir, &appendfilename)) {
      fprintf(stderr, "ember-aof-check: no single .manifest in %s (use --appendfilename)\n",
              dir.c_str());
      return 1;
    }
    SplitPath(dir, &options.data_dir, &options.appenddirname);
    options.appendfilename = appendfilename;
    AofManifest manifest;
    bool exists = false;
    if (ReadAofManifest(dir, appendfilename, &manifest, &exists, &error) && exists && !quiet) {
      std::string text = manifest.Serialize();
      printf("# manifest %s:\n", AofPath(dir, AofManifestFileName(appendfilename)).c_str());
      for (size_t at = 0; at < text.size();) {
        size_t nl = text.find('\n', at);
        printf("# %s\n", text.substr(at, nl - at).c_str());
        at = nl + 1;
      }
    }
    ok = LoadAof(options, callbacks, &result, &error);
    if (ok && !result.found) {
      error = "no AOF manifest " + AofManifestFileName(appendfilename) + " in " + dir;
      ok = false;
    }
  } else {
    ok = LoadAofFile(path, /*last_file=*/true, /*base=*/true, options, callbacks, &result, &error);
  }
  for (const auto& warning : result.warnings) fprintf(stderr, "%s\n", warning.c_str());
  if (!ok) {
    fprintf(stderr, "ember-aof-check: %s\n", error.c_str());
    fflush(stdout);
    return 1;
  }
  printf("# ok: %llu commands, %llu transactions\n",
         static_cast<unsigned long long>(result.commands),
         static_cast<unsigned long long>(result.transactions));
  return 0;
}
