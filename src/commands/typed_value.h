#pragma once
// Looking up, creating and dropping collection values (lists, hashes, sets, sorted sets) for
// command handlers. A value type T names its record type as `static constexpr ValueType kType`.
#include <string_view>
#include <utility>

#include "keyspace/database.h"
#include "keyspace/record.h"

namespace ember {

template <class T>
struct TypedEntry {
  Database::Entry entry;
  T* value = nullptr;       // null when the key is missing or holds another type
  bool wrong_type = false;  // the key holds another type: reply err::kWrongType
};

// Finds `key` expecting a T. `for_read` counts a keyspace hit or miss; otherwise the value is
// about to change (Database::FindMutable): finish with FinishWrite once it has.
template <class T>
TypedEntry<T> FindTyped(Database& db, std::string_view key, int64_t now_ms, bool for_read) {
  TypedEntry<T> out;
  out.entry = for_read ? db.FindForRead(key, now_ms) : db.FindMutable(key, now_ms);
  if (!out.entry) return out;
  if (out.entry.record->type() != T::kType) {
    out.wrong_type = true;
    return out;
  }
  out.value = static_cast<T*>(out.entry.record->object());
  return out;
}

// Stores a new, empty T for the absent key at `found.entry` and returns it.
template <class T, class... Args>
T* CreateTyped(Database& db, TypedEntry<T>& found, std::string_view key, Args&&... args) {
  T* value = new T(std::forward<Args>(args)...);
  db.Put(found.entry, Record::NewObject(key, T::kType, value, 0));
  found.entry.object_bytes = value->AllocatedBytes();  // counted by Put; FinishWrite adds the rest
  found.value = value;
  return value;
}

// Redis never keeps an empty collection: deletes the key once its value is empty.
// Returns true when the key was deleted.
template <class T>
bool DeleteIfEmpty(Database& db, TypedEntry<T>& found) {
  if (found.value == nullptr || !found.value->empty()) return false;
  db.Erase(found.entry);
  found.value = nullptr;
  return true;
}

// The value at `found` changed in place: deletes the key when the value is now empty,
// otherwise tells the database (Database::PostUpdate). Returns true when the key was deleted.
template <class T>
bool FinishWrite(Database& db, TypedEntry<T>& found) {
  if (found.value == nullptr) return false;
  if (DeleteIfEmpty(db, found)) return true;
  db.PostUpdate(found.entry);
  return false;
}

}  // namespace ember
