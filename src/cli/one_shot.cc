// One-shot mode: `ember-cli SET k v`, repeated with -r N -i secs, -x reading the last argument.
#include "cli/one_shot.h"

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <iostream>
#include <iterator>
#include <thread>

namespace ember::cli {

int RunOneShot(Session& session) {
  CliOptions& options = session.options();
  std::vector<std::string> args = options.command;
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
