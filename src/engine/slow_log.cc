#include "engine/slow_log.h"

#include <fmt/format.h>

#include "commands/arg_parser.h"

namespace ember {
namespace {

// Whether args[i] is a secret Redis keeps out of its slow log.
bool IsSecret(std::span<const std::string_view> args, size_t i) {
  std::string_view command = args[0];
  if (EqualsIgnoreCase(command, "auth")) return i >= 1;
  if (EqualsIgnoreCase(command, "hello")) {
    // HELLO [protover [AUTH username password] [SETNAME name]]: the two words after AUTH.
    for (size_t a = 2; a < i; ++a) {
      if (EqualsIgnoreCase(args[a], "auth") && (i == a + 1 || i == a + 2)) return true;
    }
    return false;
  }
  if (EqualsIgnoreCase(command, "config") && args.size() >= 2 && EqualsIgnoreCase(args[1], "set") &&
      i >= 3 && i % 2 == 1) {
    std::string_view name = args[i - 1];
    return EqualsIgnoreCase(name, "requirepass") || EqualsIgnoreCase(name, "masterauth");
  }
  return false;
}

}  // namespace

SlowLog& SlowLog::Instance() {
  static auto* log = new SlowLog;  // outlives the worker threads that may still push
  return *log;
}

std::vector<std::string> SlowLog::EntryArgv(std::span<const std::string_view> args) {
  std::vector<std::string> argv;
  size_t kept = args.size() > kMaxArgs ? kMaxArgs - 1 : args.size();
  argv.reserve(kept + (args.size() > kept ? 1 : 0));
  for (size_t i = 0; i < kept; ++i) {
    std::string_view arg = args[i];
    if (i > 0 && IsSecret(args, i)) {
      argv.emplace_back("(redacted)");
    } else if (arg.size() > kMaxArgBytes) {
      argv.push_back(fmt::format("{}... ({} more bytes)", arg.substr(0, kMaxArgBytes),
                                 arg.size() - kMaxArgBytes));
    } else {
      argv.emplace_back(arg);
    }
  }
  if (args.size() > kept)
    argv.push_back(fmt::format("... ({} more arguments)", args.size() - kept));
  return argv;
}

void SlowLog::Push(std::span<const std::string_view> args, int64_t unix_time, int64_t duration_us,
                   std::string client_addr, std::string client_name, size_t max_len) {
  SlowLogEntry entry;
  entry.unix_time = unix_time;
  entry.duration_us = duration_us;
  entry.argv = EntryArgv(args);  // before the lock: the copies are the costly part
  entry.client_addr = std::move(client_addr);
  entry.client_name = std::move(client_name);
  std::lock_guard lock(mutex_);
  entry.id = next_id_++;
  entries_.push_front(std::move(entry));
  while (entries_.size() > max_len) entries_.pop_back();
}

std::vector<SlowLogEntry> SlowLog::Newest(size_t count) const {
  std::lock_guard lock(mutex_);
  size_t n = std::min(count, entries_.size());
  return std::vector<SlowLogEntry>(entries_.begin(), entries_.begin() + static_cast<long>(n));
}

size_t SlowLog::Length() const {
  std::lock_guard lock(mutex_);
  return entries_.size();
}

void SlowLog::Reset() {
  std::lock_guard lock(mutex_);
  entries_.clear();
}

}  // namespace ember
