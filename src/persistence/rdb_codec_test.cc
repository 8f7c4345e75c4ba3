// The RDB writer and reader against each other: every type and encoding through DUMP-style
// values and whole files, expiry, checksums, and truncated or scrambled input.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include "persistence/crc64.h"
#include "persistence/rdb_format.h"
#include "persistence/rdb_reader.h"
#include "persistence/rdb_test_util.h"
#include "persistence/rdb_writer.h"
#include "server/config.h"

namespace ember {
namespace {

using rdb_test::Describe;

struct RecordDeleter {
  void operator()(Record* r) const { Record::Free(r); }
};
using RecordPtr = std::unique_ptr<Record, RecordDeleter>;

ServerConfig Config() {
  return ServerConfig{};
}

RecordPtr List(std::string key, const std::vector<std::string>& items, int64_t exp = 0) {
  auto* list = new ListValue(Config().list_max_listpack_size);
  for (auto& i : items) list->PushBack(i);
  return RecordPtr(Record::NewObject(key, ValueType::kList, list, exp));
}

RecordPtr Set(std::string key, const std::vector<std::string>& items) {
  SetLimits limits;
  auto* set = new SetValue(items[0], items.size(), limits);
  for (auto& i : items) set->Add(i, limits);
  return RecordPtr(Record::NewObject(key, ValueType::kSet, set, 0));
}

RecordPtr PackedHash(std::string key, int fields) {
  std::string packed;
  for (int i = 0; i < fields; ++i)
    PackedPairs::Set(&packed, "f" + std::to_string(i), std::to_string(i * 7));
  return RecordPtr(Record::NewPacked(key, ValueType::kHash, packed, 0));
}

RecordPtr TableHash(std::string key, int fields) {
  auto* hash = new HashValue();
  for (int i = 0; i < fields; ++i)
    hash->Set("field:" + std::to_string(i), std::string(i % 90, 'v'));
  return RecordPtr(Record::NewObject(key, ValueType::kHash, hash, 0));
}

RecordPtr ZSet(std::string key, const std::vector<std::pair<std::string, double>>& items,
               int64_t exp = 0) {
  ZSetLimits limits;
  auto* z = new ZSetValue(items.size(), 0, limits);
  for (auto& [m, s] : items) z->Set(m, s, limits);
  return RecordPtr(Record::NewObject(key, ValueType::kZSet, z, exp));
}

std::vector<RecordPtr> AllKinds() {
  std::vector<RecordPtr> out;
  std::mt19937 rng(11);
  std::string binary(300, '\0');
  for (auto& c : binary) c = static_cast<char>(rng());
  for (std::string v :
       {std::string(), std::string("hello"), std::string("12345"), std::string("-7"),
        std::string("2147483648"), std::string("9223372036854775807"), std::string("0123"),
        std::string("3.14"), std::string(1000, 'x'), binary}) {
    out.emplace_back(Record::NewString("s:" + std::to_string(out.size()), v, 0));
  }
  out.emplace_back(Record::NewString("s:ttl", "with expiry", 4102444800000));
  out.emplace_back(Record::NewInt("i:big", INT64_MIN, 0));
  out.push_back(List("l:small", {"a", "", "17", "-4096", "4096", "70000", "-9000000000"}));
  std::vector<std::string> many;
  for (int i = 0; i < 5000; ++i)
    many.push_back(i % 3 ? std::to_string(i) : "item-" + std::to_string(i));
  out.push_back(List("l:big", many, 4102444800123));
  out.push_back(List("l:huge-item", {std::string(100000, 'h'), "x"}));
  out.push_back(Set("set:ints", {"1", "-5", "40000", "3000000000"}));
  out.push_back(Set("set:strs", {"a", "b", "c", "1"}));
  std::vector<std::string> members;
  for (int i = 0; i < 1000; ++i) members.push_back("m" + std::to_string(i));
  out.push_back(Set("set:table", members));
  std::vector<std::string> ints;
  for (int i = 0; i < 1000; ++i) ints.push_back(std::to_string(i * 3));
  out.push_back(Set("set:many-ints", ints));
  out.push_back(PackedHash("h:small", 10));
  out.push_back(TableHash("h:big", 300));
  out.push_back(ZSet("z:small", {{"a", 1.5},
                                 {"b", -INFINITY},
                                 {"c", INFINITY},
                                 {"d", 3},
                                 {"e", -0.25},
                                 {"12", 1e300},
                                 {"f", 0.1}}));
  std::vector<std::pair<std::string, double>> scored;
  for (int i = 0; i < 300; ++i) scored.emplace_back("member-" + std::to_string(i), i / 7.0);
  out.push_back(ZSet("z:big", scored, 4102444800999));
  return out;
}

TEST(RdbValue, EveryKindRoundTrips) {
  ServerConfig config;
  for (bool compress : {false, true}) {
    for (auto& r : AllKinds()) {
      std::string payload;
      AppendRdbValue(&payload, *r, compress);
      std::string error;
      RecordPtr back(DecodeRdbValue(r->key(), payload, r->expire_ms(), config, &error));
      ASSERT_TRUE(back) << r->key() << ": " << error;
      EXPECT_EQ(Describe(back.get()), Describe(r.get()));
      if (r->encoding() == Encoding::kObject) {
        EXPECT_STREQ(back->object()->EncodingName(), r->object()->EncodingName()) << r->key();
      } else {
        EXPECT_EQ(back->encoding(), r->encoding()) << r->key();
      }
    }
  }
}

TEST(RdbValue, TypesAndEncodingsRedisWouldWrite) {
  auto type_of = [](const RecordPtr& r) {
    std::string out;
    AppendRdbValue(&out, *r, true);
    return static_cast<uint8_t>(out[0]);
  };
  auto kinds = AllKinds();
  std::map<std::string, uint8_t> types;
  for (auto& r : kinds) types[std::string(r->key())] = type_of(r);
  EXPECT_EQ(types["s:1"], rdb::kString);
  EXPECT_EQ(types["l:big"], rdb::kListQuicklist2);
  EXPECT_EQ(types["set:ints"], rdb::kSetIntset);
  EXPECT_EQ(types["set:strs"], rdb::kSet);
  EXPECT_EQ(types["h:small"], rdb::kHashListpack);
  EXPECT_EQ(types["h:big"], rdb::kHash);
  EXPECT_EQ(types["z:small"], rdb::kZSetListpack);
  EXPECT_EQ(types["z:big"], rdb::kZSet2);
  // Short canonical integers take the integer encodings, long strings LZF when it pays.
  std::string out;
  AppendRdbString(&out, "-100", false);
  EXPECT_EQ(out, std::string("\xc0\x9c", 2));
  out.clear();
  AppendRdbString(&out, "1000", false);
  EXPECT_EQ(out, std::string("\xc1\xe8\x03", 3));
  out.clear();
  AppendRdbString(&out, std::string(100, 'a'), true);
  EXPECT_EQ(static_cast<uint8_t>(out[0]), 0xc3);
  out.clear();
  AppendRdbString(&out, "0123", true);
  EXPECT_EQ(out, std::string("\x04"
                             "0123",
                             5));
}

TEST(RdbValue, LengthEncodings) {
  for (uint64_t len : {0ull, 63ull, 64ull, 16383ull, 16384ull, 4294967295ull, 4294967296ull}) {
    std::string out;
    AppendRdbLength(&out, len);
    size_t expected = len < 64 ? 1 : len < 16384 ? 2 : len <= UINT32_MAX ? 5 : 9;
    EXPECT_EQ(out.size(), expected) << len;
  }
}

TEST(RdbValue, BadPayloadsFail) {
  ServerConfig config;
  std::string error;
  auto decode = [&](std::string_view bytes) {
    return RecordPtr(DecodeRdbValue("k", bytes, 0, config, &error));
  };
  EXPECT_FALSE(decode(""));
  EXPECT_FALSE(
      decode(std::string("\x00\x05"
                         "abc",
                         5)));                       // string shorter than its length
  EXPECT_FALSE(decode(std::string("\x07\x00", 2)));  // a module value
  EXPECT_NE(error.find("module"), std::string::npos) << error;
  EXPECT_FALSE(decode(std::string("\x02\x00", 2)));  // an empty set
  EXPECT_FALSE(
      decode(std::string("\x02\x02\x01"
                         "a\x01"
                         "a",
                         7)));  // duplicate member
  EXPECT_NE(error.find("duplicate"), std::string::npos) << error;
  // A length of 2^63: refused without allocating it.
  EXPECT_FALSE(decode(std::string("\x00\x81\x7f\xff\xff\xff\xff\xff\xff\xff", 10)));
  EXPECT_NE(error.find("offset"), std::string::npos) << error;
  // LZF claiming a huge expansion.
  EXPECT_FALSE(
      decode(std::string("\x00\xc3\x01\x80\x7f\xff\xff\xff"
                         "a",
                         9)));
}

// Found by the RESTORE fuzzer: a stream whose last id is behind its newest entry loaded, and the
// next XADD * then stored an entry going backwards (its DUMP no longer restored).
TEST(RdbValue, StreamLastIdBehindItsEntriesFails) {
  static constexpr char kPayload[] =
      "\x13\x01\x10\x00\x00\x01\xa2\x42\x62\x05\xfa\x00\x00\x00\x00\x00\x00\x00\x00\xc3\x2c"
      "\x31\x11\x31\x00\x00\x00\x13\x00\x02\x01\x00\x01\x02\x01\x81\x61\x02\x81\x62\x02\x40"
      "\x09\x00\x00\x20\x01\x05\x01\x01\x81\x78\x02\x05\x60\x08\x60\x0c\x06\x61\x02\x02\x01"
      "\x06\x01\xff\x02\x81\x00\x00\x01\xa2\x42\x62\x01\xfb\x00\x81\x00\x00\x01\xa2\x42\x62"
      "\x05\xfa\x00\x00\x00\x02\x01\x01\x67\x81\x00\x00\x01\xa2\x42\x62\x05\xfa\x00\x01\x01"
      "\x00\x00\x01\xa2\x42\x62\x05\xfa\x00\x00\x00\x00\x00\x00\x00\x00\xfb\x05\x62\x42\xa2"
      "\x01\x00\x00\x01\x01\x01\x63\xfb\x05\x62\x42\xa2\x01\x00\x00\x01\x00\x00\x01\xa2\x42"
      "\x62\x05\xfa\x00\x00\x00\x00\x00\x00\x00\x00";
  ServerConfig config;
  std::string error;
  RecordPtr record(
      DecodeRdbValue("k", std::string_view(kPayload, sizeof(kPayload) - 1), 0, config, &error));
  EXPECT_FALSE(record);
  EXPECT_NE(error.find("last id"), std::string::npos) << error;
}

// A whole file in memory: header, two databases, EOF.
std::string BuildFile(const std::vector<RecordPtr>& records, bool compress) {
  std::string file;
  AppendRdbHeader(&file, 12345);
  AppendSelectDb(&file, 0, records.size() / 2, 0);
  for (size_t i = 0; i < records.size(); ++i) {
    if (i == records.size() / 2) AppendSelectDb(&file, 3, records.size() - i, 0);
    AppendRdbEntry(&file, *records[i], compress);
  }
  AppendRdbEof(&file, Crc64(0, file.data(), file.size()));
  return file;
}

struct Loaded {
  bool ok;
  std::string error;
  std::vector<std::string> keys;  // "db:description"
  RdbLoadStats stats;
};

Loaded LoadBytes(const std::string& bytes, int64_t now_ms = 1) {
  char path[] = "/tmp/ember-rdb-test-XXXXXX";
  int fd = mkstemp(path);
  EXPECT_GE(fd, 0);
  EXPECT_EQ(write(fd, bytes.data(), bytes.size()), static_cast<ssize_t>(bytes.size()));
  lseek(fd, 0, SEEK_SET);
  unlink(path);
  Loaded out;
  ServerConfig config;
  out.ok = LoadRdb(
      fd, config, now_ms,
      [&](RdbKey& k) {
        out.keys.push_back(std::to_string(k.db) + ":" + Describe(k.record));
        Record::Free(k.record);
        return true;
      },
      &out.stats, &out.error);
  close(fd);
  return out;
}

TEST(RdbFile, RoundTripsWithChecksum) {
  auto records = AllKinds();
  for (bool compress : {false, true}) {
    Loaded loaded = LoadBytes(BuildFile(records, compress));
    ASSERT_TRUE(loaded.ok) << loaded.error;
    EXPECT_TRUE(loaded.stats.checksum_verified);
    EXPECT_EQ(loaded.stats.version, 10);
    ASSERT_EQ(loaded.keys.size(), records.size());
    for (size_t i = 0; i < records.size(); ++i) {
      std::string db = i < records.size() / 2 ? "0:" : "3:";
      EXPECT_EQ(loaded.keys[i], db + Describe(records[i].get()));
    }
  }
}

TEST(RdbFile, DropsKeysExpiredAtLoad) {
  std::vector<RecordPtr> records;
  records.emplace_back(Record::NewString("old", "v", 1000));
  records.emplace_back(Record::NewString("new", "v", 5000));
  records.emplace_back(Record::NewString("none", "v", 0));
  Loaded loaded = LoadBytes(BuildFile(records, false), 2000);
  ASSERT_TRUE(loaded.ok) << loaded.error;
  EXPECT_EQ(loaded.keys.size(), 2u);
  EXPECT_EQ(loaded.stats.expired_skipped, 1u);
}

TEST(RdbFile, ChecksumMismatchAndZeroChecksum) {
  auto records = AllKinds();
  std::string file = BuildFile(records, true);
  std::string bad = file;
  bad[bad.size() - 3] ^= 1;
  Loaded loaded = LoadBytes(bad);
  EXPECT_FALSE(loaded.ok);
  EXPECT_NE(loaded.error.find("checksum"), std::string::npos) << loaded.error;
  std::string none = file;
  for (size_t i = none.size() - 8; i < none.size(); ++i) none[i] = 0;
  loaded = LoadBytes(none);
  EXPECT_TRUE(loaded.ok) << loaded.error;
  EXPECT_FALSE(loaded.stats.checksum_verified);
}

TEST(RdbFile, HeaderErrors) {
  EXPECT_FALSE(LoadBytes("REDIX0010").ok);
  Loaded future = LoadBytes("REDIS0012\xff");
  EXPECT_FALSE(future.ok);
  EXPECT_NE(future.error.find("version 12"), std::string::npos) << future.error;
  // Version 3: no checksum after EOF.
  EXPECT_TRUE(LoadBytes("REDIS0003\xff").ok);
}

TEST(RdbFile, EveryTruncationFailsWithAnOffset) {
  std::vector<RecordPtr> records;
  for (auto& r : AllKinds()) {
    if (r->key() != "l:big" && r->key() != "l:huge-item" && r->key() != "set:table")
      records.push_back(std::move(r));
  }
  std::string file = BuildFile(records, true);
  for (size_t len = 0; len < file.size(); len += (len < 200 ? 1 : 7)) {
    Loaded loaded = LoadBytes(file.substr(0, len));
    ASSERT_FALSE(loaded.ok) << len;
    EXPECT_NE(loaded.error.find("offset"), std::string::npos) << loaded.error;
  }
}

TEST(RdbFile, ScrambledBytesNeverCrash) {
  std::vector<RecordPtr> records;
  for (auto& r : AllKinds()) {
    if (r->key() != "l:big" && r->key() != "set:table" && r->key() != "set:many-ints")
      records.push_back(std::move(r));
  }
  std::string file = BuildFile(records, true);
  std::mt19937 rng(5);
  int failures = 0;
  for (int round = 0; round < 300; ++round) {
    std::string bad = file.substr(0, file.size() - 8) + std::string(8, '\0');  // no checksum
    for (int flips = 1 + rng() % 4; flips > 0; --flips) {
      bad[9 + rng() % (bad.size() - 17)] = static_cast<char>(rng());
    }
    Loaded loaded = LoadBytes(bad);
    if (!loaded.ok) {
      ++failures;
      EXPECT_NE(loaded.error.find("offset"), std::string::npos) << loaded.error;
    }
  }
  EXPECT_GT(failures, 0);
  // Pure noise after a valid header.
  for (int round = 0; round < 200; ++round) {
    std::string noise = "REDIS0010";
    for (int i = 0; i < 64; ++i) noise.push_back(static_cast<char>(rng()));
    LoadBytes(noise);
  }
}

}  // namespace
}  // namespace ember
