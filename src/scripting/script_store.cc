#include "scripting/script_store.h"

#include <cctype>

namespace ember {

ScriptStore& ScriptStore::Instance() {
  static ScriptStore* store = new ScriptStore();  // outlives every worker thread
  return *store;
}

std::string LowerSha(std::string_view sha) {
  std::string out(sha);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::shared_ptr<StoredScript> ScriptStore::Add(std::string_view sha, std::string_view body) {
  std::lock_guard lock(mutex_);
  auto [it, inserted] = scripts_.try_emplace(std::string(sha));
  if (inserted) {
    it->second = std::make_shared<StoredScript>();
    it->second->sha = sha;
    it->second->body = body;
    body_bytes_ += body.size();
  }
  return it->second;
}

std::shared_ptr<StoredScript> ScriptStore::Find(std::string_view sha) {
  if (sha.size() != 40) return nullptr;
  std::string key = LowerSha(sha);
  std::lock_guard lock(mutex_);
  auto it = scripts_.find(key);
  return it == scripts_.end() ? nullptr : it->second;
}

void ScriptStore::Flush() {
  std::lock_guard lock(mutex_);
  scripts_.clear();
  body_bytes_ = 0;
  generation_.fetch_add(1, std::memory_order_acq_rel);
}

size_t ScriptStore::size() {
  std::lock_guard lock(mutex_);
  return scripts_.size();
}

size_t ScriptStore::body_bytes() {
  std::lock_guard lock(mutex_);
  return body_bytes_;
}

}  // namespace ember
