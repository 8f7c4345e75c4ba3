// Connect handshake, command sending and reply printing, shared by one-shot and REPL modes.
#include "cli/session.h"

#include <signal.h>
#include <strings.h>
#include <unistd.h>

#include <cstdio>

namespace ember::cli {

namespace {
void OnInterrupt(int) {
  g_interrupted = 1;
}

bool Is(const std::string& word, const char* name) {
  return strcasecmp(word.c_str(), name) == 0;
}
}  // namespace

void InstallInterruptHandler() {
  struct sigaction sa {};
  sa.sa_handler = OnInterrupt;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = 0;  // no SA_RESTART: a blocking poll() returns on Ctrl-C
  sigaction(SIGINT, &sa, nullptr);
}

bool Session::Call(const std::vector<std::string>& args, Reply& reply) {
  last_error_.clear();
  if (!conn_.is_open() && !Connect(true)) return false;
  if (!conn_.Call(args, reply, last_error_)) {
    conn_.Close();
    return false;
  }
  // RESP3 pushes (invalidations) may come before the reply.
  while (reply.type == ReplyType::kPush) {
    if (!conn_.ReadReply(reply, last_error_)) {
      conn_.Close();
      return false;
    }
  }
  return true;
}

bool Session::Connect(bool quiet) {
  std::string error;
  if (!conn_.Open(options_.endpoint, error)) {
    if (!quiet) std::fprintf(stderr, "%s\n", error.c_str());
    last_error_ = error;
    return false;
  }
  in_multi_ = false;
  Reply reply;
  if (options_.password) {
    std::vector<std::string> auth = {"AUTH"};
    if (!options_.user.empty()) auth.push_back(options_.user);
    auth.push_back(*options_.password);
    if (!conn_.Call(auth, reply, error)) {
      if (!quiet) std::fprintf(stderr, "%s\n", error.c_str());
      conn_.Close();
      return false;
    }
    if (reply.IsError() && !quiet) std::fprintf(stderr, "AUTH failed: %s\n", reply.str.c_str());
  }
  if (options_.db != 0) {
    if (!conn_.Call({"SELECT", std::to_string(options_.db)}, reply, error)) {
      conn_.Close();
      return false;
    }
    if (reply.IsError()) {
      if (!quiet) std::fprintf(stderr, "SELECT %d failed: %s\n", options_.db, reply.str.c_str());
      options_.db = 0;
    }
  }
  if (options_.resp == 3) {
    if (!conn_.Call({"HELLO", "3"}, reply, error)) {
      conn_.Close();
      return false;
    }
    if (reply.IsError() && !quiet) std::fprintf(stderr, "HELLO 3 failed: %s\n", reply.str.c_str());
  }
  return true;
}

void Session::Print(const Reply& reply, bool verbatim) {
  std::string text = FormatForOutput(reply, options_.output, verbatim, options_.command_delim,
                                     options_.multibulk_delim);
  std::fwrite(text.data(), 1, text.size(), stdout);
  std::fflush(stdout);
}

void Session::Track(const std::vector<std::string>& args, const Reply& reply) {
  if (reply.IsError()) {
    if (Is(args[0], "exec") || Is(args[0], "discard")) in_multi_ = false;
    return;
  }
  if (Is(args[0], "select") && args.size() == 2) {
    options_.db = std::atoi(args[1].c_str());
  } else if (Is(args[0], "hello") && args.size() >= 2) {
    options_.resp = std::atoi(args[1].c_str()) == 3 ? 3 : 2;
  } else if (Is(args[0], "auth") && args.size() >= 2) {
    options_.password = args.back();
    if (args.size() == 3) options_.user = args[1];
  } else if (Is(args[0], "multi")) {
    in_multi_ = true;
  } else if (Is(args[0], "exec") || Is(args[0], "discard")) {
    in_multi_ = false;
  } else if (Is(args[0], "reset")) {
    in_multi_ = false;
    options_.db = 0;
    options_.resp = 2;
  }
}

bool Session::FollowRedirects(const std::vector<std::string>& args, Reply& reply, bool& lost) {
  // -c: "MOVED <slot> <host>:<port>" names the slot's owner, "ASK ..." a node importing it for
  // this one command (sent after ASKING). A few hops at most, as a slot moves at most so often.
  for (int hop = 0; hop < 5 && reply.IsError(); ++hop) {
    bool moved = reply.str.rfind("MOVED ", 0) == 0;
    bool ask = reply.str.rfind("ASK ", 0) == 0;
    if (!moved && !ask) return true;
    size_t space = reply.str.find(' ', moved ? 6 : 4);
    size_t colon = reply.str.rfind(':');
    if (space == std::string::npos || colon == std::string::npos || colon < space) return true;
    std::string slot = reply.str.substr(moved ? 6 : 4, space - (moved ? 6 : 4));
    std::string host = reply.str.substr(space + 1, colon - space - 1);
    int port = std::atoi(reply.str.c_str() + colon + 1);
    if (host.empty()) host = options_.endpoint.host;          // "MOVED 12 :7001": the same host
    if (options_.command.empty() && isatty(STDOUT_FILENO)) {  // the REPL tells, as redis-cli
      std::printf("-> Redirected to slot [%s] located at %s:%d\n", slot.c_str(), host.c_str(),
                  port);
    }
    options_.endpoint.host = host;
    options_.endpoint.port = port;
    options_.endpoint.unix_socket.clear();
    std::string error;
    if (!Connect()) {
      lost = true;
      return false;
    }
    if (ask) conn_.Queue({"ASKING"});
    conn_.Queue(args);
    if (!conn_.Flush(error) || (ask && !conn_.ReadReply(reply, error)) ||
        !conn_.ReadReply(reply, error)) {
      conn_.Close();
      lost = true;
      last_error_ = error;
      return false;
    }
  }
  return true;
}

bool Session::RunCommand(const std::vector<std::string>& args, bool& lost) {
  lost = false;
  if (args.empty()) return true;
  conn_.Queue(args);
  std::string error;
  Reply reply;
  if (!conn_.Flush(error) || !conn_.ReadReply(reply, error)) {
    conn_.Close();
    lost = true;
    last_error_ = error;
    return false;
  }
  if (options_.cluster_mode && !FollowRedirects(args, reply, lost)) return false;
  bool verbatim = IsFreeTextCommand(static_cast<int>(args.size()), args.data());
  while (reply.type == ReplyType::kPush &&
         !(Is(args[0], "subscribe") || Is(args[0], "psubscribe") || Is(args[0], "ssubscribe"))) {
    if (options_.show_pushes) Print(reply, false);
    if (!conn_.ReadReply(reply, error)) {
      conn_.Close();
      lost = true;
      return false;
    }
  }
  bool subscribe =
      Is(args[0], "subscribe") || Is(args[0], "psubscribe") || Is(args[0], "ssubscribe");
  bool monitor = Is(args[0], "monitor");
  if ((subscribe || monitor) && !reply.IsError()) {
    if (options_.output == OutputMode::kStandard && isatty(STDOUT_FILENO))
      std::fputs("Reading messages... (press Ctrl-C to quit)\n", stdout);
    if (subscribe) Print(reply, false);
    // A subscribe to n channels gets n confirmations; all but the first come as messages.
    return StreamMessages(monitor, lost);
  }
  if (reply.IsError() && options_.error_exit) {
    // -e: the error goes to stderr (as redis-cli), stdout keeps only data.
    std::fprintf(stderr, "%s\n", reply.str.c_str());
  } else {
    Print(reply, verbatim);
  }
  Track(args, reply);
  return !reply.IsError();
}

bool Session::StreamMessages(bool monitor, bool& lost) {
  // No reset of g_interrupted here: a Ctrl-C that came while MONITOR's +OK was read counts.
  InstallInterruptHandler();
  for (;;) {
    Reply reply;
    std::string error;
    if (!conn_.ReadReply(reply, error, -1)) {
      if (g_interrupted) {
        // Ctrl-C: leave the connection (it is in a mode we cannot undo) and stop.
        conn_.Close();
        lost = true;
        return true;
      }
      conn_.Close();
      lost = true;
      last_error_ = error;
      return false;
    }
    if (monitor) {
      std::fputs((reply.str + "\n").c_str(), stdout);
      std::fflush(stdout);
    } else {
      Print(reply, false);
    }
  }
}

}  // namespace ember::cli
