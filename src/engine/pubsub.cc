#include "engine/pubsub.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <new>

#include "common/clock.h"
#include "common/glob.h"
#include "common/quoted.h"
#include "engine/journal.h"
#include "engine/task_queue.h"

namespace ember {
namespace {

thread_local int t_worker = -1;

size_t KindIndex(SubscriptionKind kind) {
  return static_cast<size_t>(kind);
}

}  // namespace

SharedFrame* SharedFrame::Make(std::string_view bytes, bool push) {
  void* memory = std::malloc(sizeof(SharedFrame) + bytes.size());
  if (memory == nullptr) throw std::bad_alloc();
  auto* frame = new (memory) SharedFrame(bytes.size(), push);
  std::memcpy(reinterpret_cast<char*>(frame + 1), bytes.data(), bytes.size());
  return frame;
}

void SharedFrame::Unref() {
  if (refs_.fetch_sub(1, std::memory_order_acq_rel) != 1) return;
  this->~SharedFrame();
  std::free(this);
}

// What one publish hands to other threads, gathered per destination while the registry is
// read, posted after: one task per destination thread.
struct PubSub::Outbox {
  struct Item {
    uint64_t client_id;
    SharedFrame* frame;  // holds one reference per item
  };
  std::vector<std::vector<Item>> by_worker;
  std::vector<uint32_t> touched;
};

class PubSub::Delivery final : public Task {
 public:
  Delivery(PubSub& pubsub, uint32_t worker, std::vector<Outbox::Item> items)
      : pubsub_(pubsub), worker_(worker), items_(std::move(items)) {}

  // On the destination thread: a client that has gone is not in its table any more.
  void Run() override {
    auto& clients = pubsub_.workers_[worker_]->clients;
    for (const Outbox::Item& item : items_) {
      auto it = clients.find(item.client_id);
      if (it != clients.end() && it->second.target != nullptr)
        it->second.target->Push(item.frame->bytes(), item.frame->push());
      item.frame->Unref();
    }
    delete this;
  }

 private:
  PubSub& pubsub_;
  uint32_t worker_;
  std::vector<Outbox::Item> items_;
};

PubSub::PubSub(std::span<Mailbox* const> mailboxes)
    : mailboxes_(mailboxes.begin(), mailboxes.end()) {
  for (size_t i = 0; i < mailboxes_.size(); ++i)
    workers_.push_back(std::make_unique<WorkerClients>());
}

PubSub::~PubSub() = default;

void PubSub::BindThread(int worker) {
  t_worker = worker;
}

int PubSub::bound_worker() {
  return t_worker;
}

PubSub::ListenerMap& PubSub::MapOf(SubscriptionKind kind) {
  switch (kind) {
    case SubscriptionKind::kChannel:
      return channels_;
    case SubscriptionKind::kPattern:
      return patterns_;
    case SubscriptionKind::kShardChannel:
      break;
  }
  return shard_channels_;
}

std::atomic<size_t>& PubSub::CounterOf(SubscriptionKind kind) {
  switch (kind) {
    case SubscriptionKind::kChannel:
      return num_channels_;
    case SubscriptionKind::kPattern:
      return num_patterns_;
    case SubscriptionKind::kShardChannel:
      break;
  }
  return num_shard_channels_;
}

PubSub::ClientEntry& PubSub::EntryOf(ClientState& client) {
  ClientEntry& entry = workers_[client.worker]->clients[client.id];
  entry.target = client.push_target;
  entry.state = &client;
  client.in_pubsub = true;
  return entry;
}

void PubSub::PublishCounts(ClientState& client, const ClientEntry& entry) {
  client.sub_channels = static_cast<int>(entry.names[0].size());
  client.sub_patterns = static_cast<int>(entry.names[1].size());
  client.sub_shard_channels = static_cast<int>(entry.names[2].size());
}

bool PubSub::Subscribe(ClientState& client, SubscriptionKind kind, std::string_view name) {
  ClientEntry& entry = EntryOf(client);
  auto& names = entry.names[KindIndex(kind)];
  if (names.contains(name)) return false;
  names.emplace(name);
  {
    std::unique_lock lock(mutex_);
    ListenerMap& map = MapOf(kind);
    auto it = map.find(name);
    if (it == map.end()) {
      it = map.emplace(std::string(name), std::vector<Listener>()).first;
      CounterOf(kind).fetch_add(1, std::memory_order_relaxed);
      if (kind == SubscriptionKind::kPattern) pattern_index_.Add(name, &*it);
    }
    it->second.push_back({client.id, client.worker, entry.target});
  }
  PublishCounts(client, entry);
  return true;
}

bool PubSub::Unsubscribe(ClientState& client, SubscriptionKind kind, std::string_view name) {
  if (!client.in_pubsub) return false;
  auto found = workers_[client.worker]->clients.find(client.id);
  if (found == workers_[client.worker]->clients.end()) return false;
  ClientEntry& entry = found->second;
  auto& names = entry.names[KindIndex(kind)];
  auto name_it = names.find(name);
  if (name_it == names.end()) return false;
  names.erase(name_it);
  {
    std::unique_lock lock(mutex_);
    ListenerMap& map = MapOf(kind);
    auto it = map.find(name);
    if (it != map.end()) {
      std::erase_if(it->second, [&](const Listener& l) { return l.client_id == client.id; });
      if (it->second.empty()) {
        if (kind == SubscriptionKind::kPattern) pattern_index_.Remove(name, &*it);
        map.erase(it);
        CounterOf(kind).fetch_sub(1, std::memory_order_relaxed);
      }
    }
  }
  PublishCounts(client, entry);
  return true;
}

std::vector<std::string> PubSub::SubscriptionsOf(const ClientState& client,
                                                 SubscriptionKind kind) const {
  std::vector<std::string> out;
  if (!client.in_pubsub) return out;
  auto& clients = workers_[client.worker]->clients;
  auto it = clients.find(client.id);
  if (it == clients.end()) return out;
  const auto& names = it->second.names[KindIndex(kind)];
  out.assign(names.begin(), names.end());
  return out;
}

void PubSub::StartMonitor(ClientState& client) {
  ClientEntry& entry = EntryOf(client);
  if (entry.monitor) return;
  entry.monitor = true;
  client.monitor = true;
  std::unique_lock lock(mutex_);
  monitors_.push_back({client.id, client.worker, entry.target});
  num_monitors_.fetch_add(1, std::memory_order_relaxed);
}

void PubSub::DropClient(ClientState& client) {
  if (!client.in_pubsub) return;
  client.in_pubsub = false;
  auto& clients = workers_[client.worker]->clients;
  auto found = clients.find(client.id);
  if (found == clients.end()) return;
  ClientEntry& entry = found->second;
  {
    std::unique_lock lock(mutex_);
    for (auto kind : {SubscriptionKind::kChannel, SubscriptionKind::kPattern,
                      SubscriptionKind::kShardChannel}) {
      ListenerMap& map = MapOf(kind);
      for (const std::string& name : entry.names[KindIndex(kind)]) {
        auto it = map.find(name);
        if (it == map.end()) continue;
        std::erase_if(it->second, [&](const Listener& l) { return l.client_id == client.id; });
        if (it->second.empty()) {
          if (kind == SubscriptionKind::kPattern) pattern_index_.Remove(name, &*it);
          map.erase(it);
          CounterOf(kind).fetch_sub(1, std::memory_order_relaxed);
        }
      }
    }
    if (entry.monitor) {
      std::erase_if(monitors_, [&](const Listener& l) { return l.client_id == client.id; });
      num_monitors_.fetch_sub(1, std::memory_order_relaxed);
    }
  }
  clients.erase(found);
  client.sub_channels = 0;
  client.sub_patterns = 0;
  client.sub_shard_channels = 0;
  client.monitor = false;
}

void PubSub::Deliver(const std::vector<Listener>& listeners, std::string_view frame, bool push,
                     Outbox& outbox) {
  SharedFrame* shared = nullptr;  // made for the first listener on another thread
  for (const Listener& listener : listeners) {
    if (static_cast<int>(listener.worker) == t_worker) {
      // Its own thread runs this: the target cannot be going away meanwhile.
      if (listener.target != nullptr) listener.target->Push(frame, push);
      continue;
    }
    if (shared == nullptr) shared = SharedFrame::Make(frame, push);
    shared->Ref();
    auto& items = outbox.by_worker[listener.worker];
    if (items.empty()) outbox.touched.push_back(listener.worker);
    items.push_back({listener.client_id, shared});
  }
  if (shared != nullptr) shared->Unref();
}

void PubSub::PostOutbox(Outbox& outbox) {
  for (uint32_t worker : outbox.touched) {
    auto* task = new Delivery(*this, worker, std::move(outbox.by_worker[worker]));
    outbox.by_worker[worker].clear();
    mailboxes_[worker]->Post(task);
  }
  outbox.touched.clear();
}

// This thread's frames for other threads, posted once per event-loop turn (FlushThread): one
// task per destination thread for everything published in the turn.
thread_local PubSub::Outbox t_outbox;

void PubSub::FlushThread() {
  if (!t_outbox.touched.empty()) PostOutbox(t_outbox);
}

void PubSub::PostOrHold(Outbox& outbox) {
  // A worker posts at the end of its turn (before anything it sends for other threads: see
  // turn_commit); a thread with no event loop (tests, the main thread) posts at once.
  if (t_worker < 0) PostOutbox(outbox);
}

size_t PubSub::Publish(std::string_view channel, std::string_view message, bool shard) {
  if (shard ? num_shard_channels_.load(std::memory_order_relaxed) == 0 : !HasSubscribers())
    return 0;
  Outbox& outbox = t_outbox;
  thread_local std::string frame;  // reused: no allocation per publish once warm
  if (outbox.by_worker.size() < workers_.size()) outbox.by_worker.resize(workers_.size());
  size_t receivers = 0;
  {
    std::shared_lock lock(mutex_);
    const ListenerMap& map = shard ? shard_channels_ : channels_;
    if (auto it = map.find(channel); it != map.end()) {
      frame.clear();
      frame.append(shard ? "*3\r\n$8\r\nsmessage\r\n" : "*3\r\n$7\r\nmessage\r\n");
      AppendRespBulk(&frame, channel);
      AppendRespBulk(&frame, message);
      Deliver(it->second, frame, true, outbox);
      receivers += it->second.size();
    }
    if (!shard) {
      pattern_index_.ForCandidates(channel, [&](const ListenerMap::value_type& candidate) {
        const auto& [pattern, listeners] = candidate;
        if (!GlobMatch(pattern, channel)) return;
        frame.clear();
        frame.append("*4\r\n$8\r\npmessage\r\n");
        AppendRespBulk(&frame, pattern);
        AppendRespBulk(&frame, channel);
        AppendRespBulk(&frame, message);
        Deliver(listeners, frame, true, outbox);
        receivers += listeners.size();
      });
    }
  }
  PostOrHold(outbox);
  return receivers;
}

void PubSub::FeedMonitors(const ClientState& client, int db,
                          std::span<const std::string_view> args) {
  Outbox& outbox = t_outbox;
  thread_local std::string line;
  if (outbox.by_worker.size() < workers_.size()) outbox.by_worker.resize(workers_.size());
  line.clear();
  FormatMonitorLine(line, WallClockUs(), db, client.addr, args);
  {
    std::shared_lock lock(mutex_);
    Deliver(monitors_, line, false, outbox);
  }
  PostOrHold(outbox);
}

std::vector<std::string> PubSub::ActiveChannels(bool shard, std::string_view pattern) const {
  std::vector<std::string> out;
  std::shared_lock lock(mutex_);
  for (const auto& [name, listeners] : shard ? shard_channels_ : channels_) {
    if (pattern.empty() || GlobMatch(pattern, name)) out.push_back(name);
  }
  return out;
}

size_t PubSub::SubscriberCount(bool shard, std::string_view channel) const {
  std::shared_lock lock(mutex_);
  const ListenerMap& map = shard ? shard_channels_ : channels_;
  auto it = map.find(channel);
  return it == map.end() ? 0 : it->second.size();
}

namespace {

bool EqualsNoCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x + 32);
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y + 32);
    if (x != y) return false;
  }
  return true;
}

// Which arguments MONITOR must not show: AUTH's, and HELLO's AUTH user and password (HELLO
// reads its options only after a valid protocol version, and stops at the first bad one).
bool Redacted(std::span<const std::string_view> args, size_t index) {
  if (EqualsNoCase(args[0], "auth")) return index >= 1;
  if (!EqualsNoCase(args[0], "hello") || args.size() < 2) return false;
  if (args[1] != "2" && args[1] != "3") return false;
  for (size_t j = 2; j < args.size();) {
    size_t more = args.size() - 1 - j;
    if (EqualsNoCase(args[j], "auth") && more >= 2) {
      if (index == j + 1 || index == j + 2) return true;
      j += 3;
    } else if (EqualsNoCase(args[j], "setname") && more >= 1) {
      j += 2;
    } else {
      break;
    }
  }
  return false;
}

}  // namespace

void FormatMonitorLine(std::string& out, int64_t now_us, int db, std::string_view addr,
                       std::span<const std::string_view> args) {
  char head[64];
  int n =
      snprintf(head, sizeof(head), "+%lld.%06lld [%d ", static_cast<long long>(now_us / 1000000),
               static_cast<long long>(now_us % 1000000), db);
  out.append(head, static_cast<size_t>(n));
  out.append(addr);
  out.append("] ");
  for (size_t i = 0; i < args.size(); ++i) {
    if (i > 0) out.push_back(' ');
    if (Redacted(args, i)) {
      out.append("\"(redacted)\"");
    } else {
      AppendQuotedRepr(out, args[i]);
    }
  }
  out.append("\r\n");
}

}  // namespace ember
