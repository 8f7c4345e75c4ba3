// --scan, and the SCAN loop under the key surveys.
#include "cli/keyspace_scan.h"

#include <chrono>
#include <cstdio>
#include <thread>

#include "cli/operator_tools.h"

namespace ember::cli {

bool ScanKeyspace(Session& session, const std::function<bool(const std::vector<Reply>&)>& batch) {
  const CliOptions& options = session.options();
  std::string cursor = "0";
  long calls = 0;
  do {
    std::vector<std::string> args = {"SCAN", cursor};
    if (!options.pattern.empty()) {
      args.push_back("MATCH");
      args.push_back(options.pattern);
    }
    if (options.scan_count > 0) {
      args.push_back("COUNT");
      args.push_back(std::to_string(options.scan_count));
    }
    Reply reply;
    if (!session.Call(args, reply)) {
      std::fprintf(stderr, "I/O error: %s\n", session.last_error().c_str());
      return false;
    }
    if (reply.IsError()) {
      std::fprintf(stderr, "Error: %s\n", reply.str.c_str());
      return false;
    }
    if (reply.type != ReplyType::kArray || reply.elements.size() != 2) {
      std::fprintf(stderr, "Error: unexpected SCAN reply\n");
      return false;
    }
    cursor = reply.elements[0].str;
    if (!batch(reply.elements[1].elements)) return true;
    if (options.interval > 0 && ++calls % 100 == 0) {
      std::this_thread::sleep_for(std::chrono::duration<double>(options.interval));
    }
  } while (cursor != "0");
  return true;
}

int RunScan(Session& session) {
  if (!session.Connect()) return 1;
  bool ok = ScanKeyspace(session, [](const std::vector<Reply>& keys) {
    for (const Reply& key : keys) {
      std::fwrite(key.str.data(), 1, key.str.size(), stdout);
      std::fputc('\n', stdout);
    }
    return true;
  });
  std::fflush(stdout);
  return ok ? 0 : 1;
}

}  // namespace ember::cli
