#pragma once
// Writes Redis RDB version 10 (what redis-server 7.0 writes and reads). Free functions that
// append to a string and read only the Record, so a shard thread can serialise its own keys
// into chunks while the file writer (snapshot.h) drains them.
//
// A file is: AppendRdbHeader, then per database AppendSelectDb and AppendRdbEntry per key,
// then AppendRdbEof with the CRC of all bytes before it.
#include <cstdint>
#include <string>
#include <string_view>

#include "keyspace/record.h"

namespace ember {

// "REDIS0010" and the aux fields Redis writes: redis-ver, redis-bits, ctime, used-mem,
// aof-base.
void AppendRdbHeader(std::string* out, uint64_t used_mem = 0);
// SELECTDB db, then RESIZEDB with the database's key and expiry counts (sizing hints).
void AppendSelectDb(std::string* out, uint32_t db, uint64_t keys, uint64_t expires);
// One key: [EXPIRETIME_MS ms] type key value.
void AppendRdbEntry(std::string* out, const Record& record, bool compress);
// The value's type byte and the value only (DUMP's payload before its footer).
void AppendRdbValue(std::string* out, const Record& record, bool compress);
// The EOF opcode and the file's CRC-64: `crc_of_everything_before` covers all bytes before
// the opcode (0 when there are none); the opcode itself is folded in here.
void AppendRdbEof(std::string* out, uint64_t crc_of_everything_before);

// The building blocks, for tests and DUMP.
void AppendRdbLength(std::string* out, uint64_t len);
// A string the way Redis saves one: as an 8/16/32-bit integer when it is a short canonical
// integer, LZF-compressed when `compress`, longer than 20 bytes and it saves space, else raw.
void AppendRdbString(std::string* out, std::string_view s, bool compress);
// An integer string value (a kInt record): 32-bit integers encoded, wider ones as digits.
void AppendRdbInt(std::string* out, int64_t v);

}  // namespace ember
