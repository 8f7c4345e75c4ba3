#pragma once
// SLOWLOG's entries: the commands that ran longer than slowlog-log-slower-than, newest first,
// at most slowlog-max-len of them. One log for the whole server behind a mutex: only slow
// commands (rare by definition) and SLOWLOG itself take it.
#include <cstdint>
#include <deque>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace ember {

struct SlowLogEntry {
  uint64_t id = 0;
  int64_t unix_time = 0;  // seconds
  int64_t duration_us = 0;
  std::vector<std::string> argv;  // trimmed and redacted as Redis shows it
  std::string client_addr;
  std::string client_name;
};

class SlowLog {
 public:
  // As Redis: at most this many arguments (the last one then says how many were left out),
  // each at most this many bytes (then how many bytes were cut).
  static constexpr size_t kMaxArgs = 32;
  static constexpr size_t kMaxArgBytes = 128;

  static SlowLog& Instance();

  // Adds an entry, then drops the oldest past `max_len` (0: keeps none).
  void Push(std::span<const std::string_view> args, int64_t unix_time, int64_t duration_us,
            std::string client_addr, std::string client_name, size_t max_len);
  // The `count` newest entries, newest first.
  std::vector<SlowLogEntry> Newest(size_t count) const;
  size_t Length() const;
  void Reset();

  // The arguments an entry keeps: at most kMaxArgs, long ones cut, secrets (AUTH's password,
  // HELLO's AUTH pair, CONFIG SET requirepass's value) as "(redacted)".
  static std::vector<std::string> EntryArgv(std::span<const std::string_view> args);

 private:
  mutable std::mutex mutex_;
  std::deque<SlowLogEntry> entries_;  // newest at the front
  uint64_t next_id_ = 0;
};

}  // namespace ember
