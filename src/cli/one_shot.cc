// One-shot mode: `ember-cli SET k v`, repeated with -r N -i secs, -x reading the last argument.
#include "cli/one_shot.h"

#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <iterator>
#include <thread>

namespace ember::cli {

int RunOneShot(Session& session) {
  CliOptions& options = session.options();
  std::vector<std::string> args = options.command;
  if (!options.eval_file.empty()) {
    // --eval f.lua k1 k2 , a1 a2  =>  EVAL <script> 2 k1 k2 a1 a2
    std::ifstream in(options.eval_file, std::ios::binary);
    if (!in) {
      std::fprintf(stderr, "Can't open file '%s': %s\n", options.eval_file.c_str(),
                   std::strerror(errno));
      return 1;
    }
    std::string script((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::vector<std::string> keys, argv;
    bool after_comma = false;
    for (const std::string& word : options.command) {
      if (word == "," && !after_comma) {
        after_comma = true;
        continue;
      }
      (after_comma ? argv : keys).push_back(word);
    }
    args = {"EVAL", script, std::to_string(keys.size())};
    args.insert(args.end(), keys.begin(), keys.end());
    args.insert(args.end(), argv.begin(), argv.end());
  }
  if (options.stdin_last_arg) {
    std::string data((std::istreambuf_iterator<char>(std::cin)), std::istreambuf_iterator<char>());
    args.push_back(std::move(data));
  }
  if (!session.Connect()) return 1;
  // Ctrl-C ends MONITOR, subscribed mode or a blocked command with the shell's code for it.
  InstallInterruptHandler();
  bool failed = false;
  for (long i = 0; options.repeat < 0 || i < options.repeat; ++i) {
    bool lost = false;
    bool ok = session.RunCommand(args, lost);
    if (g_interrupted) return 130;
    if (lost && !ok) {
      if (!session.last_error().empty())
        std::fprintf(stderr, "Error: %s\n", session.last_error().c_str());
      return 1;
    }
    if (!ok) failed = true;
    if (lost) return 130;  // MONITOR / subscribed mode ended by Ctrl-C
    if (options.interval > 0 && (options.repeat < 0 || i + 1 < options.repeat)) {
      std::this_thread::sleep_for(std::chrono::duration<double>(options.interval));
      if (g_interrupted) return 130;
    }
  }
  return failed && options.error_exit ? 1 : 0;
}

}  // namespace ember::cli
