#pragma once
// The ACL users of the server and the ACL LOG. Users are immutable once published: SETUSER
// builds a new one and swaps it in, bumping a generation that every client compares (one
// relaxed load per command) to pick up the change before its next command.
#include <atomic>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "acl/acl_user.h"

namespace ember::acl {

// Changes whenever a user is added, changed or deleted.
inline std::atomic<uint64_t> g_generation{1};
inline uint64_t Generation() {
  return g_generation.load(std::memory_order_relaxed);
}

struct LogEntry {
  uint64_t count = 1;
  std::string reason;   // command, key, channel, auth
  std::string context;  // toplevel, multi, lua
  std::string object;   // the command, key or channel refused ("AUTH" for auth)
  std::string username;
  int64_t created_ms = 0;  // of the last occurrence
  std::string client_info;
};

class Registry {
 public:
  static Registry& Instance();

  // Back to a server's first state: the default user only (a password when given), no log.
  void Reset(std::string_view requirepass);

  std::shared_ptr<const User> Find(std::string_view name) const;
  std::shared_ptr<const User> Default() const { return Find("default"); }
  // The user when `password` opens it and it is on; null otherwise.
  std::shared_ptr<const User> Authenticate(std::string_view name, std::string_view password);
  // ACL SETUSER: the rules applied to the user (a new one when there is none), all or nothing.
  bool SetUser(std::string_view name, std::span<const std::string_view> rules, RuleError* error);
  // ACL DELUSER: how many of `names` existed (the default user cannot be deleted: false).
  bool DeleteUsers(std::span<const std::string_view> names, int64_t* deleted);
  // requirepass: the default user's only password ("" = nopass).
  void SetDefaultPassword(std::string_view password);
  std::vector<std::shared_ptr<const User>> Users() const;  // by name

  // ACL LOAD / --aclfile: every user from `path` or, on any error, none (the text says why,
  // as Redis, every bad line named).
  bool LoadFile(const std::string& path, std::string* error);
  bool SaveFile(const std::string& path, std::string* error) const;

  // ACL LOG: a repeat of an entry (same reason, context, object and user) within 60 s is
  // counted on it and moved to the front.
  void Log(LogEntry entry, size_t max_len);
  std::vector<LogEntry> LogEntries(size_t count) const;  // newest first
  void ResetLog();

  // Whether new connections must AUTH (the default user is off or has a password), and
  // whether the default user takes any password (protected mode looks at this).
  static bool DefaultRequiresAuth() {
    return default_requires_auth_.load(std::memory_order_relaxed);
  }
  static bool DefaultNoPass() { return default_nopass_.load(std::memory_order_relaxed); }

 private:
  Registry();
  void Publish(std::shared_ptr<const User> user);  // under mutex_
  void Changed();                                  // under mutex_

  mutable std::mutex mutex_;
  std::map<std::string, std::shared_ptr<const User>, std::less<>> users_;
  std::deque<LogEntry> log_;
  static inline std::atomic<bool> default_requires_auth_{false};
  static inline std::atomic<bool> default_nopass_{true};
};

}  // namespace ember::acl
