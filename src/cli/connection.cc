// ember-cli's RESP connection: a queue of bytes to write, a read buffer, and the reply parser.
#include "cli/connection.h"

#include <poll.h>

namespace ember::cli {

void AppendCommand(std::string& out, const std::vector<std::string>& args) {
  out += '*';
  out += std::to_string(args.size());
  out += "\r\n";
  for (const std::string& arg : args) {
    out += '$';
    out += std::to_string(arg.size());
    out += "\r\n";
    out += arg;
    out += "\r\n";
  }
}

bool Connection::Open(const Endpoint& endpoint, std::string& error) {
  Close();
  return transport_.Open(endpoint, error);
}

void Connection::Close() {
  transport_.Close();
  out_.clear();
  out_sent_ = 0;
  in_.clear();
  in_start_ = 0;
  last_failed_parse_size_ = 0;
}

bool Connection::Flush(std::string& error) {
  while (out_sent_ < out_.size()) {
    ssize_t n = transport_.Write(out_.data() + out_sent_, out_.size() - out_sent_);
    if (n == Transport::kWouldBlock) {
      transport_.Wait(-1);
      continue;
    }
    if (n < 0) {
      error = transport_.error();
      return false;
    }
    out_sent_ += static_cast<size_t>(n);
  }
  out_.clear();
  out_sent_ = 0;
  return true;
}

bool Connection::ReadSome(std::string& error, int timeout_ms) {
  if (in_start_ > 0 && in_start_ == in_.size()) {
    in_.clear();
    in_start_ = 0;
  } else if (in_start_ > (1 << 20)) {
    in_.erase(0, in_start_);
    in_start_ = 0;
  }
  char buf[64 * 1024];
  for (;;) {
    ssize_t n = transport_.Read(buf, sizeof(buf));
    if (n > 0) {
      in_.append(buf, static_cast<size_t>(n));
      return true;
    }
    if (n == Transport::kClosed) {
      error = "Server closed the connection";
      return false;
    }
    if (n != Transport::kWouldBlock) {
      error = transport_.error();
      return false;
    }
    if (!transport_.Wait(timeout_ms)) {
      error = "timeout";
      return false;
    }
  }
}

bool Connection::TakeBufferedReply(Reply& reply, std::string& error, bool& got) {
  got = false;
  std::string_view pending(in_.data() + in_start_, in_.size() - in_start_);
  if (pending.empty()) return true;
  // A big reply arrives in many reads: parse again only once the buffer has doubled (or the
  // socket went quiet, see ReadReply), so a long reply costs O(n log n), not O(n^2).
  if (pending.size() < 2 * last_failed_parse_size_) return true;
  long used = ParseReply(pending, reply, error);
  if (used < 0) return false;
  if (used == 0) {
    last_failed_parse_size_ = pending.size();
    return true;
  }
  last_failed_parse_size_ = 0;
  in_start_ += static_cast<size_t>(used);
  got = true;
  return true;
}

bool Connection::ReadReply(Reply& reply, std::string& error, int timeout_ms) {
  for (;;) {
    bool got = false;
    if (!TakeBufferedReply(reply, error, got)) return false;
    if (got) return true;
    if (!ReadSome(error, timeout_ms)) return false;
    // Nothing more waiting: the reply may be complete, so let the next parse run.
    pollfd p{transport_.fd(), POLLIN, 0};
    if (!transport_.HasBuffered() && poll(&p, 1, 0) == 0) last_failed_parse_size_ = 0;
  }
}

bool Connection::Call(const std::vector<std::string>& args, Reply& reply, std::string& error) {
  Queue(args);
  return Flush(error) && ReadReply(reply, error);
}

bool Connection::PumpNonBlocking(std::string& error) {
  if (in_start_ > (1 << 20)) {
    in_.erase(0, in_start_);
    in_start_ = 0;
  }
  while (out_sent_ < out_.size()) {
    ssize_t n = transport_.Write(out_.data() + out_sent_, out_.size() - out_sent_);
    if (n == Transport::kWouldBlock) break;
    if (n < 0) {
      error = transport_.error();
      return false;
    }
    out_sent_ += static_cast<size_t>(n);
  }
  if (out_sent_ == out_.size()) {
    out_.clear();
    out_sent_ = 0;
  } else if (out_sent_ > (4 << 20)) {
    out_.erase(0, out_sent_);
    out_sent_ = 0;
  }
  char buf[64 * 1024];
  for (;;) {
    ssize_t n = transport_.Read(buf, sizeof(buf));
    if (n > 0) {
      in_.append(buf, static_cast<size_t>(n));
      last_failed_parse_size_ = 0;
      continue;
    }
    if (n == Transport::kWouldBlock) return true;
    error = n == Transport::kClosed ? "Server closed the connection" : transport_.error();
    return false;
  }
}

}  // namespace ember::cli
