#pragma once
// The fixture and reply readers that the key-command tests share (key_family_test.cc,
// key_expiry_test.cc, key_scan_test.cc). Behaviour tests run with 1 and 4 shards.
#include <gtest/gtest.h>

#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "command_runner.h"
#include "keyspace/record.h"
#include "resp_expect.h"

namespace ember::testing {

inline constexpr int64_t kNow = 1'700'000'000'000;  // a whole second
inline const std::string kDbRange = "-ERR DB index is out of range\r\n";

// Reads a RESP2 bulk string at *pos.
inline std::string ReadBulk(const std::string& resp, size_t* pos) {
  EXPECT_EQ(resp[*pos], '$') << resp;
  size_t eol = resp.find("\r\n", *pos);
  size_t len = std::stoul(resp.substr(*pos + 1, eol - *pos - 1));
  std::string out = resp.substr(eol + 2, len);
  *pos = eol + 2 + len + 2;
  return out;
}
// Reads a RESP2 array of bulk strings at *pos.
inline std::vector<std::string> ReadBulkArray(const std::string& resp, size_t* pos) {
  EXPECT_EQ(resp[*pos], '*') << resp;
  size_t eol = resp.find("\r\n", *pos);
  size_t n = std::stoul(resp.substr(*pos + 1, eol - *pos - 1));
  *pos = eol + 2;
  std::vector<std::string> out;
  for (size_t i = 0; i < n; ++i) out.push_back(ReadBulk(resp, pos));
  return out;
}
inline std::multiset<std::string> KeySet(const std::string& resp) {
  size_t pos = 0;
  auto keys = ReadBulkArray(resp, &pos);
  EXPECT_EQ(pos, resp.size());
  return {keys.begin(), keys.end()};
}

struct ScanPage {
  std::string cursor;
  std::vector<std::string> keys;
};
inline ScanPage ParseScan(const std::string& resp) {
  EXPECT_EQ(resp.substr(0, 4), "*2\r\n") << resp;
  size_t pos = 4;
  ScanPage page;
  page.cursor = ReadBulk(resp, &pos);
  page.keys = ReadBulkArray(resp, &pos);
  EXPECT_EQ(pos, resp.size());
  return page;
}

class KeyFamilyTest : public ::testing::TestWithParam<uint32_t> {
 protected:
  KeyFamilyTest() : r(GetParam()) { r.SetTime(kNow); }

  Database& DbOf(std::string_view key, int db = 0) {
    return r.engine().shard(r.engine().ShardOfKey(key)).db(db);
  }
  // Creates a string key directly in the keyspace (expire_ms 0: none).
  void Put(std::string_view key, std::string_view value = "v", int64_t expire_ms = 0, int db = 0) {
    auto entry = DbOf(key, db).Find(key, kNow);
    DbOf(key, db).Put(entry, Record::NewString(key, value, expire_ms));
  }
  // Creates a key of another type: a string record with its type nibble rewritten.
  void PutTyped(std::string_view key, ValueType type) {
    Record* rec = Record::NewString(key, "payload", 0);
    reinterpret_cast<uint8_t*>(rec)[0] = static_cast<uint8_t>((static_cast<uint8_t>(type) << 4) |
                                                              static_cast<uint8_t>(Encoding::kRaw));
    DbOf(key).Insert(rec);
  }
  Record* Peek(std::string_view key, int db = 0) { return DbOf(key, db).Find(key, kNow).record; }
  std::string Value(std::string_view key, int db = 0) {
    Record* rec = Peek(key, db);
    if (rec == nullptr) return "<missing>";
    if (rec->encoding() == Encoding::kInt) return std::to_string(rec->int_value());
    return std::string(rec->raw_value());
  }
  // A key on a different shard than `other` when there are several shards.
  std::string KeyAwayFrom(std::string_view other, std::string_view prefix) {
    for (int i = 0;; ++i) {
      std::string key = std::string(prefix) + std::to_string(i);
      if (r.engine().num_shards() == 1 ||
          r.engine().ShardOfKey(key) != r.engine().ShardOfKey(other)) {
        return key;
      }
    }
  }
  uint64_t Hits() {
    uint64_t n = 0;
    for (uint32_t s = 0; s < r.engine().num_shards(); ++s)
      n += r.engine().shard(s).stats().keyspace_hits;
    return n;
  }
  uint64_t Misses() {
    uint64_t n = 0;
    for (uint32_t s = 0; s < r.engine().num_shards(); ++s) {
      n += r.engine().shard(s).stats().keyspace_misses;
    }
    return n;
  }
  // Runs SCAN to completion with the given options; returns every key (with repeats).
  std::multiset<std::string> ScanAll(const std::vector<std::string>& options,
                                     int* calls = nullptr) {
    std::multiset<std::string> seen;
    std::string cursor = "0";
    int n = 0;
    do {
      std::vector<std::string> cmd = {"scan", cursor};
      cmd.insert(cmd.end(), options.begin(), options.end());
      ScanPage page = ParseScan(r.Run(cmd));
      seen.insert(page.keys.begin(), page.keys.end());
      cursor = page.cursor;
      EXPECT_LT(++n, 100000);
    } while (cursor != "0" && n < 100000);
    if (calls != nullptr) *calls = n;
    return seen;
  }

  CommandRunner r;
};

}  // namespace ember::testing
