// The older encodings Redis < 7 wrote (ziplist, zipmap, text scores, quicklist of ziplists,
// EXPIRETIME in seconds) and the 7.2 set listpack, built here byte by byte and loaded.
#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "common/numbers.h"
#include "persistence/rdb_blobs.h"
#include "persistence/rdb_format.h"
#include "persistence/rdb_reader.h"
#include "persistence/rdb_test_util.h"
#include "persistence/rdb_writer.h"
#include "server/config.h"

namespace ember {
namespace {

void PutLe(std::string* out, uint64_t v, int bytes) {
  for (int i = 0; i < bytes; ++i) out->push_back(static_cast<char>(v >> (8 * i)));
}

// A ziplist as Redis 6 builds one: integers in the narrowest encoding, strings by length.
std::string Ziplist(const std::vector<std::string>& items) {
  std::string body;
  size_t prev = 0;
  for (const auto& item : items) {
    std::string entry;
    if (prev < 254) {
      entry.push_back(static_cast<char>(prev));
    } else {
      entry.push_back(static_cast<char>(0xfe));
      PutLe(&entry, prev, 4);
    }
    auto n = ParseInt64(item);
    if (n && *n >= 0 && *n <= 12) {
      entry.push_back(static_cast<char>(0xf1 + *n));
    } else if (n && *n >= INT8_MIN && *n <= INT8_MAX) {
      entry.push_back(static_cast<char>(0xfe));
      PutLe(&entry, static_cast<uint64_t>(*n), 1);
    } else if (n && *n >= INT16_MIN && *n <= INT16_MAX) {
      entry.push_back(static_cast<char>(0xc0));
      PutLe(&entry, static_cast<uint64_t>(*n), 2);
    } else if (n && *n >= -(1 << 23) && *n < (1 << 23)) {
      entry.push_back(static_cast<char>(0xf0));
      PutLe(&entry, static_cast<uint64_t>(*n), 3);
    } else if (n && *n >= INT32_MIN && *n <= INT32_MAX) {
      entry.push_back(static_cast<char>(0xd0));
      PutLe(&entry, static_cast<uint64_t>(*n), 4);
    } else if (n) {
      entry.push_back(static_cast<char>(0xe0));
      PutLe(&entry, static_cast<uint64_t>(*n), 8);
    } else if (item.size() < 64) {
      entry.push_back(static_cast<char>(item.size()));
      entry += item;
    } else if (item.size() < 16384) {
      entry.push_back(static_cast<char>(0x40 | (item.size() >> 8)));
      entry.push_back(static_cast<char>(item.size() & 0xff));
      entry += item;
    } else {
      entry.push_back(static_cast<char>(0x80));
      for (int i = 3; i >= 0; --i) entry.push_back(static_cast<char>(item.size() >> (8 * i)));
      entry += item;
    }
    prev = entry.size();
    body += entry;
  }
  std::string zl;
  PutLe(&zl, 10 + body.size() + 1, 4);
  PutLe(&zl, 10, 4);  // the tail offset: not read
  PutLe(&zl, items.size(), 2);
  return zl + body + "\xff";
}

std::string Zipmap(const std::vector<std::pair<std::string, std::string>>& pairs) {
  std::string zm(1, static_cast<char>(pairs.size()));
  for (const auto& [f, v] : pairs) {
    zm.push_back(static_cast<char>(f.size()));
    zm += f;
    zm.push_back(static_cast<char>(v.size()));
    zm.push_back(1);  // one free byte after the value
    zm += v + "!";
  }
  return zm + "\xff";
}

std::vector<std::string> Walk(bool (*walk)(std::string_view, const BlobVisitor&, std::string*),
                              const std::string& blob, std::string* error) {
  std::vector<std::string> out;
  bool ok = walk(
      blob,
      [&](std::string_view v) {
        out.emplace_back(v);
        return true;
      },
      error);
  if (!ok) out.push_back("<error>");
  return out;
}

TEST(RdbBlobs, ZiplistEveryEncoding) {
  std::vector<std::string> items = {"0",
                                    "12",
                                    "13",
                                    "-100",
                                    "1000",
                                    "-70000",
                                    "100000",
                                    "3000000000",
                                    "-9223372036854775808",
                                    "",
                                    "abc",
                                    std::string(300, 'x'),
                                    std::string(20000, 'y')};
  std::string error;
  EXPECT_EQ(Walk(ForEachZiplistEntry, Ziplist(items), &error), items) << error;
  std::string bad = Ziplist(items);
  bad[0] = 3;  // wrong total length
  EXPECT_EQ(Walk(ForEachZiplistEntry, bad, &error).back(), "<error>");
}

TEST(RdbBlobs, ListpackRoundTripAndChecks) {
  std::vector<std::string> items = {"0",
                                    "127",
                                    "128",
                                    "-4096",
                                    "4095",
                                    "-32768",
                                    "8388607",
                                    "-2147483648",
                                    "9223372036854775807",
                                    "",
                                    "007",
                                    std::string(63, 'a'),
                                    std::string(64, 'b'),
                                    std::string(4095, 'c'),
                                    std::string(4096, 'd')};
  RedisListpackBuilder b;
  for (auto& i : items) b.Add(i);
  std::string lp = b.Finish();
  std::string error;
  EXPECT_EQ(Walk(ForEachListpackEntry, lp, &error), items) << error;
  for (size_t cut = 1; cut < 40; ++cut) {
    std::string bad = lp;
    bad[bad.size() - cut] ^= 0x55;
    Walk(ForEachListpackEntry, bad, &error);  // must not crash; may or may not notice
  }
  std::string shorter = lp.substr(0, lp.size() - 1);
  EXPECT_EQ(Walk(ForEachListpackEntry, shorter, &error).back(), "<error>");
}

TEST(RdbBlobs, IntsetAndZipmap) {
  std::string error;
  std::vector<int64_t> values = {-5, 1, 70000};
  std::vector<std::string> text = {"-5", "1", "70000"};
  EXPECT_EQ(Walk(ForEachIntsetEntry, BuildRedisIntset(values), &error), text);
  std::string unsorted = BuildRedisIntset({3, 1});
  EXPECT_EQ(Walk(ForEachIntsetEntry, unsorted, &error).back(), "<error>");
  std::vector<std::string> pairs = {"a", "1", "field", "value"};
  EXPECT_EQ(Walk(ForEachZipmapEntry, Zipmap({{"a", "1"}, {"field", "value"}}), &error), pairs);
}

// A version-6 file as Redis 3.2 - 6.2 would write it, plus a 7.2 set listpack.
TEST(RdbFile, LoadsOlderEncodings) {
  std::string f = "REDIS0009";
  auto str = [&](const std::string& s) { AppendRdbString(&f, s, false); };
  f.push_back(static_cast<char>(rdb::kOpSelectDb));
  AppendRdbLength(&f, 0);
  f.push_back(static_cast<char>(rdb::kListQuicklist));
  str("ql");
  AppendRdbLength(&f, 2);
  str(Ziplist({"a", "1"}));
  str(Ziplist({"b", "300"}));
  f.push_back(static_cast<char>(rdb::kListZiplist));
  str("zl");
  str(Ziplist({"x", "y"}));
  f.push_back(static_cast<char>(rdb::kHashZiplist));
  str("hz");
  str(Ziplist({"f1", "v1", "f2", "2"}));
  f.push_back(static_cast<char>(rdb::kHashZipmap));
  str("hm");
  str(Zipmap({{"k", "v"}}));
  f.push_back(static_cast<char>(rdb::kZSetZiplist));
  str("zz");
  str(Ziplist({"m1", "1.5", "m2", "2"}));
  f.push_back(static_cast<char>(rdb::kZSet));  // text scores
  str("zt");
  AppendRdbLength(&f, 3);
  str("a");
  f += std::string(
      "\x03"
      "2.5",
      4);
  str("b");
  f.push_back(static_cast<char>(rdb::kScorePosInf));
  str("c");
  f.push_back(static_cast<char>(rdb::kScoreNegInf));
  f.push_back(static_cast<char>(rdb::kOpExpireTime));
  PutLe(&f, 2000000000, 4);  // seconds (a signed 32-bit field)
  f.push_back(static_cast<char>(rdb::kList));
  str("old-list");
  AppendRdbLength(&f, 2);
  str("p");
  str("q");
  f.push_back(static_cast<char>(rdb::kOpIdle));
  AppendRdbLength(&f, 50);
  f.push_back(static_cast<char>(rdb::kSetListpack));
  str("sl");
  RedisListpackBuilder lp;
  lp.Add("u");
  lp.Add("7");
  str(lp.Finish());
  f.push_back(static_cast<char>(rdb::kOpFunction2));
  str("#!lua name=lib\nredis.register_function('f', function() return 1 end)");
  f.push_back(static_cast<char>(rdb::kOpEof));
  PutLe(&f, 0, 8);

  char path[] = "/tmp/ember-rdb-legacy-XXXXXX";
  int fd = mkstemp(path);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(write(fd, f.data(), f.size()), static_cast<ssize_t>(f.size()));
  lseek(fd, 0, SEEK_SET);
  unlink(path);
  std::vector<std::string> got;
  int64_t idle = -1;
  RdbLoadStats stats;
  std::string error;
  ServerConfig config;
  bool ok = LoadRdb(
      fd, config, 1,
      [&](RdbKey& k) {
        got.push_back(rdb_test::Describe(k.record));
        if (k.record->key() == "sl") idle = k.idle_s;
        Record::Free(k.record);
        return true;
      },
      &stats, &error);
  close(fd);
  ASSERT_TRUE(ok) << error;
  ASSERT_EQ(stats.function_libraries.size(), 1u);
  EXPECT_EQ(stats.function_libraries[0],
            "#!lua name=lib\nredis.register_function('f', function() return 1 end)");
  std::vector<std::string> want = {"ql type=1 exp=0 [a,1,b,300,]",
                                   "zl type=1 exp=0 [x,y,]",
                                   "hz type=4 exp=0 [f1=v1,f2=2,]",
                                   "hm type=4 exp=0 [k=v,]",
                                   "zz type=3 exp=0 [m1@1.5,m2@2,]",
                                   "zt type=3 exp=0 [c@-inf,a@2.5,b@inf,]",
                                   "old-list type=1 exp=2000000000000 [p,q,]",
                                   "sl type=2 exp=0 [7,u,]"};
  EXPECT_EQ(got, want);
  EXPECT_EQ(idle, 50);
}

TEST(RdbFile, UnsupportedTypesNameTheKey) {
  std::string f = "REDIS0010";
  f.push_back(static_cast<char>(rdb::kModule2));
  AppendRdbString(&f, "mymodule", false);
  f += "garbage";
  char path[] = "/tmp/ember-rdb-module-XXXXXX";
  int fd = mkstemp(path);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(write(fd, f.data(), f.size()), static_cast<ssize_t>(f.size()));
  lseek(fd, 0, SEEK_SET);
  unlink(path);
  std::string error;
  ServerConfig config;
  EXPECT_FALSE(LoadRdb(
      fd, config, 1,
      [](RdbKey& k) {
        Record::Free(k.record);
        return true;
      },
      nullptr, &error));
  close(fd);
  EXPECT_NE(error.find("'mymodule' is a module value"), std::string::npos) << error;
  EXPECT_NE(error.find("offset"), std::string::npos) << error;
}

}  // namespace
}  // namespace ember
