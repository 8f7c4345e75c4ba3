#pragma once
// What the server knows about one client connection: identity, selected DB, protocol.
#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace ember {

namespace acl {
struct User;
}
class PushTarget;
class Session;
struct TransactionState;
struct Waiter;

// A field its own thread writes and CLIENT LIST on any thread reads: relaxed atomic stores and
// loads, which cost what plain ones do, so readers never race.
template <typename T>
class Published {
 public:
  Published(T value = T()) : value_(value) {}  // NOLINT: reads like the plain field it replaces
  Published& operator=(T value) {
    value_.store(value, std::memory_order_relaxed);
    return *this;
  }
  operator T() const { return value_.load(std::memory_order_relaxed); }  // NOLINT

 private:
  std::atomic<T> value_;
};

// CLIENT TRACKING's settings (engine/client_tracking.h). The Published ones are read by other
// threads (deliveries on the client's thread run while its CLIENT TRACKING holds every shard;
// CLIENT LIST); the others only by the client's own commands.
struct TrackingState {
  Published<bool> on = false;
  Published<bool> bcast = false;
  Published<bool> broken_redirect = false;
  Published<uint64_t> redirect = 0;
  // CLIENT CACHING YES/NO given for the next command (the session reads it while a command of
  // the client may be ending it on another shard).
  Published<bool> caching = false;
  // When tracking last went off and on again (ClientTracking's sequence): an invalidation made
  // in between, still on its way when tracking came back, is dropped, as Redis never sent it.
  Published<uint64_t> off_seq = 0;
  Published<uint64_t> on_seq = 0;
  bool optin = false;
  bool optout = false;
  bool noloop = false;
  std::vector<std::string> prefixes;  // BCAST, sorted
};

struct ClientState {
  uint64_t id = 0;
  int fd = -1;
  uint32_t worker = 0;
  // Written by its own thread under the client registry's lock (ClientRegistry::SetName), read
  // by others under that lock.
  std::string name;
  std::string addr;   // peer ip:port
  std::string laddr;  // local ip:port
  Published<int> db = 0;
  Published<int> resp = 2;
  int64_t created_ms = 0;
  Published<int64_t> last_active_ms = 0;
  // What CLIENT LIST shows, published by the client's own thread and read by any other: the
  // last command's name (static storage, see CommandTable::DisplayName()) and the bytes in its
  // buffers.
  std::atomic<const char*> last_command{"NULL"};
  std::atomic<uint64_t> qbuf{0};       // input received but not yet run
  std::atomic<uint64_t> qbuf_free{0};  // room left in the read buffer
  std::atomic<uint64_t> omem{0};       // replies not yet taken by the kernel
  std::atomic<uint64_t> tot_mem{0};    // the connection's buffers and state, allocated
  std::atomic<uint64_t> rbs{0};        // the read buffer's size
  std::atomic<uint64_t> rbp{0};        // the most of it in use since it last shrank
  // Publishes the sizes above now (CLIENT INFO/LIST of the client running it): its own
  // connection's hook.
  void (*publish_sizes)(void* connection) = nullptr;
  void* connection = nullptr;
  bool close_after_reply = false;  // QUIT, CLIENT KILL of itself
  // PSYNC gave the socket to the replication sender: closing must not shut it down.
  bool socket_handed_off = false;
  int repl_listening_port = 0;  // REPLCONF listening-port
  // False only while a password is required and the client has not given it yet.
  bool authenticated = true;
  // The ACL user the client runs as (acl/acl_registry.h; null until its first command: the
  // default user). Written by its own thread under the client registry's lock
  // (ClientRegistry::SetUser), read by others under that lock. The registry generation it was
  // looked up at, and whether it may run anything (then no ACL check runs).
  std::shared_ptr<const acl::User> user;
  uint64_t acl_generation = 0;
  bool acl_unrestricted = true;
  std::atomic<bool> kill_requested{false};
  // Set by a blocking command that parked the client (engine/blocking.h); the session takes it.
  std::shared_ptr<Waiter> block_waiter;
  Session* session = nullptr;  // the connection's session, for waking a blocked client
  bool block_retry = false;    // re-running after a wake-up: queue again at the front
  // Set by a command that parked with arguments that must not be read again as given (XREAD's
  // `$` is the last id when it parked): the session re-runs these instead.
  std::vector<std::string> block_rewritten_args;
  // Parked in a blocking command, for CLIENT UNBLOCK on other threads; which asks the home thread
  // to end the wait through unblock_request (kUnblockTimeout or kUnblockError).
  Published<bool> parked = false;
  std::atomic<int> unblock_request{0};
  static constexpr int kUnblockTimeout = 1, kUnblockError = 2;
  // CLIENT REPLY OFF / SKIP: replies are dropped (all of them, or the next command's).
  bool reply_off = false;
  bool no_touch = false;             // CLIENT NO-TOUCH: reads leave keys' access times alone
  Published<bool> no_evict = false;  // CLIENT NO-EVICT: maxmemory-clients never closes it
  bool skip_next_reply = false;
  // MULTI / WATCH state (commands/transaction.h); null until the client first uses either.
  std::shared_ptr<TransactionState> tx;
  // True while EXEC runs the queue: blocking commands answer as if their timeout had passed.
  bool in_exec = false;
  // EVAL routing (scripting/): the session runs this script with every shard held; the script
  // asked to run again so (it reached a shard it did not hold before writing anything).
  bool script_all_shards = false;
  bool script_retry_all_shards = false;
  Published<bool> in_multi = false;  // between MULTI and EXEC/DISCARD (CLIENT LIST's flags: x)
  Published<int> multi_queued = 0;   // commands queued since MULTI (CLIENT LIST's multi=)
  // Pub/sub (engine/pubsub.h): where pushes for this client land (its connection; null in
  // in-process tests), and its subscription counts, published for CLIENT LIST. in_pubsub: in
  // the registry's books (subscriptions or MONITOR), so closing must drop it.
  PushTarget* push_target = nullptr;
  bool in_pubsub = false;
  Published<int> sub_channels = 0;
  Published<int> sub_patterns = 0;
  Published<int> sub_shard_channels = 0;
  Published<bool> monitor = false;
  // Subscribed to anything: RESP2 then allows only the subscribed-mode commands, and the
  // pubsub output limits apply.
  bool subscribed() const { return sub_channels + sub_patterns + sub_shard_channels > 0; }
  TrackingState tracking;
  // Tracking is on, or invalidations of its own writes wait in after_reply_pushes: the one
  // branch a command of any client pays for client tracking.
  bool tracking_active = false;
  // Invalidations this client's own command caused, sent right after its reply (as Redis).
  // Written by whoever runs the client's command, which is also who appends its reply.
  std::string after_reply_pushes;
};

}  // namespace ember
