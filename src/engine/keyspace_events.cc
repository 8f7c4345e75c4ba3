#include "engine/keyspace_events.h"

namespace ember {
namespace {

EventPublisher g_publisher = nullptr;
EventListening g_listening = nullptr;
void* g_publisher_context = nullptr;

}  // namespace

void SetEventPublisher(EventPublisher publisher, EventListening listening, void* context) {
  g_publisher = publisher;
  g_listening = listening;
  g_publisher_context = context;
}

void ClearEventPublisher(void* context) {
  if (g_publisher_context != context) return;
  g_publisher = nullptr;
  g_listening = nullptr;
  g_publisher_context = nullptr;
}

void SetActiveNotifyFlags(uint32_t flags) {
  bool announced = (flags & (kNotifyKeyspace | kNotifyKeyevent)) != 0;
  g_notify_flags.store(announced ? flags : 0, std::memory_order_relaxed);
}

void AnnounceKeyspaceEvent(uint32_t type, std::string_view event, std::string_view key, int db) {
  (void)type;
  if (g_publisher == nullptr || !g_listening(g_publisher_context)) return;
  uint32_t flags = g_notify_flags.load(std::memory_order_relaxed);
  std::string channel;
  std::string db_text = std::to_string(db);
  if (flags & kNotifyKeyspace) {
    channel.reserve(16 + db_text.size() + key.size());
    channel.append("__keyspace@").append(db_text).append("__:").append(key);
    g_publisher(g_publisher_context, channel, event);
  }
  if (flags & kNotifyKeyevent) {
    channel.clear();
    channel.append("__keyevent@").append(db_text).append("__:").append(event);
    g_publisher(g_publisher_context, channel, key);
  }
}

}  // namespace ember
