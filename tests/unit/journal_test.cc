// The journal: what each write records (its arguments, or the effect it gave), and what
// reads, no-ops and errors leave out.
#include "engine/journal.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "command_runner.h"
#include "engine/turn_commit.h"

namespace ember {
namespace {

using Records = std::vector<std::vector<std::string>>;

// A durable log that keeps what it was given.
class RecordingLog : public DurableLog {
 public:
  uint64_t Append(std::string_view records) override {
    bytes += records;
    return bytes.size();
  }
  void SyncUpTo(uint64_t) override {}
  bool sync_always() const override { return false; }
  std::string bytes;
};

// Splits RESP arrays of bulk strings into commands.
Records Parse(const std::string& resp) {
  Records out;
  size_t pos = 0;
  auto number = [&](char kind) {
    EXPECT_EQ(resp[pos], kind);
    size_t end = resp.find("\r\n", pos);
    long n = std::stol(resp.substr(pos + 1, end - pos - 1));
    pos = end + 2;
    return static_cast<size_t>(n);
  };
  while (pos < resp.size()) {
    size_t n = number('*');
    std::vector<std::string> command;
    for (size_t i = 0; i < n; ++i) {
      size_t len = number('$');
      command.push_back(resp.substr(pos, len));
      pos += len + 2;
    }
    out.push_back(command);
  }
  return out;
}

class JournalTest : public ::testing::Test {
 protected:
  JournalTest() {
    runner_.engine().set_durable_log(&log_);
    Journal::set_current(&runner_.engine().shard(0).journal());
  }
  ~JournalTest() override {
    runner_.engine().set_durable_log(nullptr);
    Journal::set_current(nullptr);
  }
  // The records journaled since the last call, SELECTs included.
  Records Take() {
    runner_.engine().shard(0).journal().Flush(log_);
    Records records = Parse(log_.bytes);
    log_.bytes.clear();
    return records;
  }

  testing::CommandRunner runner_;
  RecordingLog log_;
};

TEST_F(JournalTest, WriteIsJournaledAsItsArgumentsAfterSelect) {
  runner_.Run({"set", "k", "v"});
  runner_.Run({"rpush", "l", "a", "b"});
  EXPECT_EQ(Take(), (Records{{"SELECT", "0"}, {"set", "k", "v"}, {"rpush", "l", "a", "b"}}));
}

TEST_F(JournalTest, ReadsErrorsAndNoOpsAreNotJournaled) {
  runner_.Run({"sadd", "s", "a"});
  Take();
  runner_.Run({"get", "s"});             // wrong type
  runner_.Run({"sadd", "s", "a"});       // already there
  runner_.Run({"srem", "s", "zz"});      // not there
  runner_.Run({"smembers", "s"});        // a read
  runner_.Run({"set", "s", "x", "NX"});  // condition failed
  runner_.Run({"expire", "missing", "10"});
  EXPECT_EQ(Take(), Records{});
}

TEST_F(JournalTest, RelativeExpiryBecomesAbsolute) {
  runner_.SetTime(1'000'000);
  runner_.Run({"set", "a", "v", "EX", "100"});
  runner_.Run({"setex", "b", "5", "v"});
  runner_.Run({"expire", "a", "10"});
  runner_.Run({"expire", "a", "10", "NX"});  // has a TTL: no change, nothing journaled
  runner_.Run({"getex", "b", "PX", "1"});
  EXPECT_EQ(Take(), (Records{{"SELECT", "0"},
                             {"SET", "a", "v", "PXAT", "1100000"},
                             {"SET", "b", "v", "PXAT", "1005000"},
                             {"PEXPIREAT", "a", "1010000"},
                             {"PEXPIREAT", "b", "1000001"}}));
}

TEST_F(JournalTest, NonDeterministicWritesJournalTheirEffect) {
  runner_.Run({"sadd", "s", "only"});
  runner_.Run({"set", "f", "1.5"});
  runner_.Run({"hset", "h", "x", "1"});
  Take();
  runner_.Run({"spop", "s"});
  runner_.Run({"incrbyfloat", "f", "0.25"});
  runner_.Run({"hincrbyfloat", "h", "x", "0.5"});
  EXPECT_EQ(Take(), (Records{{"SELECT", "0"},
                             {"SREM", "s", "only"},
                             {"SET", "f", "1.75", "KEEPTTL"},
                             {"HSET", "h", "x", "1.5"}}));
}

TEST_F(JournalTest, BlockingPopsAreJournaledInTheirPlainForm) {
  runner_.Run({"rpush", "l", "a", "b"});
  runner_.Run({"zadd", "z", "1", "m"});
  Take();
  runner_.Run({"blpop", "nothing", "l", "0"});
  runner_.Run({"blmove", "l", "l2", "RIGHT", "LEFT", "0"});
  runner_.Run({"bzpopmin", "z", "0"});
  EXPECT_EQ(Take(), (Records{{"SELECT", "0"},
                             {"LPOP", "l"},
                             {"LMOVE", "l", "l2", "RIGHT", "LEFT"},
                             {"ZPOPMIN", "z", "1"}}));
}

TEST_F(JournalTest, LazyExpiryIsJournaledAsDelBeforeTheCommandThatMetIt) {
  runner_.SetTime(1'000'000);
  runner_.Run({"set", "k", "v", "PX", "10"});
  Take();
  runner_.SetTime(2'000'000);
  runner_.Run({"append", "k", "new"});
  EXPECT_EQ(Take(), (Records{{"SELECT", "0"}, {"DEL", "k"}, {"append", "k", "new"}}));
}

TEST_F(JournalTest, EachChunkNamesItsDatabase) {
  runner_.client().db = 3;
  runner_.Run({"set", "k", "v"});
  EXPECT_EQ(Take(), (Records{{"SELECT", "3"}, {"set", "k", "v"}}));
  runner_.Run({"set", "k", "w"});  // a new chunk: another thread's may have come between
  EXPECT_EQ(Take(), (Records{{"SELECT", "3"}, {"set", "k", "w"}}));
}

TEST(DatabaseBytesTest, UsedBytesCountCollectionContents) {
  testing::CommandRunner runner;
  Database& db = runner.engine().shard(0).db(0);
  size_t empty = db.used_bytes();
  std::vector<std::string> push = {"rpush", "l"};
  for (int i = 0; i < 2000; ++i) push.push_back("element-" + std::to_string(i));
  runner.Run(push);
  EXPECT_GT(db.used_bytes(), empty + 2000 * 10);
  std::vector<std::string> hset = {"hset", "h"};
  for (int i = 0; i < 500; ++i) {
    hset.push_back("field-" + std::to_string(i));
    hset.push_back(std::string(100, 'v'));
  }
  runner.Run(hset);
  EXPECT_GT(db.used_bytes(), empty + 2000 * 10 + 500 * 100);
  runner.Run({"del", "l", "h"});
  EXPECT_EQ(db.used_bytes(), empty);
}

TEST(DatabaseLoadingTest, NothingExpiresWhileLoading) {
  testing::CommandRunner runner;
  runner.SetTime(1'000'000);
  runner.Run({"set", "k", "1", "PX", "10"});
  runner.SetTime(2'000'000);
  Database::set_loading(true);
  EXPECT_EQ(runner.Run({"incr", "k"}), ":2\r\n");  // the replayed write sees the key
  Database::set_loading(false);
  EXPECT_EQ(runner.Run({"get", "k"}), "$-1\r\n");
}

}  // namespace
}  // namespace ember
