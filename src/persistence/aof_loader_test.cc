#include "persistence/aof_loader.h"

#include <gtest/gtest.h>
#include <sys/resource.h>

#include <filesystem>
#include <fstream>

#include "persistence/aof_test_util.h"

namespace ember {
namespace {

using aof_test::ReadFile;
using aof_test::Resp;
using aof_test::TempDir;
using aof_test::WriteFile;

std::string Join(AofArgv argv) {
  std::string out;
  for (auto arg : argv) out += (out.empty() ? "" : " ") + std::string(arg);
  return out;
}

class AofLoaderTest : public ::testing::Test {
 protected:
  AofLoaderTest() {
    std::filesystem::create_directory(AofDir());
    options_.data_dir = dir_.path();
    callbacks_.on_command = [this](AofArgv argv, std::string*) {
      loaded_.push_back(Join(argv));
      return true;
    };
    callbacks_.on_transaction = [this](std::span<const AofArgv> commands, std::string*) {
      std::string tx = "TX[";
      for (AofArgv argv : commands) tx += (tx.size() > 3 ? "; " : "") + Join(argv);
      loaded_.push_back(tx + "]");
      return true;
    };
  }
  std::string AofDir() { return dir_ / "appendonlydir"; }
  std::string File(std::string_view name) { return AofDir() + "/" + std::string(name); }
  void Manifest(std::string_view text) { WriteFile(File("appendonly.aof.manifest"), text); }
  // A base and one increment, the usual layout.
  void TwoFiles(std::string_view base, std::string_view incr) {
    Manifest(
        "file appendonly.aof.1.base.aof seq 1 type b\n"
        "file appendonly.aof.1.incr.aof seq 1 type i\n");
    WriteFile(File("appendonly.aof.1.base.aof"), base);
    WriteFile(File("appendonly.aof.1.incr.aof"), incr);
  }
  bool Load() {
    result_ = AofLoadResult{};
    loaded_.clear();
    error_.clear();
    return LoadAof(options_, callbacks_, &result_, &error_);
  }

  TempDir dir_;
  AofLoadOptions options_;
  AofLoadCallbacks callbacks_;
  AofLoadResult result_;
  std::vector<std::string> loaded_;
  std::string error_;
};

TEST_F(AofLoaderTest, LoadsBaseThenIncrementsInOrder) {
  Manifest(
      "file appendonly.aof.1.base.aof seq 1 type b\n"
      "file appendonly.aof.1.incr.aof seq 1 type h\n"
      "file appendonly.aof.2.incr.aof seq 2 type i\n"
      "file appendonly.aof.3.incr.aof seq 3 type i\n");
  WriteFile(File("appendonly.aof.1.base.aof"), Resp({"SET", "a", "1"}));
  WriteFile(File("appendonly.aof.1.incr.aof"), "history is never read");
  WriteFile(File("appendonly.aof.2.incr.aof"), "#TS:1700000000\r\n" + Resp({"SET", "b", "2"}));
  WriteFile(File("appendonly.aof.3.incr.aof"), Resp({"DEL", "a"}) + Resp({"SET", "c", "x\r\ny"}));
  ASSERT_TRUE(Load()) << error_;
  EXPECT_EQ(loaded_, (std::vector<std::string>{"SET a 1", "SET b 2", "DEL a", "SET c x\r\ny"}));
  EXPECT_TRUE(result_.found);
  EXPECT_EQ(result_.commands, 4u);
  EXPECT_EQ(result_.manifest.increments.size(), 2u);
  EXPECT_EQ(result_.base_size, Resp({"SET", "a", "1"}).size());
  EXPECT_TRUE(result_.warnings.empty());
}

TEST_F(AofLoaderTest, NoAofAtAll) {
  ASSERT_TRUE(Load()) << error_;
  EXPECT_FALSE(result_.found);
  EXPECT_TRUE(loaded_.empty());
}

TEST_F(AofLoaderTest, TruncatedTailOfTheLastFileIsCutWithAWarning) {
  std::string good = Resp({"SET", "a", "1"});
  std::string torn = Resp({"SET", "b", "2"}).substr(0, 12);
  TwoFiles("", good + torn);
  ASSERT_TRUE(Load()) << error_;
  EXPECT_EQ(loaded_, (std::vector<std::string>{"SET a 1"}));
  ASSERT_EQ(result_.warnings.size(), 3u);
  EXPECT_EQ(result_.warnings[0],
            "!!! Warning: short read while loading the AOF file appendonly.aof.1.incr.aof!!!");
  EXPECT_EQ(result_.warnings[1], "!!! Truncating the AOF appendonly.aof.1.incr.aof at offset " +
                                     std::to_string(good.size()) + " !!!");
  EXPECT_TRUE(result_.truncated);
  EXPECT_EQ(result_.truncated_at, good.size());
  EXPECT_EQ(ReadFile(File("appendonly.aof.1.incr.aof")), good);
  EXPECT_EQ(result_.total_size, good.size());
}

TEST_F(AofLoaderTest, TruncatedTailFailsWithoutAofLoadTruncated) {
  std::string good = Resp({"SET", "a", "1"});
  for (size_t cut = 1; cut < Resp({"SET", "b", "2"}).size(); ++cut) {
    TwoFiles("", good + Resp({"SET", "b", "2"}).substr(0, cut));
    options_.load_truncated = false;
    ASSERT_FALSE(Load()) << "cut at " << cut;
    EXPECT_NE(error_.find("Unexpected end of file reading the append only file "
                          "appendonly.aof.1.incr.aof at offset " +
                          std::to_string(good.size())),
              std::string::npos)
        << error_;
    EXPECT_EQ(ReadFile(File("appendonly.aof.1.incr.aof")).size(), good.size() + cut)
        << "a failed load changes nothing";
  }
}

TEST_F(AofLoaderTest, TruncatedNonLastFileIsAnError) {
  TwoFiles(Resp({"SET", "a", "1"}) + "*2\r\n$3\r\nGET", Resp({"SET", "b", "2"}));
  ASSERT_FALSE(Load());
  EXPECT_NE(error_.find("appendonly.aof.1.base.aof at offset " +
                        std::to_string(Resp({"SET", "a", "1"}).size())),
            std::string::npos)
      << error_;
  EXPECT_NE(error_.find("only the last file"), std::string::npos) << error_;
}

TEST_F(AofLoaderTest, CorruptionNamesFileAndOffset) {
  struct Case {
    std::string tail;
    std::string what;
  };
  std::string good = Resp({"SET", "a", "1"});
  std::string at = std::to_string(good.size());
  std::vector<Case> cases = {
      {"+OK\r\n", "offset " + at + ": expected '*'"},
      {"*x\r\n", "offset " + std::to_string(good.size() + 1) + ": invalid argument count"},
      {"*0\r\n", "offset " + at + ": command with no arguments"},
      {"*1\r\n:5\r\n", "expected '$'"},
      {"*1\r\n$-1\r\n", "invalid bulk length"},
      {"*1\r\n$2\r\nabc\r\n", "bulk string not ended by CRLF"},
      {"\r\n", "expected '*'"},
      {"EXEC\r\n", "expected '*'"},
  };
  for (const auto& c : cases) {
    TwoFiles("", good + c.tail + good);
    ASSERT_FALSE(Load()) << c.tail;
    EXPECT_NE(error_.find("Bad file format reading the append only file appendonly.aof.1.incr.aof"),
              std::string::npos)
        << error_;
    EXPECT_NE(error_.find(c.what), std::string::npos) << c.tail << " -> " << error_;
  }
}

TEST_F(AofLoaderTest, MultiExecIsDeliveredAsOneUnit) {
  TwoFiles("", Resp({"SET", "a", "1"}) + Resp({"MULTI"}) + Resp({"INCR", "a"}) +
                   Resp({"LPUSH", "l", "x"}) + Resp({"exec"}) + Resp({"GET", "a"}));
  ASSERT_TRUE(Load()) << error_;
  EXPECT_EQ(loaded_, (std::vector<std::string>{"SET a 1", "TX[INCR a; LPUSH l x]", "GET a"}));
  EXPECT_EQ(result_.transactions, 1u);
  EXPECT_EQ(result_.commands, 4u);

  callbacks_.on_transaction = nullptr;  // then the commands come one by one
  ASSERT_TRUE(Load()) << error_;
  EXPECT_EQ(loaded_, (std::vector<std::string>{"SET a 1", "INCR a", "LPUSH l x", "GET a"}));
}

TEST_F(AofLoaderTest, BigTransactionSurvivesBufferMoves) {
  std::string incr = Resp({"MULTI"});
  std::string expected = "TX[";
  for (int i = 0; i < 2000; ++i) {
    std::string value(100, static_cast<char>('a' + i % 26));
    incr += Resp({"SET", "k" + std::to_string(i), value});
    expected += (i ? "; " : "") + std::string("SET k") + std::to_string(i) + " " + value;
  }
  incr += Resp({"EXEC"});
  TwoFiles("", incr);
  options_.read_buffer_bytes = 4096;  // the block spans many refills
  ASSERT_TRUE(Load()) << error_;
  ASSERT_EQ(loaded_.size(), 1u);
  EXPECT_EQ(loaded_[0], expected + "]");
}

TEST_F(AofLoaderTest, MultiWithoutExecAtTheEndIsATornTail) {
  std::string good = Resp({"SET", "a", "1"});
  TwoFiles("", good + Resp({"MULTI"}) + Resp({"INCR", "a"}));
  ASSERT_TRUE(Load()) << error_;
  EXPECT_EQ(loaded_, (std::vector<std::string>{"SET a 1"})) << "a torn transaction is not applied";
  EXPECT_EQ(result_.warnings[0],
            "Revert incomplete MULTI/EXEC transaction in AOF file appendonly.aof.1.incr.aof");
  EXPECT_EQ(ReadFile(File("appendonly.aof.1.incr.aof")), good);

  // Torn inside the block: cut before the MULTI too.
  TwoFiles("", good + Resp({"MULTI"}) + Resp({"INCR", "a"}).substr(0, 9));
  ASSERT_TRUE(Load()) << error_;
  EXPECT_EQ(result_.truncated_at, good.size());

  TwoFiles(Resp({"MULTI"}), Resp({"SET", "b", "1"}));  // not in the last file: an error
  EXPECT_FALSE(Load());
  options_.load_truncated = false;
  TwoFiles("", good + Resp({"MULTI"}));
  EXPECT_FALSE(Load());
}

// The journal's form of EXEC (MULTI, the commands, EXEC), several groups in a row: each is
// applied when its EXEC is read, and an unfinished last one is dropped with the warnings.
TEST_F(AofLoaderTest, GroupsApplyAtTheirExecAndAnUnfinishedLastGroupIsDropped) {
  std::string whole = Resp({"SET", "a", "1"}) + Resp({"MULTI"}) + Resp({"SELECT", "1"}) +
                      Resp({"INCR", "a"}) + Resp({"EXEC"}) + Resp({"MULTI"}) + Resp({"DEL", "a"}) +
                      Resp({"EXEC"});
  std::string torn = Resp({"MULTI"}) + Resp({"INCR", "a"}) + Resp({"SET", "b", "2"});
  TwoFiles("", whole + torn);
  std::vector<size_t> seen_at_tx;  // commands delivered before each group: none of its own
  callbacks_.on_transaction = [this, &seen_at_tx](std::span<const AofArgv> commands, std::string*) {
    seen_at_tx.push_back(loaded_.size());
    for (AofArgv argv : commands) loaded_.push_back("tx: " + Join(argv));
    return true;
  };
  ASSERT_TRUE(Load()) << error_;
  EXPECT_EQ(loaded_,
            (std::vector<std::string>{"SET a 1", "tx: SELECT 1", "tx: INCR a", "tx: DEL a"}));
  EXPECT_EQ(seen_at_tx, (std::vector<size_t>{1, 3}));
  EXPECT_EQ(result_.transactions, 2u);
  ASSERT_GE(result_.warnings.size(), 2u);
  EXPECT_EQ(result_.warnings[0],
            "Revert incomplete MULTI/EXEC transaction in AOF file appendonly.aof.1.incr.aof");
  EXPECT_EQ(result_.warnings[1],
            "!!! Warning: short read while loading the AOF file appendonly.aof.1.incr.aof!!!");
  EXPECT_TRUE(result_.truncated);
  EXPECT_EQ(result_.truncated_at, whole.size());
  EXPECT_EQ(ReadFile(File("appendonly.aof.1.incr.aof")), whole) << "cut at the last EXEC";

  // The same torn group with aof-load-truncated no: the server must not start.
  TwoFiles("", whole + torn);
  options_.load_truncated = false;
  EXPECT_FALSE(Load());
  EXPECT_NE(error_.find("at offset " + std::to_string(whole.size())), std::string::npos) << error_;
  EXPECT_EQ(ReadFile(File("appendonly.aof.1.incr.aof")), whole + torn) << "left as it was";
}

TEST_F(AofLoaderTest, BadTransactionsAreCorruption) {
  TwoFiles("", Resp({"MULTI"}) + Resp({"MULTI"}) + Resp({"EXEC"}));
  EXPECT_FALSE(Load());
  EXPECT_NE(error_.find("MULTI inside MULTI"), std::string::npos) << error_;
  TwoFiles("", Resp({"EXEC"}));
  EXPECT_FALSE(Load());
  EXPECT_NE(error_.find("EXEC without MULTI"), std::string::npos) << error_;
}

TEST_F(AofLoaderTest, CallbackErrorsStopLoading) {
  TwoFiles("", Resp({"SET", "a", "1"}) + Resp({"BOGUS"}) + Resp({"SET", "b", "1"}));
  callbacks_.on_command = [this](AofArgv argv, std::string* error) {
    if (argv[0] == "BOGUS") {
      *error = "Unknown command 'BOGUS'";
      return false;
    }
    loaded_.push_back(Join(argv));
    return true;
  };
  EXPECT_FALSE(Load());
  EXPECT_NE(error_.find("offset " + std::to_string(Resp({"SET", "a", "1"}).size()) +
                        ": the command could not be applied: Unknown command 'BOGUS'"),
            std::string::npos)
      << error_;
}

TEST_F(AofLoaderTest, MissingListedFileIsAnError) {
  Manifest("file appendonly.aof.1.incr.aof seq 1 type i\n");
  EXPECT_FALSE(Load());
  EXPECT_NE(error_.find("The AOF file appendonly.aof.1.incr.aof doesn't exist"), std::string::npos)
      << error_;
  Manifest("file x seq 1 type q\n");
  EXPECT_FALSE(Load());
  EXPECT_NE(error_.find("Unknown AOF file type (manifest line 1"), std::string::npos) << error_;
}

TEST_F(AofLoaderTest, RdbBaseGoesToTheCallback) {
  Manifest(
      "file appendonly.aof.1.base.rdb seq 1 type b\n"
      "file appendonly.aof.1.incr.aof seq 1 type i\n");
  // An old-style RDB preamble followed by an AOF tail, as the base.
  std::string rdb = "REDIS0010<binary snapshot>";
  WriteFile(File("appendonly.aof.1.base.rdb"), rdb + Resp({"SET", "t", "1"}));
  WriteFile(File("appendonly.aof.1.incr.aof"), Resp({"SET", "b", "2"}));
  std::string seen;
  callbacks_.on_rdb = [&](const std::string& path, uint64_t* rdb_bytes, std::string*) {
    seen = path;
    *rdb_bytes = rdb.size();
    return true;
  };
  ASSERT_TRUE(Load()) << error_;
  EXPECT_EQ(seen, File("appendonly.aof.1.base.rdb"));
  EXPECT_EQ(loaded_, (std::vector<std::string>{"SET t 1", "SET b 2"}));

  callbacks_.on_rdb = nullptr;
  EXPECT_FALSE(Load());
  EXPECT_NE(error_.find("RDB"), std::string::npos);
}

TEST_F(AofLoaderTest, OldStyleSingleFileIsMigrated) {
  std::filesystem::remove_all(AofDir());
  std::string old = Resp({"SET", "a", "1"}) + Resp({"SET", "b", "2"});
  WriteFile(dir_ / "appendonly.aof", old);

  options_.dry_run = true;
  ASSERT_TRUE(Load()) << error_;
  EXPECT_TRUE(result_.old_style);
  EXPECT_FALSE(result_.migrated);
  EXPECT_EQ(loaded_.size(), 2u);
  EXPECT_FALSE(std::filesystem::exists(AofDir())) << "a dry run changes nothing";

  options_.dry_run = false;
  ASSERT_TRUE(Load()) << error_;
  EXPECT_TRUE(result_.migrated);
  EXPECT_EQ(loaded_, (std::vector<std::string>{"SET a 1", "SET b 2"}));
  EXPECT_FALSE(std::filesystem::exists(dir_ / "appendonly.aof"));
  EXPECT_EQ(ReadFile(File("appendonly.aof")), old);
  EXPECT_EQ(ReadFile(File("appendonly.aof.manifest")), "file appendonly.aof seq 1 type b\n");
  EXPECT_EQ(result_.total_size, old.size());

  ASSERT_TRUE(Load()) << error_;  // and the next start reads it through the manifest
  EXPECT_FALSE(result_.old_style);
  EXPECT_EQ(loaded_.size(), 2u);
}

TEST_F(AofLoaderTest, HundredMegabytesLoadInBoundedMemory) {
  std::string path = File("appendonly.aof.1.incr.aof");
  Manifest("file appendonly.aof.1.incr.aof seq 1 type i\n");
  std::string value(1000, 'v');
  uint64_t written = 0, commands = 0;
  {
    std::ofstream out(path, std::ios::binary);
    std::string chunk;
    while (written < 100ull << 20) {
      chunk.clear();
      for (int i = 0; i < 1000; ++i, ++commands) {
        chunk += Resp({"SET", "key:" + std::to_string(commands), value});
      }
      out.write(chunk.data(), static_cast<std::streamsize>(chunk.size()));
      written += chunk.size();
    }
    // One value bigger than the buffer, then more small ones.
    chunk = Resp({"SET", "big", std::string(8 << 20, 'b')}) + Resp({"SET", "after", "big"});
    out.write(chunk.data(), static_cast<std::streamsize>(chunk.size()));
    commands += 2;
  }
  struct rusage before, after;
  getrusage(RUSAGE_SELF, &before);
  uint64_t bytes_seen = 0, count = 0;
  callbacks_.on_command = [&](AofArgv argv, std::string*) {
    ++count;
    bytes_seen += argv[2].size();
    return true;
  };
  ASSERT_TRUE(Load()) << error_;
  getrusage(RUSAGE_SELF, &after);
  EXPECT_EQ(count, commands);
  EXPECT_EQ(bytes_seen, (commands - 2) * value.size() + (8 << 20) + 3);
  // 1 MiB buffer, grown once to hold the 8 MiB value.
  EXPECT_LE(result_.peak_buffer_bytes, 17u << 20);
  EXPECT_LT(after.ru_maxrss - before.ru_maxrss, 48 * 1024) << "KiB of peak RSS growth";
}

}  // namespace
}  // namespace ember
