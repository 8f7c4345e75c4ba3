#include "engine/client_tracking.h"

#include <algorithm>
#include <functional>

#include "commands/command.h"
#include "engine/engine.h"
#include "engine/journal.h"
#include "engine/task_queue.h"
#include "keyspace/segmented_table.h"

namespace ember {
namespace {

constexpr std::string_view kInvalidatePush = ">2\r\n$10\r\ninvalidate\r\n";
constexpr std::string_view kInvalidateMessage =
    "*3\r\n$7\r\nmessage\r\n$20\r\n__redis__:invalidate\r\n";

std::string OneKey(std::string_view key) {
  std::string out;
  AppendRespCommand(&out, std::span<const std::string_view>(&key, 1));
  return out;
}

// Runs a function on the thread that pops it (a shard's BCAST books, from a leaving client).
class FunctionTask final : public Task {
 public:
  explicit FunctionTask(std::function<void()> fn) : fn_(std::move(fn)) {}
  void Run() override {
    fn_();
    delete this;
  }

 private:
  std::function<void()> fn_;
};

}  // namespace

class ClientTracking::Delivery final : public Task {
 public:
  Delivery(ClientTracking& service, uint32_t worker, std::vector<Message> messages)
      : service_(service), worker_(worker), messages_(std::move(messages)) {}
  void Run() override {
    for (Message& m : messages_) service_.DeliverHere(worker_, std::move(m));
    delete this;
  }

 private:
  ClientTracking& service_;
  uint32_t worker_;
  std::vector<Message> messages_;
};

ClientTracking::ClientTracking(Engine& engine) : engine_(engine) {}

ShardTracking& ClientTracking::shard(uint32_t index) {
  return engine_.shard(index).tracking();
}

void ClientTracking::Enable(ClientState& client, uint64_t redirect, bool bcast, bool optin,
                            bool optout, bool noloop, std::span<const std::string_view> prefixes) {
  TrackingState& t = client.tracking;
  {
    std::lock_guard lock(mutex_);
    clients_[client.id] = client.worker;
  }
  if (!t.on) t.on_seq = seq_.fetch_add(1, std::memory_order_relaxed);
  t.on = true;
  t.broken_redirect = false;
  t.redirect = redirect;
  t.optin = optin;
  t.optout = optout;
  t.noloop = noloop;
  t.bcast = bcast;
  client.tracking_active = true;
  if (!bcast) return;
  std::vector<std::string_view> added(prefixes.begin(), prefixes.end());
  if (added.empty()) added.push_back("");
  for (std::string_view p : added) {
    auto it = std::lower_bound(t.prefixes.begin(), t.prefixes.end(), p);
    if (it != t.prefixes.end() && *it == p) continue;
    t.prefixes.insert(it, std::string(p));
    std::lock_guard lock(mutex_);
    ++prefixes_[std::string(p)];
  }
  // Every prefix again: NOLOOP may have changed for the old ones.
  for (uint32_t s = 0; s < engine_.num_shards(); ++s) {
    for (const std::string& p : t.prefixes)
      shard(s).broadcast.Subscribe(p, {client.id, client.worker}, noloop);
    engine_.shard(s).UpdateHooks();
  }
}

void ClientTracking::Disable(ClientState& client) {
  TrackingState& t = client.tracking;
  if (!t.on) return;
  if (t.bcast) {
    for (uint32_t s = 0; s < engine_.num_shards(); ++s) {
      shard(s).broadcast.Unsubscribe(client.id);
      engine_.shard(s).UpdateHooks();
    }
  }
  std::lock_guard lock(mutex_);
  clients_.erase(client.id);
  for (const std::string& p : t.prefixes) {
    auto it = prefixes_.find(p);
    if (it != prefixes_.end() && --it->second == 0) prefixes_.erase(it);
  }
  t.prefixes.clear();
  t.off_seq = seq_.fetch_add(1, std::memory_order_relaxed);
  t.on = false;
  t.bcast = false;
  t.broken_redirect = false;
  t.optin = t.optout = t.noloop = false;
  t.caching = false;
}

void ClientTracking::OnClientGone(ClientState& client) {
  TrackingState& t = client.tracking;
  if (!t.on) return;
  if (t.bcast) {
    uint64_t id = client.id;
    for (uint32_t s = 0; s < engine_.num_shards(); ++s) {
      Shard* owner = &engine_.shard(s);
      engine_.mailbox(s).Post(new FunctionTask([owner, id] {
        owner->tracking().broadcast.Unsubscribe(id);
        owner->UpdateHooks();
      }));
    }
  }
  t.bcast = false;  // the shards' books are left to the tasks
  Disable(client);
  client.after_reply_pushes.clear();
}

void ClientTracking::AfterCommand(const CommandSpec& spec, std::span<const std::string_view> args,
                                  ClientState& client, ReplyBuilder& reply) {
  TrackingState& t = client.tracking;
  if (t.on && !t.bcast && (spec.flags & kCmdReadOnly)) {
    // OPTIN: only after CLIENT CACHING YES; OPTOUT: unless after CLIENT CACHING NO.
    bool caching = t.caching;
    if (!((t.optin && !caching) || (t.optout && caching))) {
      thread_local std::vector<size_t> positions;
      CommandTable::KeyPositions(spec, args, &positions);
      for (size_t pos : positions) Remember(client, args[pos]);
    }
  }
  // CLIENT CACHING covers the next command only (all of a MULTI's, and CLIENT's own).
  if (t.caching && !client.in_exec && !client.in_multi && !spec.name.starts_with("client"))
    t.caching = false;
  if (!client.in_exec && !client.after_reply_pushes.empty()) {
    reply.output()->append(client.after_reply_pushes);
    client.after_reply_pushes.clear();
  }
  client.tracking_active = t.on || !client.after_reply_pushes.empty();
}

void ClientTracking::Remember(ClientState& client, std::string_view key) {
  ShardTracking& st = shard(engine_.ShardOfKey(key));
  auto [keys, items] = st.table.Remember(key, HashKey(key), {client.id, client.worker});
  if (keys == 0 && items == 0) return;
  int64_t total = total_keys_.fetch_add(keys, std::memory_order_relaxed) + keys;
  total_items_.fetch_add(items, std::memory_order_relaxed);
  if (keys == 1 && st.table.keys() == 1)
    engine_.shard(st.shard).UpdateHooks();  // the table woke up
  // tracking-table-max-keys: forget keys of this shard (each an invalidation) until the whole
  // table fits again, as Redis does with random ones.
  int64_t max = engine_.config().tracking_table_max_keys;
  while (max > 0 && total > max) {
    if (!st.table.TakeAny([&](const TrackingTable::Entry& e) { Invalidate(st, e); })) break;
    total = total_keys_.load(std::memory_order_relaxed);
  }
}

bool ClientTracking::TellWriter(const TrackedClient& target, std::string_view payload, bool null) {
  ClientState* writer = t_command_client;
  if (writer == nullptr || writer->id != target.id) return false;
  const TrackingState& t = writer->tracking;
  if (t.noloop) return true;  // NOLOOP: nothing about its own writes
  if (t.redirect != 0 || !t.on) return false;
  if (writer->resp >= 3) {
    writer->after_reply_pushes.append(kInvalidatePush);
    writer->after_reply_pushes.append(null ? std::string_view("_\r\n") : payload);
    writer->tracking_active = true;
  }
  return true;
}

void ClientTracking::Invalidate(ShardTracking& st, const TrackingTable::Entry& entry) {
  total_keys_.fetch_sub(1, std::memory_order_relaxed);
  total_items_.fetch_sub(static_cast<int64_t>(entry.readers.size()), std::memory_order_relaxed);
  std::string payload = OneKey(entry.key);
  uint64_t seq = seq_.fetch_add(1, std::memory_order_relaxed);
  for (const TrackedClient& reader : entry.readers) {
    if (TellWriter(reader, payload, false)) continue;
    if (st.pending.size() <= reader.worker) st.pending.resize(engine_.num_shards());
    st.pending[reader.worker].push_back({reader.id, seq, payload});
    st.has_pending = true;
  }
}

void ClientTracking::KeyChanged(ShardTracking& st, uint64_t hash, std::string_view key) {
  if (!st.table.empty()) {
    st.table.Take(hash, [&](const TrackingTable::Entry& e) { Invalidate(st, e); });
    if (st.table.empty()) engine_.shard(st.shard).UpdateHooks();
  }
  if (!st.broadcast.empty()) {
    ClientState* writer = t_command_client;
    st.broadcast.KeyChanged(key, writer != nullptr ? writer->id : 0);
  }
}

void ClientTracking::Flushed(ClientState& flusher) {
  std::vector<std::pair<uint64_t, uint32_t>> targets;
  {
    std::lock_guard lock(mutex_);
    targets.assign(clients_.begin(), clients_.end());
  }
  std::sort(targets.begin(), targets.end());
  for (auto [id, worker] : targets) {
    if (id == flusher.id && flusher.tracking.redirect == 0) {
      if (flusher.resp >= 3) {
        flusher.after_reply_pushes.append(kInvalidatePush);
        flusher.after_reply_pushes.append("_\r\n");
        flusher.tracking_active = true;
      }
      continue;
    }
    Send(worker, Message{id, 0, Kind::kNull, false, {}});
  }
  for (uint32_t s = 0; s < engine_.num_shards(); ++s) {
    ShardTracking& st = shard(s);
    total_keys_.fetch_sub(static_cast<int64_t>(st.table.keys()), std::memory_order_relaxed);
    total_items_.fetch_sub(static_cast<int64_t>(st.table.items()), std::memory_order_relaxed);
    st.table.Clear();
    engine_.shard(s).UpdateHooks();
  }
}

void ClientTracking::FlushShard(uint32_t index) {
  ShardTracking& st = shard(index);
  if (st.broadcast.has_changes()) {
    std::vector<std::string_view> keys;
    st.broadcast.Flush([&](const BroadcastTable::Prefix& p) {
      for (const BroadcastTable::Subscriber& sub : p.subscribers) {
        keys.clear();
        for (const auto& [key, writer] : p.changed) {
          if (!(sub.noloop && writer == sub.client.id)) keys.push_back(key);
        }
        if (keys.empty()) continue;
        std::string payload;
        AppendRespCommand(&payload, keys);
        Send(sub.client.worker,
             Message{sub.client.id, 0, Kind::kBroadcast, false, std::move(payload)});
      }
    });
  }
  if (!st.has_pending) return;
  st.has_pending = false;
  for (uint32_t worker = 0; worker < st.pending.size(); ++worker) {
    auto& list = st.pending[worker];
    if (list.empty()) continue;
    std::vector<Message> messages;
    messages.reserve(list.size());
    for (auto& p : list)
      messages.push_back(Message{p.client_id, p.seq, Kind::kDefault, false, std::move(p.payload)});
    list.clear();
    Post(worker, std::move(messages));
  }
}

void ClientTracking::Send(uint32_t worker, Message message) {
  if (static_cast<int>(worker) == PubSub::bound_worker())
    return DeliverHere(worker, std::move(message));
  std::vector<Message> one;
  one.push_back(std::move(message));
  Post(worker, std::move(one));
}

void ClientTracking::Post(uint32_t worker, std::vector<Message> messages) {
  if (static_cast<int>(worker) == PubSub::bound_worker()) {
    for (Message& m : messages) DeliverHere(worker, std::move(m));
    return;
  }
  engine_.mailbox(worker).Post(new Delivery(*this, worker, std::move(messages)));
}

void ClientTracking::DeliverHere(uint32_t worker, Message m) {
  ClientState* c = engine_.pubsub().LocalClient(m.client_id, worker);
  if (c == nullptr) {
    c = engine_.clients().FindOn(m.client_id, worker);
    if (c == nullptr) return;  // closed meanwhile
    engine_.pubsub().Enlist(*c);
  }
  if (!m.redirected) {
    const TrackingState& t = c->tracking;
    if (!t.on) return;
    if (m.seq > t.off_seq && m.seq < t.on_seq) return;  // made while tracking was off
    if (m.kind == Kind::kDefault && t.bcast) return;
    if (m.kind == Kind::kBroadcast && !t.bcast) return;
    uint64_t redirect = t.redirect;
    // The null goes in the tracking client's protocol, wherever it is redirected (as Redis).
    if (m.kind == Kind::kNull) m.payload = c->resp >= 3 ? "_\r\n" : "$-1\r\n";
    if (redirect != 0) {
      auto target = engine_.clients().WorkerOf(redirect);
      if (!target) {
        c->tracking.broken_redirect = true;
        if (c->resp >= 3 && c->push_target != nullptr) {
          std::string frame =
              ">2\r\n$21\r\ntracking-redir-broken\r\n:" + std::to_string(redirect) + "\r\n";
          c->push_target->Push(frame, false);
        }
        return;
      }
      m.client_id = redirect;
      m.redirected = true;
      if (*target == worker) return DeliverHere(worker, std::move(m));
      return Send(*target, std::move(m));
    }
  }
  if (c->push_target == nullptr) return;
  std::string frame;
  if (c->resp >= 3) {
    frame.append(kInvalidatePush);
    frame.append(m.payload);
  } else if (m.redirected && c->subscribed()) {
    frame.append(kInvalidateMessage);
    frame.append(m.payload);
  } else {
    return;  // RESP2 without a subscribed redirect target: nothing can carry it
  }
  c->push_target->Push(frame, false);
}

size_t ClientTracking::num_clients() {
  std::lock_guard lock(mutex_);
  return clients_.size();
}

size_t ClientTracking::num_prefixes() {
  std::lock_guard lock(mutex_);
  return prefixes_.size();
}

}  // namespace ember
