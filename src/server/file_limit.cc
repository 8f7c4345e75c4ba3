#include "server/file_limit.h"

#include <sys/resource.h>

#include <cerrno>
#include <cstring>

#include <fmt/format.h>

namespace ember {
namespace {

// The soft limit after trying to raise it to `wanted` (never past the hard limit), stepping
// down as Redis does when a value is refused.
uint64_t RaiseOpenFileLimit(uint64_t wanted, std::string* failure) {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0) return wanted;  // unknown: assume it fits
  if (limit.rlim_cur >= wanted) return limit.rlim_cur;
  uint64_t current = limit.rlim_cur;
  for (uint64_t attempt = wanted; attempt > current;) {
    rlimit raised = limit;
    raised.rlim_cur = attempt;
    if (raised.rlim_max < attempt) raised.rlim_max = attempt;  // allowed only when privileged
    if (setrlimit(RLIMIT_NOFILE, &raised) == 0) return attempt;
    if (failure->empty()) *failure = strerror(errno);
    if (limit.rlim_max != RLIM_INFINITY && attempt > limit.rlim_max && limit.rlim_max > current) {
      attempt = limit.rlim_max;  // straight to the most an unprivileged process may ask
      continue;
    }
    attempt = attempt > current + 16 ? attempt - 16 : current;
  }
  return current;
}

}  // namespace

int64_t ReservedDescriptors(const ServerConfig& config) {
  int64_t shards = config.shards == 0 ? 1 : config.shards;
  return 32 + 6 * shards;  // epoll/io_uring, eventfd, two listeners, the spare (net/worker.h)
}

bool FitMaxclientsToFileLimit(ServerConfig& config, std::string* warnings, std::string* error) {
  int64_t reserved = ReservedDescriptors(config);
  uint64_t wanted = static_cast<uint64_t>(config.maxclients + reserved);
  std::string failure;
  uint64_t limit = RaiseOpenFileLimit(wanted, &failure);
  if (limit >= wanted) return true;
  int64_t fit = static_cast<int64_t>(limit) - reserved;
  if (fit < 1) {
    *error = fmt::format(
        "Your current 'ulimit -n' of {} is not enough for the server to start. Please increase "
        "your open file limit to at least {}.",
        limit, reserved + 1);
    return false;
  }
  *warnings = fmt::format(
      "You requested maxclients of {} requiring at least {} max file descriptors. Server can't "
      "set maximum open files to {} because of OS error: {}. Current maximum open files is {}. "
      "maxclients has been reduced to {} to compensate for low ulimit. If you need higher "
      "maxclients increase 'ulimit -n'.",
      config.maxclients, wanted, wanted, failure.empty() ? "unknown" : failure, limit, fit);
  config.maxclients = fit;
  return true;
}

std::string CheckMaxclients(const ServerConfig& config, int64_t maxclients) {
  int64_t reserved = ReservedDescriptors(config);
  std::string failure;
  uint64_t limit = RaiseOpenFileLimit(static_cast<uint64_t>(maxclients + reserved), &failure);
  if (limit >= static_cast<uint64_t>(maxclients + reserved)) return "";
  return fmt::format(
      "The operating system is not able to handle the specified number of clients, try with {}",
      static_cast<int64_t>(limit) - reserved);
}

}  // namespace ember
