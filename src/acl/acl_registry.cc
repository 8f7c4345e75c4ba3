#include "acl/acl_registry.h"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>

namespace ember::acl {
namespace {

std::vector<std::string_view> Words(std::string_view line) {
  std::vector<std::string_view> words;
  size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
    size_t start = i;
    while (i < line.size() && line[i] != ' ' && line[i] != '\t') ++i;
    if (i > start) words.push_back(line.substr(start, i - start));
  }
  return words;
}

constexpr int64_t kLogGroupingMs = 60000;

}  // namespace

Registry& Registry::Instance() {
  static auto* registry = new Registry;
  return *registry;
}

Registry::Registry() {
  Reset("");
}

void Registry::Reset(std::string_view requirepass) {
  User user = DefaultUser();
  if (!requirepass.empty()) {
    user.nopass = false;
    user.password_hashes = {Sha256Hex(requirepass)};
  }
  std::lock_guard lock(mutex_);
  users_.clear();
  log_.clear();
  Publish(std::make_shared<const User>(std::move(user)));
  Changed();
}

void Registry::Publish(std::shared_ptr<const User> user) {
  std::string name = user->name;
  users_[name] = std::move(user);
}

void Registry::Changed() {
  g_generation.fetch_add(1, std::memory_order_relaxed);
  auto it = users_.find("default");
  bool nopass = it != users_.end() && it->second->nopass;
  bool open = nopass && it->second->enabled;
  default_nopass_.store(nopass, std::memory_order_relaxed);
  default_requires_auth_.store(!open, std::memory_order_relaxed);
}

std::shared_ptr<const User> Registry::Find(std::string_view name) const {
  std::lock_guard lock(mutex_);
  auto it = users_.find(name);
  return it == users_.end() ? nullptr : it->second;
}

std::shared_ptr<const User> Registry::Authenticate(std::string_view name,
                                                   std::string_view password) {
  std::shared_ptr<const User> user = Find(name);
  // The password is checked even for a missing or disabled user: the time taken says nothing.
  bool ok = user != nullptr ? user->CheckPassword(password) : User().CheckPassword(password);
  if (user == nullptr || !user->enabled || !ok) return nullptr;
  return user;
}

bool Registry::SetUser(std::string_view name, std::span<const std::string_view> rules,
                       RuleError* error) {
  std::lock_guard lock(mutex_);
  auto it = users_.find(name);
  User user = it != users_.end() ? *it->second : NewUser(name);
  if (!ApplyRules(&user, rules, error)) return false;
  Publish(std::make_shared<const User>(std::move(user)));
  Changed();
  return true;
}

bool Registry::DeleteUsers(std::span<const std::string_view> names, int64_t* deleted) {
  std::lock_guard lock(mutex_);
  for (std::string_view name : names) {
    if (name == "default") return false;
  }
  *deleted = 0;
  for (std::string_view name : names) {
    auto it = users_.find(name);
    if (it == users_.end()) continue;
    users_.erase(it);
    ++*deleted;
  }
  if (*deleted > 0) Changed();
  return true;
}

void Registry::SetDefaultPassword(std::string_view password) {
  std::lock_guard lock(mutex_);
  auto it = users_.find("default");
  User user = it != users_.end() ? *it->second : DefaultUser();
  user.password_hashes.clear();
  user.nopass = password.empty();
  if (!password.empty()) user.password_hashes.push_back(Sha256Hex(password));
  Publish(std::make_shared<const User>(std::move(user)));
  Changed();
}

std::vector<std::shared_ptr<const User>> Registry::Users() const {
  std::lock_guard lock(mutex_);
  std::vector<std::shared_ptr<const User>> users;
  for (const auto& [name, user] : users_) users.push_back(user);
  return users;
}

bool Registry::LoadFile(const std::string& path, std::string* error) {
  std::ifstream in(path);
  if (!in) {
    *error = "Error loading ACLs, opening file '" + path + "': " + std::strerror(errno);
    return false;
  }
  std::map<std::string, std::shared_ptr<const User>, std::less<>> loaded;
  std::string errors, line;
  for (int number = 1; std::getline(in, line); ++number) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    std::vector<std::string_view> words = Words(line);
    if (words.empty()) continue;
    std::string where = path + ":" + std::to_string(number);
    if (words[0] != "user" || words.size() < 2) {
      errors += where + " should start with user keyword followed by the username. ";
      continue;
    }
    std::string name(words[1]);
    if (loaded.count(name) > 0) {
      errors += where + ": Duplicate user '" + name + "' found. ";
      continue;
    }
    User user = NewUser(name);
    RuleError rule_error;
    std::span<const std::string_view> rules(words.data() + 2, words.size() - 2);
    if (!ApplyRules(&user, rules, &rule_error)) {
      errors += where + ": " + rule_error.Text("Error in applying operation") + ". ";
      continue;
    }
    loaded[name] = std::make_shared<const User>(std::move(user));
  }
  if (!errors.empty()) {
    *error = errors +
             "WARNING: ACL errors detected, no change to the previously active ACL rules was "
             "performed";
    return false;
  }
  if (loaded.count("default") == 0) loaded["default"] = std::make_shared<const User>(DefaultUser());
  std::lock_guard lock(mutex_);
  users_ = std::move(loaded);
  Changed();
  return true;
}

bool Registry::SaveFile(const std::string& path, std::string* error) const {
  std::string text;
  for (const auto& user : Users()) text += DescribeUser(*user) + "\n";
  std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << text;
    out.flush();
    if (!out) {
      *error =
          "There was an error trying to save the ACLs. Please check the server logs for "
          "more information";
      std::remove(tmp.c_str());
      return false;
    }
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    *error =
        "There was an error trying to save the ACLs. Please check the server logs for more "
        "information";
    std::remove(tmp.c_str());
    return false;
  }
  return true;
}

void Registry::Log(LogEntry entry, size_t max_len) {
  std::lock_guard lock(mutex_);
  for (auto it = log_.begin(); it != log_.end(); ++it) {
    if (it->reason == entry.reason && it->context == entry.context && it->object == entry.object &&
        it->username == entry.username && entry.created_ms - it->created_ms < kLogGroupingMs) {
      entry.count = it->count + 1;
      log_.erase(it);
      break;
    }
  }
  log_.push_front(std::move(entry));
  while (log_.size() > max_len) log_.pop_back();
}

std::vector<LogEntry> Registry::LogEntries(size_t count) const {
  std::lock_guard lock(mutex_);
  size_t n = std::min(count, log_.size());
  return std::vector<LogEntry>(log_.begin(), log_.begin() + static_cast<std::ptrdiff_t>(n));
}

void Registry::ResetLog() {
  std::lock_guard lock(mutex_);
  log_.clear();
}

}  // namespace ember::acl
