#pragma once
// ember-cli's command line: redis-cli's flags, parsed the way redis-cli parses them (options
// until the first word that is not one; the rest is the command).
#include <optional>
#include <string>
#include <vector>

#include "cli/reply_format.h"
#include "cli/transport.h"

namespace ember::cli {

enum class ToolMode {
  kCommand,  // one-shot from argv, or the REPL when there is none
  kPipe,
  kScan,
  kBigKeys,
  kMemKeys,
  kHotKeys,
  kStat,
  kLatency,
  kLatencyHistory,
  kLatencyDist,
};

struct CliOptions {
  Endpoint endpoint;
  std::string user;
  std::optional<std::string> password;
  int db = 0;
  int resp = 2;
  bool resp_explicit = false;
  OutputMode output = OutputMode::kRaw;
  bool output_explicit = false;  // --raw / --no-raw given: the terminal does not decide
  std::string command_delim = "\n";
  std::string multibulk_delim = "\n";
  bool error_exit = false;      // -e
  bool stdin_last_arg = false;  // -x
  long repeat = 1;
  double interval = 0;
  bool no_auth_warning = false;
  bool show_pushes = true;
  bool cluster_mode = false;  // -c: follow MOVED / ASK
  double timeout_s = 0;       // -t

  ToolMode tool = ToolMode::kCommand;
  std::string pattern;
  long scan_count = 0;
  long memkeys_samples = 0;
  double pipe_timeout = 30;

  std::string eval_file;      // --eval: the script; the command words are "keys , args"
  bool ask_password = false;  // --askpass

  std::vector<std::string> command;  // the words after the options
};

// Parses argv. On --help/--version prints and sets exit_code 0; on a bad option prints the
// message to stderr and sets exit_code 1. Returns true when the caller should go on.
bool ParseCliOptions(int argc, char** argv, CliOptions& options, int& exit_code);

// redis://[[user]:pass@]host[:port][/db] and rediss:// (TLS). false + message when malformed.
bool ParseRedisUri(const std::string& uri, CliOptions& options, std::string& error);

// The usage text of --help.
const char* UsageText();

}  // namespace ember::cli
