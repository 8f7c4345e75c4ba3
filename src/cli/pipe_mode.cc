// --pipe: mass insertion. stdin is a RESP stream sent as is while the replies are counted; a
// final ECHO of a random marker tells when the server has answered everything.
#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <random>

#include "cli/operator_tools.h"

namespace ember::cli {

int RunPipe(Session& session) {
  if (!session.Connect()) return 1;
  Connection& conn = session.connection();
  std::string marker(20, ' ');
  std::mt19937_64 rng(std::random_device{}());
  for (char& c : marker) c = "0123456789abcdefghijklmnopqrstuvwxyz"[rng() % 36];

  long long errors = 0, replies = 0;
  bool stdin_done = false, marker_seen = false;
  std::string error;
  auto last_reply = std::chrono::steady_clock::now();
  std::chrono::steady_clock::time_point all_sent{};
  bool progress = isatty(STDERR_FILENO), shown_progress = false;
  auto last_progress = std::chrono::steady_clock::now();
  char buf[64 * 1024];
  // Non-blocking stdin; the flag belongs to the open file, shared with the shell: restore it.
  int stdin_flags = fcntl(STDIN_FILENO, F_GETFL);
  fcntl(STDIN_FILENO, F_SETFL, stdin_flags | O_NONBLOCK);
  struct RestoreStdin {
    int flags;
    ~RestoreStdin() { fcntl(STDIN_FILENO, F_SETFL, flags); }
  } restore{stdin_flags};
  while (!marker_seen) {
    // Keep at most a few MiB queued so that a 1 GB input is streamed, not loaded.
    if (!stdin_done && conn.pending_output() < (4u << 20)) {
      ssize_t n = read(STDIN_FILENO, buf, sizeof(buf));
      if (n > 0) {
        conn.QueueRaw(std::string_view(buf, static_cast<size_t>(n)));
      } else if (n < 0 && errno != EAGAIN && errno != EINTR) {
        std::fprintf(stderr, "Error reading from stdin: %s\n", std::strerror(errno));
        return 1;
      } else if (n == 0) {
        stdin_done = true;
        conn.Queue({"ECHO", marker});
        std::fputs("All data transferred. Waiting for the last reply...\n", stdout);
        std::fflush(stdout);
        all_sent = std::chrono::steady_clock::now();
      }
    }
    if (!conn.PumpNonBlocking(error)) {
      std::fprintf(stderr, "Error reading replies from the server: %s\n", error.c_str());
      return 1;
    }
    for (;;) {
      Reply reply;
      bool got = false;
      if (!conn.TakeBufferedReply(reply, error, got)) {
        std::fprintf(stderr, "Error reading replies from the server: %s\n", error.c_str());
        return 1;
      }
      if (!got) break;
      last_reply = std::chrono::steady_clock::now();
      if (stdin_done && reply.type == ReplyType::kString && reply.str == marker) {
        marker_seen = true;
        break;
      }
      if (reply.IsError()) {
        std::fprintf(stderr, "%s\n", reply.str.c_str());
        ++errors;
      }
      ++replies;
    }
    if (marker_seen) break;
    // On a terminal, a live count of the replies on stderr (stdout keeps redis-cli's lines).
    if (progress &&
        std::chrono::steady_clock::now() - last_progress > std::chrono::milliseconds(200)) {
      std::fprintf(stderr, "\r%lld replies, %lld errors", replies, errors);
      last_progress = std::chrono::steady_clock::now();
      shown_progress = true;
    }
    auto since = std::chrono::steady_clock::now() - std::max(last_reply, all_sent);
    if (stdin_done && conn.pending_output() == 0 && session.options().pipe_timeout > 0 &&
        since > std::chrono::duration<double>(session.options().pipe_timeout)) {
      std::fprintf(stderr, "No replies for %g seconds: exiting.\n", session.options().pipe_timeout);
      std::printf("errors: %lld, replies: %lld\n", errors, replies);
      return 1;
    }
    // Sleep until the socket (or stdin) can move something.
    pollfd fds[2] = {{conn.transport().fd(),
                      static_cast<short>(POLLIN | (conn.pending_output() > 0 ? POLLOUT : 0)), 0},
                     {STDIN_FILENO, POLLIN, 0}};
    bool want_stdin = !stdin_done && conn.pending_output() < (4u << 20);
    if (!conn.transport().HasBuffered()) poll(fds, want_stdin ? 2 : 1, 100);
  }
  if (shown_progress) std::fputs("\r\x1b[K", stderr);
  std::fputs("Last reply received from server.\n", stdout);
  std::printf("errors: %lld, replies: %lld\n", errors, replies);
  return errors > 0 ? 1 : 0;
}

}  // namespace ember::cli
