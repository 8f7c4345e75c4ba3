#include "engine/engine.h"

#include "commands/command.h"
#include "common/clock.h"
#include "engine/keyspace_events.h"
#include "engine/slow_command_watch.h"
#include "persistence/background_snapshot.h"

namespace ember {

void ClientRegistry::Add(ClientState* client) {
  std::lock_guard lock(mutex_);
  clients_[client->id] = client;
}

void ClientRegistry::Remove(ClientState* client) {
  std::lock_guard lock(mutex_);
  clients_.erase(client->id);
}

void ClientRegistry::SetName(ClientState* client, std::string_view name) {
  std::lock_guard lock(mutex_);
  client->name.assign(name);
}

void ClientRegistry::SetUser(ClientState* client, std::shared_ptr<const acl::User> user) {
  std::lock_guard lock(mutex_);
  client->user = std::move(user);
}

std::string ClientRegistry::NameOf(const ClientState& client) {
  std::lock_guard lock(mutex_);
  return client.name;
}

ClientState* ClientRegistry::FindOn(uint64_t id, uint32_t worker) {
  std::lock_guard lock(mutex_);
  auto it = clients_.find(id);
  return it == clients_.end() || it->second->worker != worker ? nullptr : it->second;
}

std::optional<uint32_t> ClientRegistry::WorkerOf(uint64_t id) {
  std::lock_guard lock(mutex_);
  auto it = clients_.find(id);
  if (it == clients_.end()) return std::nullopt;
  return it->second->worker;
}

int64_t ClientRegistry::LiveCount() {
  std::lock_guard lock(mutex_);
  int64_t live = 0;
  for (auto& [id, client] : clients_)
    live += !client->kill_requested.load(std::memory_order_relaxed);
  return live;
}

Engine::Engine(ServerConfig config)
    : config_(std::move(config)),
      client_memory_(config_.shards == 0 ? 1 : config_.shards),
      start_time_ms_(WallClockMs()) {
  // A new server: the default user only (requirepass its password); --aclfile loads later.
  acl::Registry::Instance().Reset(config_.requirepass);
  uint32_t n = config_.shards == 0 ? 1 : config_.shards;
  for (uint32_t i = 0; i < n; ++i) {
    shards_.push_back(std::make_unique<Shard>(i));
    mailboxes_.push_back(std::make_unique<Mailbox>());
  }
  std::vector<Mailbox*> mailboxes;
  for (auto& mailbox : mailboxes_) mailboxes.push_back(mailbox.get());
  pubsub_ = std::make_unique<PubSub>(mailboxes);
  tracking_ = std::make_unique<ClientTracking>(*this);
  for (auto& shard : shards_) shard->tracking().service = tracking_.get();
  SetActiveNotifyFlags(config_.notify_keyspace_events);
  ApplySlowCommandThresholds(config_);
  SetEventPublisher(
      [](void* engine, std::string_view channel, std::string_view message) {
        PublishMessage(*static_cast<Engine*>(engine), channel, message);
      },
      [](void* engine) { return static_cast<Engine*>(engine)->pubsub().HasSubscribers(); }, this);
}

Engine::~Engine() {
  ClearEventPublisher(this);
}

size_t PublishMessage(Engine& engine, std::string_view channel, std::string_view message) {
  return engine.pubsub().Publish(channel, message);
}

void Engine::Pause(int64_t until_ms, bool writes_only, int64_t now_ms) {
  bool active = pause_until_ms() > now_ms;
  pause_writes_only_.store(writes_only && (!active || pause_writes_only_.load()),
                           std::memory_order_relaxed);
  if (!active || until_ms > pause_until_ms())
    pause_until_ms_.store(until_ms, std::memory_order_relaxed);
}

void Engine::Unpause() {
  pause_until_ms_.store(0, std::memory_order_relaxed);
  for (auto& mailbox : mailboxes_) mailbox->Wake();  // paused clients go on at once
}

bool Engine::PausedFor(uint32_t command_flags, int64_t now_ms) const {
  int64_t until = pause_until_ms();
  if (until == 0 || now_ms >= until) return false;
  return !pause_writes_only_.load(std::memory_order_relaxed) || (command_flags & kCmdWrite);
}

void Engine::RequestShutdown() {
  shutdown_requested_.store(true, std::memory_order_release);
  for (auto& mailbox : mailboxes_) mailbox->Wake();
}

Database& CommandContext::Db(std::string_view key) {
  uint32_t shard = key_shard >= 0 ? static_cast<uint32_t>(key_shard) : engine.ShardOfKey(key);
  return engine.shard(shard).db(client.db);
}

Database& CommandContext::DbOnShard(uint32_t shard) {
  return engine.shard(shard).db(client.db);
}

uint32_t CommandContext::num_shards() const {
  return engine.num_shards();
}

}  // namespace ember

namespace ember {

void Shard::WriteHooks::BeforeWrite(Database& db, uint64_t hash, std::string_view key,
                                    bool certain) {
  if (snapshot != nullptr) snapshot->BeforeWrite(shard, db, hash);
  if (certain && tracking->active()) tracking->service->KeyChanged(*tracking, hash, key);
  if (certain && !watches->empty()) {
    watches->Touch(db.index(), hash);
    Update();
  }
}

void Shard::WriteHooks::AfterUpdate(Database& db, uint64_t hash, std::string_view key) {
  if (tracking->active()) tracking->service->KeyChanged(*tracking, hash, key);
  if (!watches->empty()) {
    watches->Touch(db.index(), hash);
    Update();
  }
}

void Shard::WriteHooks::BeforeClear(Database& db) {
  if (snapshot != nullptr) snapshot->BeforeClear(shard, db);
  if (!watches->empty()) {
    watches->TouchExisting(db.index(), db);
    Update();
  }
}

namespace {

// The AOF and the replication stream: the same records to each; offsets and syncs are the AOF's.
class JournalTee final : public DurableLog {
 public:
  JournalTee(DurableLog& aof, JournalSink& replication) : aof_(aof), replication_(replication) {}
  uint64_t Append(std::string_view records) override {
    uint64_t offset = aof_.Append(records);
    replication_.Append(records);
    return offset;
  }
  void SyncUpTo(uint64_t offset) override { aof_.SyncUpTo(offset); }
  bool sync_always() const override { return aof_.sync_always(); }

 private:
  DurableLog& aof_;
  JournalSink& replication_;
};

// The replication stream alone: nothing to sync.
class ReplicationOnly final : public DurableLog {
 public:
  explicit ReplicationOnly(JournalSink& replication) : replication_(replication) {}
  uint64_t Append(std::string_view records) override { return replication_.Append(records); }
  void SyncUpTo(uint64_t) override {}
  bool sync_always() const override { return false; }

 private:
  JournalSink& replication_;
};

}  // namespace

bool Engine::KillClient(ClientState& client) {
  if (client.kill_requested.exchange(true, std::memory_order_relaxed)) return false;
  stats_.connected_clients.fetch_sub(1, std::memory_order_relaxed);
  shard(client.worker).kills_pending.store(true, std::memory_order_release);
  mailbox(client.worker).Wake();
  return true;
}

void Engine::set_durable_log(DurableLog* log) {
  aof_log_ = log;
  UpdateJournalSinks();
}

void Engine::set_replication_sink(JournalSink* sink) {
  replication_sink_ = sink;
  UpdateJournalSinks();
}

void Engine::UpdateJournalSinks() {
  std::unique_ptr<DurableLog> old = std::move(journal_tee_);  // freed after the switch
  if (replication_sink_ != nullptr && aof_log_ != nullptr) {
    journal_tee_ = std::make_unique<JournalTee>(*aof_log_, *replication_sink_);
  } else if (replication_sink_ != nullptr) {
    journal_tee_ = std::make_unique<ReplicationOnly>(*replication_sink_);
  }
  durable_log_ = journal_tee_ ? journal_tee_.get() : aof_log_;
  bool on = durable_log_ != nullptr;
  Journal::set_enabled(on);
  for (auto& shard : shards_) shard->set_journaling(on);
}

}  // namespace ember
