// --stat: one line per interval (default 1 s) of keys, memory, clients, blocked clients,
// requests (with the delta), connections and the child process at work, from INFO.
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <sstream>
#include <thread>

#include "cli/operator_tools.h"

namespace ember::cli {
namespace {

std::map<std::string, std::string> ParseInfo(const std::string& text) {
  std::map<std::string, std::string> fields;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty() || line[0] == '#') continue;
    size_t colon = line.find(':');
    if (colon != std::string::npos) fields[line.substr(0, colon)] = line.substr(colon + 1);
  }
  return fields;
}

std::string HumanBytes(double bytes) {
  const char* units[] = {"B", "K", "M", "G", "T"};
  int unit = 0;
  while (bytes >= 1024 && unit < 4) {
    bytes /= 1024;
    ++unit;
  }
  char out[32];
  if (unit == 0)
    std::snprintf(out, sizeof(out), "%.0fB", bytes);
  else
    std::snprintf(out, sizeof(out), "%.2f%s", bytes, units[unit]);
  return out;
}

long long Field(const std::map<std::string, std::string>& info, const char* name) {
  auto it = info.find(name);
  return it == info.end() ? 0 : std::atoll(it->second.c_str());
}

}  // namespace

int RunStat(Session& session) {
  if (!session.Connect()) return 1;
  InstallInterruptHandler();
  double interval = session.options().interval > 0 ? session.options().interval : 1.0;
  long long last_requests = -1;
  long lines = 0;
  for (long n = 0;
       !g_interrupted && (session.options().repeat <= 1 || n < session.options().repeat); ++n) {
    Reply reply;
    if (!session.Call({"INFO"}, reply) || reply.IsError()) {
      std::fprintf(stderr, "ERROR: %s\n",
                   reply.IsError() ? reply.str.c_str() : session.last_error().c_str());
      return 1;
    }
    auto info = ParseInfo(reply.str);
    if (lines++ % 20 == 0) {
      std::printf(
          "------- data ------ --------------------- load -------------------- - child -\n"
          "keys       mem      clients blocked requests            connections          \n");
    }
    long long keys = 0;
    for (int db = 0; db < 256; ++db) {
      auto it = info.find("db" + std::to_string(db));
      if (it != info.end()) keys += std::atoll(it->second.c_str() + 5);  // "keys=N,..."
    }
    long long requests = Field(info, "total_commands_processed");
    char requests_text[64];
    std::snprintf(requests_text, sizeof(requests_text), "%lld (+%lld)", requests,
                  last_requests < 0 ? 0 : requests - last_requests);
    last_requests = requests;
    const char* child = Field(info, "rdb_bgsave_in_progress")    ? "RDB"
                        : Field(info, "aof_rewrite_in_progress") ? "AOF"
                                                                 : "";
    std::printf("%-11lld%-9s%-8lld%-8lld%-20s%-12lld%s\n", keys,
                HumanBytes(static_cast<double>(Field(info, "used_memory"))).c_str(),
                Field(info, "connected_clients"), Field(info, "blocked_clients"), requests_text,
                Field(info, "total_connections_received"), child);
    std::fflush(stdout);
    if (session.options().repeat > 1 && n + 1 >= session.options().repeat) break;
    std::this_thread::sleep_for(std::chrono::duration<double>(interval));
  }
  return 0;
}

}  // namespace ember::cli
