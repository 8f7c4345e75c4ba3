#pragma once
// Keyspace notifications (notify-keyspace-events): a command that changed a key, and the
// keyspace itself on expiry and eviction, announce it as pub/sub messages on
// __keyspace@<db>__:<key> (message: the event) and __keyevent@<db>__:<event> (message: the
// key). Announcing costs one relaxed load and a branch while the classes are off (the default).
#include <atomic>
#include <cstdint>
#include <string>
#include <string_view>

namespace ember {

// notify-keyspace-events classes. A: every data-type class (g$lshzxetd), not K E m n.
enum NotifyFlag : uint32_t {
  kNotifyKeyspace = 1 << 0,  // K
  kNotifyKeyevent = 1 << 1,  // E
  kNotifyGeneric = 1 << 2,   // g
  kNotifyString = 1 << 3,    // $
  kNotifyList = 1 << 4,      // l
  kNotifySet = 1 << 5,       // s
  kNotifyHash = 1 << 6,      // h
  kNotifyZset = 1 << 7,      // z
  kNotifyExpired = 1 << 8,   // x
  kNotifyEvicted = 1 << 9,   // e
  kNotifyStream = 1 << 10,   // t
  kNotifyKeyMiss = 1 << 11,  // m
  kNotifyModule = 1 << 12,   // d
  kNotifyNew = 1 << 13,      // n
};
inline constexpr uint32_t kNotifyAll = kNotifyGeneric | kNotifyString | kNotifyList | kNotifySet |
                                       kNotifyHash | kNotifyZset | kNotifyExpired | kNotifyEvicted |
                                       kNotifyStream | kNotifyModule;

// Where announcements go: the pub/sub layer publishes them to whoever subscribed, from any
// shard thread. Set once at start-up.
// `listening` says whether anyone subscribed at all (nothing is formatted otherwise).
using EventPublisher = void (*)(void* context, std::string_view channel, std::string_view message);
using EventListening = bool (*)(void* context);
void SetEventPublisher(EventPublisher publisher, EventListening listening, void* context);
// Forgets the publisher if it is `context`'s (its engine is going).
void ClearEventPublisher(void* context);

// The configured classes, or 0 when neither K nor E is on (nothing would be announced).
void SetActiveNotifyFlags(uint32_t flags);
inline std::atomic<uint32_t> g_notify_flags{0};

void AnnounceKeyspaceEvent(uint32_t type, std::string_view event, std::string_view key, int db);

// A command or the keyspace changed `key` of database `db` in a way of class `type`.
inline void NotifyKeyspaceEvent(uint32_t type, std::string_view event, std::string_view key,
                                int db) {
  if ((g_notify_flags.load(std::memory_order_relaxed) & type) == 0) [[likely]]
    return;
  AnnounceKeyspaceEvent(type, event, key, db);
}

}  // namespace ember
