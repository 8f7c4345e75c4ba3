#include "keyspace/database.h"

#include <algorithm>
#include <utility>

#include "engine/keyspace_events.h"
#include "keyspace/access_stamp.h"

namespace ember {

thread_local bool Database::no_touch_ = false;
thread_local bool Database::loading_ = false;
thread_local uint64_t Database::thread_changes_ = 0;

Database::~Database() {
  Clear();
}

Database::Entry Database::Find(std::string_view key, int64_t now_ms) {
  Entry entry = Peek(key, now_ms);
  if (entry && !no_touch_) entry.record->set_lru(TouchAccessStamp(entry.record->lru(), now_ms));
  return entry;
}

Database::Entry Database::Peek(std::string_view key, int64_t now_ms) {
  last_now_ms_ = now_ms;
  Entry entry;
  entry.hash = HashKey(key);
  entry.slot = table_.Find(key, entry.hash);
  if (!entry.slot) return entry;
  Record* record = table_.Get(entry.slot);
  if (record->has_expire() && record->expire_ms() <= now_ms && !loading_) {
    DeleteExpired(entry.slot, record);
    entry.slot = {};
    return entry;
  }
  entry.record = record;
  return entry;
}

void Database::NotifyAdded(std::string_view key) {
  if (observer_ != nullptr && observer_->active) observer_->OnKeyAdded(index_, key);
  NotifyKeyspaceEvent(kNotifyNew, "new", key, index_);
}

void Database::NotifyDeleted(std::string_view key, DeleteCause cause) {
  if (write_observer_ != nullptr && write_observer_->active) [[unlikely]]
    write_observer_->OnDeleted(index_, key, cause);
  if (cause == DeleteCause::kExpired) {
    NotifyKeyspaceEvent(kNotifyExpired, "expired", key, index_);
  } else {
    NotifyKeyspaceEvent(kNotifyEvicted, "evicted", key, index_);
  }
}

void Database::DeleteExpired(SegmentedTable::Slot slot, Record* record) {
  PreUpdate(HashKey(record->key()), record->key());
  NotifyDeleted(record->key(), DeleteCause::kExpired);
  record_bytes_ -= record->AllocatedBytes();
  object_bytes_ -= ObjectBytes(record);
  Record::Free(table_.Erase(slot));
  ++stats_->expired_keys;
}

Database::Entry Database::FindMutable(std::string_view key, int64_t now_ms) {
  Entry entry = Find(key, now_ms);
  if (entry) {
    PreUpdate(entry.hash, key, /*certain=*/false);
    entry.object_bytes = ObjectBytes(entry.record);
  }
  return entry;
}

void Database::PostUpdate(Entry& entry) {
  size_t bytes = ObjectBytes(entry.record);
  object_bytes_ += bytes - entry.object_bytes;  // wraps correctly when the value shrank
  entry.object_bytes = bytes;
  ++stats_->changes;
  ++thread_changes_;
  if (write_observer_ != nullptr && write_observer_->active) [[unlikely]]
    write_observer_->AfterUpdate(*this, entry.hash, entry.record->key());
}

Database::Entry Database::FindForRead(std::string_view key, int64_t now_ms, bool touch) {
  Entry entry = touch ? Find(key, now_ms) : Peek(key, now_ms);
  if (entry) {
    ++stats_->keyspace_hits;
  } else {
    ++stats_->keyspace_misses;
    NotifyKeyspaceEvent(kNotifyKeyMiss, "keymiss", key, index_);
  }
  return entry;
}

void Database::Put(Entry& entry, Record* record) {
  PreUpdate(entry.hash, record->key());
  ++stats_->changes;
  ++thread_changes_;
  record_bytes_ += record->AllocatedBytes();
  // An overwrite keeps the key's access history, as in Redis; a new key starts fresh.
  record->set_lru(entry.record != nullptr ? entry.record->lru() : NewAccessStamp(last_now_ms_));
  if (entry.record != nullptr) {
    record_bytes_ -= entry.record->AllocatedBytes();
    bool same_object = entry.record->encoding() == Encoding::kObject &&
                       record->encoding() == Encoding::kObject &&
                       entry.record->object() == record->object();
    if (!same_object) object_bytes_ += ObjectBytes(record) - ObjectBytes(entry.record);
    if (entry.record != record) ReleaseReplaced(entry.record, record);
    table_.Replace(entry.slot, record);
  } else {
    object_bytes_ += ObjectBytes(record);
    table_.Insert(record, entry.hash);
    entry.slot = table_.Find(record->key(), entry.hash);
    NotifyAdded(record->key());
  }
  entry.record = record;
}

void Database::Insert(Record* record) {
  uint64_t hash = HashKey(record->key());
  PreUpdate(hash, record->key());
  ++stats_->changes;
  ++thread_changes_;
  record_bytes_ += record->AllocatedBytes();
  object_bytes_ += ObjectBytes(record);
  record->set_lru(NewAccessStamp(last_now_ms_));
  table_.Insert(record, hash);
  NotifyAdded(record->key());
}

Record* Database::Detach(Entry& entry) {
  PreUpdate(entry.hash, entry.record->key());
  ++stats_->changes;
  ++thread_changes_;
  Record* record = table_.Erase(entry.slot);
  record_bytes_ -= record->AllocatedBytes();
  object_bytes_ -= ObjectBytes(record);
  entry = Entry{{}, nullptr, entry.hash};
  return record;
}

void Database::Erase(Entry& entry) {
  Record::Free(Detach(entry));
}

void Database::Evict(Entry& entry) {
  NotifyDeleted(entry.record->key(), DeleteCause::kEvicted);
  Erase(entry);
}

void Database::EraseKeepingObject(Entry& entry) {
  Record::FreeShell(Detach(entry));
}

void Database::ReleaseReplaced(Record* old_record, const Record* new_record) {
  bool shares_object = old_record->encoding() == Encoding::kObject &&
                       new_record->encoding() == Encoding::kObject &&
                       old_record->object() == new_record->object();
  shares_object ? Record::FreeShell(old_record) : Record::Free(old_record);
}

void Database::Clear() {
  if (write_observer_ != nullptr && write_observer_->active) [[unlikely]]
    write_observer_->BeforeClear(*this);
  ++thread_changes_;
  table_.Clear();
  record_bytes_ = 0;
  object_bytes_ = 0;
  sweep_cursor_ = 0;
}

int64_t Database::ttl_sum_ms(int64_t now_ms) const {
  // Sampled, like Redis's avg_ttl: walk a few segments' worth of records.
  int64_t sum = 0, n = 0;
  table_.Scan(0, 64, [&](Record* r) {
    if (r->has_expire()) {
      sum += std::max<int64_t>(0, r->expire_ms() - now_ms);
      ++n;
    }
  });
  return n == 0 ? 0 : sum / n;
}

std::pair<size_t, size_t> Database::SweepExpired(int64_t now_ms, size_t max_segments) {
  size_t expired = 0;
  size_t checked =
      table_.SweepExpiring(&sweep_cursor_, max_segments, [&](SegmentedTable::Slot slot, Record* r) {
        if (r->expire_ms() > now_ms || loading_) return false;
        DeleteExpired(slot, r);
        ++expired;
        return true;
      });
  // A table emptied by expiry gives its segments back (one step over the now-empty segments).
  if (expired > 0 && table_.size() == 0) Clear();
  return {checked, expired};
}

void Database::Swap(Database& other) {
  if (write_observer_ != nullptr && write_observer_->active) [[unlikely]] {
    write_observer_->BeforeClear(*this);
    write_observer_->BeforeClear(other);
  }
  ++thread_changes_;
  // Tables are not movable (segments are owned by pointer); swap through the members.
  std::swap(record_bytes_, other.record_bytes_);
  std::swap(object_bytes_, other.object_bytes_);
  std::swap(sweep_cursor_, other.sweep_cursor_);
  table_.Swap(other.table_);
}

}  // namespace ember
