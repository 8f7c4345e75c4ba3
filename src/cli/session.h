#pragma once
// A connected ember-cli session: the connection plus what redis-cli remembers across commands
// (database, protocol, credentials), the handshake after each connect, and the command sender
// that prints replies in the chosen format.
#include <string>
#include <vector>

#include "cli/cli_options.h"
#include "cli/connection.h"

namespace ember::cli {

class Session {
 public:
  explicit Session(CliOptions& options) : options_(options) {}

  // Connects and runs AUTH / SELECT / HELLO 3 as the options ask. quiet: no message on failure.
  bool Connect(bool quiet = false);
  bool connected() const { return conn_.is_open(); }
  Connection& connection() { return conn_; }
  CliOptions& options() { return options_; }
  int db() const { return options_.db; }
  bool in_multi() const { return in_multi_; }

  // Sends args, prints the reply (or, in subscribed mode and for MONITOR, every message until
  // the connection ends or SIGINT). Returns false when the server replied with an error; sets
  // lost when the connection went away.
  bool RunCommand(const std::vector<std::string>& args, bool& lost);
  // Calls a command without printing (for the operator tools and the REPL's catalog).
  bool Call(const std::vector<std::string>& args, Reply& reply);
  const std::string& last_error() const { return last_error_; }

 private:
  void Print(const Reply& reply, bool verbatim);
  bool StreamMessages(bool monitor, bool& lost);
  // -c: follows MOVED and ASK (reconnecting to the named node); false when that failed.
  bool FollowRedirects(const std::vector<std::string>& args, Reply& reply, bool& lost);
  void Track(const std::vector<std::string>& args, const Reply& reply);

  CliOptions& options_;
  Connection conn_;
  std::string last_error_;
  bool in_multi_ = false;
};

void InstallInterruptHandler();

}  // namespace ember::cli
