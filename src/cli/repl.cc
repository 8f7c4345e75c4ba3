// Interactive mode: read a line, split it like redis-cli (quotes, \x escapes), run it, print the
// reply. Also the non-interactive form: commands read line by line from a piped stdin.
#include "cli/repl.h"

#include <strings.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <thread>

#include "cli/command_catalog.h"
#include "cli/line_editor.h"
#include "protocol/resp_parser.h"

namespace ember::cli {
namespace {

std::string HistoryPath() {
  if (const char* path = std::getenv("EMBER_CLI_HISTFILE")) return path;  // "" disables
  const char* home = std::getenv("HOME");
  return home == nullptr ? "" : std::string(home) + "/.ember_cli_history";
}

std::string Prompt(Session& session) {
  if (!session.connected()) return "not connected> ";
  const Endpoint& ep = session.options().endpoint;
  std::string prompt =
      ep.unix_socket.empty() ? ep.host + ":" + std::to_string(ep.port) : "ember " + ep.unix_socket;
  if (session.db() != 0) prompt += "[" + std::to_string(session.db()) + "]";
  if (session.in_multi()) prompt += "(TX)";
  return prompt + "> ";
}

bool Is(const std::string& word, const char* name) {
  return strcasecmp(word.c_str(), name) == 0;
}

enum class LineResult { kContinue, kQuit };

// Runs one line; the words are already split.
LineResult RunLine(Session& session, CommandCatalog& catalog, std::vector<std::string> args,
                   bool interactive) {
  if (args.empty()) return LineResult::kContinue;
  if (Is(args[0], "quit") || Is(args[0], "exit")) return LineResult::kQuit;
  if (interactive && Is(args[0], "clear")) {
    std::fputs("\x1b[H\x1b[2J", stdout);
    return LineResult::kContinue;
  }
  if (Is(args[0], "help") || args[0] == "?") {
    bool color = isatty(STDOUT_FILENO);
    std::string text = catalog.Help(args, color);
    std::fputs(text.c_str(), stdout);
    return LineResult::kContinue;
  }
  if (Is(args[0], "connect") && args.size() >= 2) {
    session.options().endpoint.host = args[1];
    if (args.size() >= 3) session.options().endpoint.port = std::atoi(args[2].c_str());
    session.options().endpoint.unix_socket.clear();
    if (session.Connect()) catalog.Load(session);
    return LineResult::kContinue;
  }
  // "3 INCR counter" runs the command three times.
  long repeat = 1;
  char* end = nullptr;
  long n = std::strtol(args[0].c_str(), &end, 10);
  if (args.size() > 1 && end != args[0].c_str() && *end == '\0') {
    repeat = n;
    args.erase(args.begin());
  }
  for (long i = 0; i < repeat; ++i) {
    if (!session.connected() && !session.Connect()) return LineResult::kContinue;
    bool lost = false;
    session.RunCommand(args, lost);
    if (lost) {
      if (!g_interrupted) std::fputs("Error: Server closed the connection\n", stdout);
      g_interrupted = 0;
      // Reconnect at once so the prompt tells the truth; the next command retries otherwise.
      if (session.Connect(true)) catalog.Load(session);
      return LineResult::kContinue;
    }
    if (session.options().interval > 0 && i + 1 < repeat)
      std::this_thread::sleep_for(std::chrono::duration<double>(session.options().interval));
  }
  return LineResult::kContinue;
}

bool Split(const std::string& line, std::vector<std::string>& args) {
  std::string storage;
  std::vector<std::pair<size_t, size_t>> spans;
  if (!ember::SplitInlineArgs(line, storage, spans)) return false;
  for (auto [start, len] : spans) args.push_back(storage.substr(start, len));
  return true;
}

}  // namespace

int RunRepl(Session& session) {
  CommandCatalog catalog;
  bool interactive = isatty(STDIN_FILENO);
  if (!interactive) {
    // Commands piped in, one a line: like redis-cli, stop at the end of stdin.
    if (!session.Connect()) return 1;
    std::string line;
    int code = 0;
    while (std::getline(std::cin, line)) {
      std::vector<std::string> args;
      if (!Split(line, args)) {
        std::fputs("Invalid argument(s)\n", stdout);
        continue;
      }
      if (RunLine(session, catalog, args, false) == LineResult::kQuit) break;
    }
    return code;
  }
  // Ctrl-C interrupts the command in progress (MONITOR, a slow reply) and comes back to the
  // prompt; at the prompt it ends the session, as in redis-cli.
  InstallInterruptHandler();
  if (session.Connect()) catalog.Load(session);
  LineEditor editor(catalog, HistoryPath());
  if (std::getenv("EMBER_CLI_NO_HINTS") != nullptr) editor.set_hints(false);
  for (;;) {
    g_interrupted = 0;
    std::optional<std::string> line = editor.ReadLine(Prompt(session));
    if (!line) break;
    std::vector<std::string> args;
    if (!Split(*line, args)) {
      std::fputs("Invalid argument(s)\n", stdout);
      continue;
    }
    if (args.empty()) continue;
    if (!Is(args[0], "quit") && !Is(args[0], "exit")) editor.Remember(*line);
    if (RunLine(session, catalog, args, true) == LineResult::kQuit) break;
  }
  return 0;
}

}  // namespace ember::cli
