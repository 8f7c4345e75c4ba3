#include "persistence/aof_writer.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <filesystem>
#include <functional>
#include <set>
#include <thread>
#include <vector>

#include "persistence/aof_command_reader.h"
#include "persistence/aof_file.h"
#include "persistence/aof_loader.h"
#include "persistence/aof_test_util.h"

namespace ember {
namespace {

using aof_test::ReadFile;
using aof_test::Resp;
using aof_test::TempDir;
using aof_test::WriteFile;

constexpr const char* kIncr = "appendonly.aof.1.incr.aof";

class AofWriterTest : public ::testing::Test {
 protected:
  std::unique_ptr<AofWriter> Open(AofFsyncPolicy policy, int64_t interval_ms = 1000) {
    AofWriterOptions options;
    options.dir = dir_ / "appendonlydir";
    options.fsync = policy;
    options.fs = &fs_;
    options.background_interval_ms = interval_ms;
    std::string error;
    auto writer = AofWriter::Open(options, AofManifest{}, &error);
    EXPECT_TRUE(writer) << error;
    return writer;
  }
  std::string Path(std::string_view name) {
    return dir_ / "appendonlydir" + "/" + std::string(name);
  }
  std::string Incr() { return ReadFile(Path(kIncr)); }

  TempDir dir_;
  FaultInjectingFileSystem fs_;
};

bool WaitFor(const std::function<bool()>& done, int timeout_ms = 5000) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return true;
}

// CONFIG SET appendfsync on the open writer: "no" never fsyncs, switching to always syncs what
// came before at once, everysec picks up in the background.
TEST_F(AofWriterTest, PolicyChangesTakeEffectOnTheOpenWriter) {
  auto writer = Open(AofFsyncPolicy::kNo, /*interval_ms=*/20);
  ASSERT_TRUE(writer);
  writer->Append(Resp({"SET", "a", "1"}));
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  EXPECT_GT(writer->Status().pending_bytes, 0u) << "no: nothing fsynced";
  EXPECT_FALSE(writer->NeedsSyncBeforeReply());
  EXPECT_TRUE(writer->SetPolicy(AofFsyncPolicy::kAlways));
  EXPECT_EQ(writer->policy(), AofFsyncPolicy::kAlways);
  EXPECT_TRUE(writer->NeedsSyncBeforeReply());
  EXPECT_EQ(writer->Status().pending_bytes, 0u) << "switching to always syncs the earlier writes";
  EXPECT_TRUE(writer->SetPolicy(AofFsyncPolicy::kNo));
  writer->Append(Resp({"SET", "b", "2"}));
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  EXPECT_GT(writer->Status().pending_bytes, 0u);
  EXPECT_TRUE(writer->SetPolicy(AofFsyncPolicy::kEverySec));
  EXPECT_TRUE(WaitFor([&] { return writer->Status().pending_bytes == 0; }));
}

TEST_F(AofWriterTest, OpenCreatesBaseIncrementAndManifest) {
  auto writer = Open(AofFsyncPolicy::kAlways);
  ASSERT_TRUE(writer);
  EXPECT_EQ(ReadFile(Path("appendonly.aof.manifest")),
            "file appendonly.aof.1.base.aof seq 1 type b\n"
            "file appendonly.aof.1.incr.aof seq 1 type i\n");
  EXPECT_TRUE(std::filesystem::exists(Path("appendonly.aof.1.base.aof")));
  std::string a = Resp({"SET", "a", "1"}), b = Resp({"DEL", "a"});
  EXPECT_EQ(writer->Append(a), a.size());
  EXPECT_EQ(writer->Append(b), a.size() + b.size());
  EXPECT_TRUE(writer->SyncUpTo(a.size() + b.size()));
  EXPECT_EQ(Incr(), a + b);
  AofWriterStatus status = writer->Status();
  EXPECT_TRUE(status.write_ok);
  EXPECT_EQ(status.current_size, a.size() + b.size());
  EXPECT_EQ(status.increment_size, a.size() + b.size());
  EXPECT_EQ(status.pending_bytes, 0u);
  EXPECT_EQ(status.appends, 2u);
  EXPECT_EQ(status.fsyncs, 1u);
  EXPECT_GT(status.last_fsync_unix_ms, 0);
  EXPECT_EQ(status.increment_name, kIncr);
}

TEST_F(AofWriterTest, EnospcCutsThePartialWriteAndRecovers) {
  auto writer = Open(AofFsyncPolicy::kAlways);
  std::string a = Resp({"SET", "a", "1"}), b = Resp({"SET", "b", "2"}), c = Resp({"SET", "c", "3"});
  uint64_t end_a = writer->Append(a);
  ASSERT_TRUE(writer->SyncUpTo(end_a));
  fs_.FailWritesAfter(5);  // b lands partly, then the disk is full
  uint64_t end_b = writer->Append(b);
  AofWriterStatus status = writer->Status();
  EXPECT_FALSE(status.write_ok);
  EXPECT_EQ(status.write_errno, ENOSPC);
  EXPECT_EQ(status.backlog_bytes, b.size());
  EXPECT_EQ(Incr(), a) << "the partial write must be cut back";
  EXPECT_FALSE(writer->SyncUpTo(end_b)) << "unwritten records must not be acknowledged";
  uint64_t end_c = writer->Append(c);  // queued behind b, never ahead of it
  EXPECT_EQ(Incr(), a);

  fs_.ClearWriteFault();
  EXPECT_TRUE(writer->SyncUpTo(end_c));
  EXPECT_EQ(Incr(), a + b + c);
  status = writer->Status();
  EXPECT_TRUE(status.write_ok);
  EXPECT_EQ(status.backlog_bytes, 0u);
  EXPECT_EQ(status.current_size, a.size() + b.size() + c.size());
}

TEST_F(AofWriterTest, BackgroundThreadRetriesTheBacklog) {
  auto writer = Open(AofFsyncPolicy::kNo, /*interval_ms=*/20);
  std::string a = Resp({"SET", "a", "1"});
  fs_.FailWritesAfter(0);
  writer->Append(a);
  EXPECT_FALSE(writer->Status().write_ok);
  fs_.ClearWriteFault();
  EXPECT_TRUE(WaitFor([&] { return writer->Status().write_ok; }));
  EXPECT_EQ(Incr(), a);
}

TEST_F(AofWriterTest, EioOnFsyncIsReportedAndNothingBecomesDurable) {
  auto writer = Open(AofFsyncPolicy::kAlways);
  std::string a = Resp({"SET", "a", "1"}), b = Resp({"SET", "b", "2"});
  ASSERT_TRUE(writer->SyncUpTo(writer->Append(a)));
  fs_.FailSyncs();
  uint64_t end_b = writer->Append(b);
  EXPECT_FALSE(writer->SyncUpTo(end_b));
  AofWriterStatus status = writer->Status();
  EXPECT_FALSE(status.fsync_ok);
  EXPECT_EQ(status.fsync_errno, EIO);
  EXPECT_EQ(status.fsync_failures, 1u);
  EXPECT_EQ(status.pending_bytes, b.size());
  fs_.Crash();
  EXPECT_EQ(Incr(), a);

  fs_.ClearSyncFault();
  end_b = writer->Append(b);  // the crash lost b; the engine would replay it after a restart
  EXPECT_TRUE(writer->SyncUpTo(end_b));
  EXPECT_TRUE(writer->Status().fsync_ok);
  fs_.Crash();
  EXPECT_EQ(Incr(), a + b);
}

TEST_F(AofWriterTest, CrashKeepsExactlyTheSyncedPrefix) {
  auto writer = Open(AofFsyncPolicy::kAlways);
  std::string a = Resp({"SET", "a", "1"}), b = Resp({"SET", "b", "2"});
  ASSERT_TRUE(writer->SyncUpTo(writer->Append(a)));
  writer->Append(b);
  EXPECT_EQ(Incr(), a + b) << "b is in the page cache";
  fs_.Crash();
  EXPECT_EQ(Incr(), a) << "power loss drops what no fdatasync covered";
  EXPECT_EQ(fs_.DurableSize(Path(kIncr)), a.size());
}

TEST_F(AofWriterTest, GroupCommitEightThreadsEveryAcknowledgedAppendSurvivesCrash) {
  auto writer = Open(AofFsyncPolicy::kAlways);
  fs_.SetSyncDelayUs(2000);  // a disk whose fsync takes 2 ms
  constexpr int kThreads = 8, kPerThread = 100000;
  std::vector<std::vector<std::string>> acknowledged(kThreads);
  std::atomic<uint64_t> appends{0}, not_durable_when_acked{0};
  std::atomic<bool> go{false}, stop{false};
  std::string path = Path(kIncr);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      while (!go) std::this_thread::yield();
      for (int i = 0; i < kPerThread && !stop; ++i) {
        std::string record = Resp({"SET", "k" + std::to_string(t), std::to_string(i)});
        uint64_t end = writer->Append(record);
        ++appends;
        if (!writer->SyncUpTo(end)) continue;
        // The increment started empty, so logical offsets are file offsets: at the moment of
        // the acknowledgement the record must already be durable.
        if (fs_.DurableSize(path) < end) ++not_durable_when_acked;
        acknowledged[t].push_back(record);
      }
    });
  }
  go = true;
  std::this_thread::sleep_for(std::chrono::milliseconds(150));
  stop = true;
  for (auto& thread : threads) thread.join();
  uint64_t fsyncs = writer->Status().fsyncs;
  writer->Append(Resp({"SET", "unsynced", "tail"}));
  fs_.Crash();
  EXPECT_EQ(not_durable_when_acked, 0u);

  int fd = ::open(path.c_str(), O_RDONLY);
  ASSERT_GE(fd, 0);
  std::multiset<std::string> on_disk;
  AofCommandReader reader(fd, std::filesystem::file_size(path), 0);
  AofCommandReader::Result r;
  while ((r = reader.Next()) == AofCommandReader::Result::kCommand) {
    auto argv = reader.argv();
    on_disk.insert(Resp({argv[0], argv[1], argv[2]}));
  }
  ::close(fd);
  EXPECT_EQ(r, AofCommandReader::Result::kEnd) << "the durable prefix ends on a record boundary";
  size_t acked = 0;
  for (const auto& records : acknowledged) {
    acked += records.size();
    for (const auto& record : records) EXPECT_EQ(on_disk.count(record), 1u) << record;
  }
  EXPECT_GT(acked, 100u);
  EXPECT_EQ(on_disk.size(), acked);
  EXPECT_EQ(on_disk.count(Resp({"SET", "unsynced", "tail"})), 0u);
  printf("group commit: %llu fsyncs for %llu appends by %d threads\n",
         static_cast<unsigned long long>(fsyncs), static_cast<unsigned long long>(appends.load()),
         kThreads);
  EXPECT_LE(fsyncs * 4, appends.load())
      << "group commit: " << fsyncs << " fsyncs for " << appends << " appends";
}

TEST_F(AofWriterTest, EverysecSyncsInTheBackground) {
  auto writer = Open(AofFsyncPolicy::kEverySec, /*interval_ms=*/20);
  EXPECT_FALSE(writer->NeedsSyncBeforeReply());
  std::string a = Resp({"SET", "a", "1"});
  writer->Append(a);
  EXPECT_TRUE(WaitFor([&] { return writer->Status().pending_bytes == 0; }));
  EXPECT_GE(writer->Status().fsyncs, 1u);
  fs_.Crash();
  EXPECT_EQ(Incr(), a);
}

TEST_F(AofWriterTest, NoPolicyNeverSyncsUntilClose) {
  auto writer = Open(AofFsyncPolicy::kNo, /*interval_ms=*/10);
  std::string a = Resp({"SET", "a", "1"});
  writer->Append(a);
  std::this_thread::sleep_for(std::chrono::milliseconds(80));
  EXPECT_EQ(writer->Status().fsyncs, 0u);
  EXPECT_EQ(writer->Status().pending_bytes, a.size());
  std::string error;
  EXPECT_TRUE(writer->Close(&error)) << error;
  fs_.Crash();
  EXPECT_EQ(Incr(), a);
}

TEST_F(AofWriterTest, RotateIncrementSwitchesFilesWithTheManifest) {
  auto writer = Open(AofFsyncPolicy::kNo);
  std::string a = Resp({"SET", "a", "1"}), b = Resp({"SET", "b", "2"});
  writer->Append(a);
  std::string error;
  ASSERT_TRUE(writer->RotateIncrement(&error)) << error;
  uint64_t end = writer->Append(b);
  EXPECT_EQ(end, a.size() + b.size()) << "offsets run on across files";
  EXPECT_EQ(Incr(), a);
  EXPECT_EQ(ReadFile(Path("appendonly.aof.2.incr.aof")), b);
  EXPECT_EQ(ReadFile(Path("appendonly.aof.manifest")),
            "file appendonly.aof.1.base.aof seq 1 type b\n"
            "file appendonly.aof.1.incr.aof seq 1 type i\n"
            "file appendonly.aof.2.incr.aof seq 2 type i\n");
  AofWriterStatus status = writer->Status();
  EXPECT_EQ(status.increment_name, "appendonly.aof.2.incr.aof");
  EXPECT_EQ(status.increment_size, b.size());
  EXPECT_EQ(status.current_size, a.size() + b.size());
  fs_.Crash();
  EXPECT_EQ(Incr(), a) << "the rotated-out file was fsynced";

  // A rotation while the disk is full changes nothing.
  fs_.FailWritesAfter(0);
  writer->Append(a);
  EXPECT_FALSE(writer->RotateIncrement(&error));
  EXPECT_EQ(writer->manifest().increments.size(), 2u);
  EXPECT_FALSE(std::filesystem::exists(Path("appendonly.aof.3.incr.aof")));
  fs_.ClearWriteFault();
}

TEST_F(AofWriterTest, CommitRewriteInstallsTheNewBaseAndDropsHistory) {
  auto writer = Open(AofFsyncPolicy::kAlways);
  writer->Append(Resp({"SET", "a", "1"}));
  writer->Append(Resp({"SET", "a", "2"}));
  std::string error;
  ASSERT_TRUE(writer->RotateIncrement(&error)) << error;
  std::string tail = Resp({"INCR", "a"});
  ASSERT_TRUE(writer->SyncUpTo(writer->Append(tail)));
  std::string snapshot = Resp({"SET", "a", "2"});
  WriteFile(Path("temp-rewrite.aof"), snapshot);
  ASSERT_TRUE(writer->CommitRewrite(Path("temp-rewrite.aof"), AofBaseFormat::kAof, &error))
      << error;
  EXPECT_EQ(ReadFile(Path("appendonly.aof.manifest")),
            "file appendonly.aof.2.base.aof seq 2 type b\n"
            "file appendonly.aof.2.incr.aof seq 2 type i\n");
  EXPECT_FALSE(std::filesystem::exists(Path(kIncr)));
  EXPECT_FALSE(std::filesystem::exists(Path("appendonly.aof.1.base.aof")));
  EXPECT_EQ(writer->Status().base_size, snapshot.size());
  EXPECT_EQ(writer->Status().current_size, snapshot.size() + tail.size());

  ASSERT_TRUE(writer->Close(&error)) << error;
  std::vector<std::string> loaded;
  AofLoadOptions options;
  options.data_dir = dir_.path();
  AofLoadCallbacks callbacks;
  callbacks.on_command = [&](AofArgv argv, std::string*) {
    loaded.push_back(std::string(argv[0]) + " " + std::string(argv.back()));
    return true;
  };
  AofLoadResult result;
  ASSERT_TRUE(LoadAof(options, callbacks, &result, &error)) << error;
  EXPECT_EQ(loaded, (std::vector<std::string>{"SET 2", "INCR a"}));
  EXPECT_EQ(result.total_size, snapshot.size() + tail.size());
}

TEST_F(AofWriterTest, ReopensTheLastIncrementAfterLoading) {
  std::string a = Resp({"SET", "a", "1"}), b = Resp({"SET", "b", "2"});
  {
    auto writer = Open(AofFsyncPolicy::kEverySec);
    writer->Append(a);
  }
  AofManifest manifest;
  bool exists = false;
  std::string error;
  ASSERT_TRUE(ReadAofManifest(Path(""), "appendonly.aof", &manifest, &exists, &error));
  AofWriterOptions options;
  options.dir = Path("");
  auto writer = AofWriter::Open(options, manifest, &error);
  ASSERT_TRUE(writer) << error;
  EXPECT_EQ(writer->Status().current_size, a.size());
  writer->Append(b);
  writer.reset();
  EXPECT_EQ(Incr(), a + b);
}

TEST(AofFsyncPolicy, ParsesRedisNames) {
  AofFsyncPolicy policy;
  ASSERT_TRUE(ParseAofFsyncPolicy("EverySec", &policy));
  EXPECT_EQ(policy, AofFsyncPolicy::kEverySec);
  ASSERT_TRUE(ParseAofFsyncPolicy("always", &policy));
  EXPECT_STREQ(AofFsyncPolicyName(policy), "always");
  EXPECT_FALSE(ParseAofFsyncPolicy("sometimes", &policy));
}

}  // namespace
}  // namespace ember
