// `ember-cli bench ...`: redis-benchmark's flags that matter (-c -n -P -d -r -t --threads -q
// --csv, a trailing command), run by ember-loadgen (built beside ember-cli), which frames replies
// without parsing them and so outruns redis-benchmark.
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "cli/operator_tools.h"

namespace ember::cli {

int RunBench(const CliOptions& options) {
  char self[4096];
  ssize_t len = readlink("/proc/self/exe", self, sizeof(self) - 1);
  std::string dir = len > 0 ? std::string(self, static_cast<size_t>(len)) : "";
  dir = dir.substr(0, dir.rfind('/') + 1);
  std::string loadgen = dir + "ember-loadgen";
  if (access(loadgen.c_str(), X_OK) != 0) {
    std::fprintf(stderr, "ember-cli bench: %s is missing (build the ember-loadgen target)\n",
                 loadgen.c_str());
    return 1;
  }
  std::vector<std::string> args = {loadgen, "-h", options.endpoint.host, "-p",
                                   std::to_string(options.endpoint.port)};
  for (size_t i = 1; i < options.command.size(); ++i) {
    const std::string& word = options.command[i];
    args.push_back(word);  // ember-loadgen takes redis-benchmark's flags, and --histogram
  }
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  std::fflush(stdout);
  execv(loadgen.c_str(), argv.data());
  std::fprintf(stderr, "ember-cli bench: cannot run %s: %s\n", loadgen.c_str(),
               std::strerror(errno));
  return 1;
}

}  // namespace ember::cli
