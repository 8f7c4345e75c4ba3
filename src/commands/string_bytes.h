#pragma once
// Byte-level access to string values for the commands that edit them bit by bit (SETBIT,
// BITFIELD, BITOP, the HyperLogLog commands): int-encoded values read as their decimal text
// and become raw strings when written, as in Redis.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "keyspace/database.h"
#include "keyspace/record.h"

namespace ember {

// Room for any int64 in decimal.
inline constexpr size_t kStringIntBufSize = 24;

// The string value's bytes; an int-encoded one is formatted into `buf`.
std::string_view StringBytes(const Record* r, char (&buf)[kStringIntBufSize]);

// Makes the string at `entry` (missing: created, empty) a raw value of at least `min_len`
// bytes, zero-filling what it adds, and returns its writable bytes (*len: the length now).
// A write path: `entry` comes from FindMutable (or Find for a key about to be created); once
// the bytes have changed, finish with db.PostUpdate(entry).
uint8_t* WritableStringBytes(Database& db, Database::Entry& entry, std::string_view key,
                             size_t min_len, size_t* len);

}  // namespace ember
