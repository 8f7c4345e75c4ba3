#pragma once
// Small file helpers the persistence service's files share (persistence.cc, persistence_load.cc).
#include <sys/stat.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <string>

namespace ember::persistence_files {

inline bool Exists(const std::string& path) {
  return access(path.c_str(), F_OK) == 0;
}

inline uint64_t FileSize(const std::string& path) {
  struct stat st;
  return stat(path.c_str(), &st) == 0 ? static_cast<uint64_t>(st.st_size) : 0;
}

inline void Log(const std::string& line) {
  fprintf(stderr, "ember-server: %s\n", line.c_str());
}

}  // namespace ember::persistence_files
