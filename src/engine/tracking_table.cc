#include "engine/tracking_table.h"

#include <algorithm>

namespace ember {

std::pair<int, int> TrackingTable::Remember(std::string_view key, uint64_t hash,
                                            TrackedClient reader) {
  std::vector<Entry>& list = entries_[hash];
  auto it = std::find_if(list.begin(), list.end(), [&](const Entry& e) { return e.key == key; });
  int new_key = 0;
  if (it == list.end()) {
    list.push_back({std::string(key), {}});
    it = list.end() - 1;
    new_key = 1;
    ++keys_;
  }
  if (std::find(it->readers.begin(), it->readers.end(), reader) != it->readers.end())
    return {new_key, 0};
  it->readers.push_back(reader);
  ++items_;
  return {new_key, 1};
}

void TrackingTable::Clear() {
  entries_.clear();
  keys_ = 0;
  items_ = 0;
}

void BroadcastTable::Subscribe(std::string_view prefix, TrackedClient client, bool noloop) {
  auto it = std::lower_bound(prefixes_.begin(), prefixes_.end(), prefix,
                             [](const Prefix& p, std::string_view s) { return p.prefix < s; });
  if (it == prefixes_.end() || it->prefix != prefix)
    it = prefixes_.insert(it, Prefix{std::string(prefix), {}, {}});
  auto& subs = it->subscribers;
  auto pos = std::lower_bound(subs.begin(), subs.end(), client.id,
                              [](const Subscriber& s, uint64_t id) { return s.client.id < id; });
  if (pos != subs.end() && pos->client.id == client.id) {
    pos->noloop = noloop;
  } else {
    subs.insert(pos, Subscriber{client, noloop});
  }
}

void BroadcastTable::Unsubscribe(uint64_t client_id) {
  for (Prefix& p : prefixes_) {
    std::erase_if(p.subscribers, [&](const Subscriber& s) { return s.client.id == client_id; });
  }
  std::erase_if(prefixes_, [](const Prefix& p) { return p.subscribers.empty(); });
}

void BroadcastTable::KeyChanged(std::string_view key, uint64_t writer) {
  for (Prefix& p : prefixes_) {
    if (!key.starts_with(p.prefix)) continue;
    auto it = p.changed.find(key);
    if (it == p.changed.end()) {
      p.changed.emplace(std::string(key), writer);
    } else {
      it->second = writer;
    }
    has_changes_ = true;
  }
}

}  // namespace ember
