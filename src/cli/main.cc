// ember-cli: redis-cli's flags and formats, a libedit REPL, and the operator tools.
#include <termios.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <optional>
#include <string>

#include "cli/cli_options.h"
#include "cli/one_shot.h"
#include "cli/operator_tools.h"
#include "cli/repl.h"
#include "cli/session.h"

namespace {

// --askpass: a line from stdin, without echo when it is a terminal.
std::optional<std::string> ReadPasswordFromTerminal(const char* prompt) {
  bool tty = isatty(STDIN_FILENO);
  termios saved{};
  if (tty) {
    std::fputs(prompt, stderr);
    tcgetattr(STDIN_FILENO, &saved);
    termios quiet = saved;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    tcsetattr(STDIN_FILENO, TCSANOW, &quiet);
  }
  std::string line;
  bool ok = static_cast<bool>(std::getline(std::cin, line));
  if (tty) {
    tcsetattr(STDIN_FILENO, TCSANOW, &saved);
    std::fputs("\n", stderr);
  }
  if (!ok) return std::nullopt;
  return line;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace ember::cli;
  CliOptions options;
  int exit_code = 0;
  if (const char* auth = std::getenv("REDISCLI_AUTH")) options.password = auth;
  bool password_on_command_line = false;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "-a" || arg == "--pass" || arg == "-u") password_on_command_line = true;
  }
  if (!ParseCliOptions(argc, argv, options, exit_code)) return exit_code;
  if (password_on_command_line && options.password && !options.no_auth_warning) {
    std::fputs(
        "Warning: Using a password with '-a' or '-u' option on the command line interface "
        "may not be safe.\n",
        stderr);
  }
  if (options.ask_password) {
    std::optional<std::string> typed = ReadPasswordFromTerminal("Please input password: ");
    if (typed) options.password = *typed;
  }
  Session session(options);
  switch (options.tool) {
    case ToolMode::kCommand:
      if (!options.command.empty() && options.command[0] == "bench") return RunBench(options);
      if (options.command.empty() && options.eval_file.empty()) return RunRepl(session);
      return RunOneShot(session);
    case ToolMode::kPipe:
      return RunPipe(session);
    case ToolMode::kScan:
      return RunScan(session);
    case ToolMode::kBigKeys:
    case ToolMode::kMemKeys:
      return RunKeySizes(session, options.tool == ToolMode::kMemKeys);
    case ToolMode::kHotKeys:
      return RunHotKeys(session);
    case ToolMode::kStat:
      return RunStat(session);
    case ToolMode::kLatency:
    case ToolMode::kLatencyHistory:
    case ToolMode::kLatencyDist:
      return RunLatency(session, options.tool);
  }
  return 0;
}
