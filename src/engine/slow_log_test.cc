#include "engine/slow_log.h"

#include <gtest/gtest.h>

#include "command_runner.h"
#include "engine/latency_monitor.h"

namespace ember {
namespace {

std::vector<std::string> Argv(std::vector<std::string_view> args) {
  return SlowLog::EntryArgv(args);
}

TEST(SlowLogTest, EntryKeepsThirtyTwoArgumentsTheLastCountingTheRest) {
  std::vector<std::string> storage;
  for (int i = 0; i < 40; ++i) storage.push_back(std::to_string(i));
  std::vector<std::string_view> args(storage.begin(), storage.end());
  std::vector<std::string> argv = SlowLog::EntryArgv(args);
  ASSERT_EQ(argv.size(), 32u);
  EXPECT_EQ(argv[30], "30");
  EXPECT_EQ(argv[31], "... (9 more arguments)");
  args.resize(32);
  EXPECT_EQ(SlowLog::EntryArgv(args).size(), 32u);
  EXPECT_EQ(SlowLog::EntryArgv(args)[31], "31");  // exactly 32: nothing left out
}

TEST(SlowLogTest, EntryCutsLongArgumentsAt128Bytes) {
  std::string long_value(200, 'x');
  std::vector<std::string> argv = Argv({"set", "k", long_value});
  EXPECT_EQ(argv[2], std::string(128, 'x') + "... (72 more bytes)");
  EXPECT_EQ(Argv({"set", "k", std::string(128, 'y')})[2], std::string(128, 'y'));
}

TEST(SlowLogTest, EntryRedactsSecrets) {
  EXPECT_EQ(Argv({"AUTH", "pw"}), (std::vector<std::string>{"AUTH", "(redacted)"}));
  EXPECT_EQ(Argv({"auth", "user", "pw"}),
            (std::vector<std::string>{"auth", "(redacted)", "(redacted)"}));
  EXPECT_EQ(
      Argv({"hello", "3", "AUTH", "u", "p", "SETNAME", "n"}),
      (std::vector<std::string>{"hello", "3", "AUTH", "(redacted)", "(redacted)", "SETNAME", "n"}));
  EXPECT_EQ(Argv({"config", "set", "requirepass", "pw", "hz", "10"}),
            (std::vector<std::string>{"config", "set", "requirepass", "(redacted)", "hz", "10"}));
  EXPECT_EQ(Argv({"get", "auth"}), (std::vector<std::string>{"get", "auth"}));
}

TEST(SlowLogTest, PushKeepsTheNewestUpToMaxLenWithRisingIds) {
  SlowLog& log = SlowLog::Instance();
  log.Reset();
  std::vector<std::string_view> args = {"get", "a"};
  for (int i = 0; i < 5; ++i) log.Push(args, 1000 + i, 10 * i, "1.2.3.4:5", "n", 3);
  EXPECT_EQ(log.Length(), 3u);
  std::vector<SlowLogEntry> newest = log.Newest(10);
  ASSERT_EQ(newest.size(), 3u);
  EXPECT_EQ(newest[0].unix_time, 1004);
  EXPECT_EQ(newest[0].id, newest[1].id + 1);
  EXPECT_EQ(newest[2].duration_us, 20);
  EXPECT_EQ(log.Newest(1).size(), 1u);
  log.Push(args, 2000, 1, "", "", 0);  // slowlog-max-len 0 keeps nothing
  EXPECT_EQ(log.Length(), 0u);
  log.Reset();
}

TEST(SlowLogTest, CommandsSlowerThanTheThresholdAreLoggedExecIsNot) {
  testing::CommandRunner runner;
  SlowLog::Instance().Reset();
  EXPECT_EQ(runner.Run({"config", "set", "slowlog-log-slower-than", "0"}), "+OK\r\n");
  runner.Run({"set", "k", "v"});
  runner.Run({"multi"});
  runner.Run({"incr", "n"});
  runner.Run({"exec"});
  std::string reply = runner.Run({"slowlog", "get", "-1"});
  EXPECT_NE(reply.find("$3\r\nset\r\n$1\r\nk\r\n$1\r\nv\r\n"), std::string::npos) << reply;
  EXPECT_NE(reply.find("$4\r\nincr\r\n"), std::string::npos) << reply;
  EXPECT_EQ(reply.find("$4\r\nexec\r\n"), std::string::npos) << reply;
  EXPECT_EQ(runner.Run({"config", "set", "slowlog-log-slower-than", "-1"}), "+OK\r\n");
  EXPECT_EQ(runner.Run({"slowlog", "reset"}), "+OK\r\n");
  runner.Run({"set", "k", "v"});
  EXPECT_EQ(runner.Run({"slowlog", "len"}), ":0\r\n");
  EXPECT_EQ(runner.Run({"slowlog", "get", "-2"}),
            "-ERR count should be greater than or equal to -1\r\n");
  runner.Run({"config", "set", "slowlog-log-slower-than", "10000"});
}

TEST(LatencyMonitorTest, OneSamplePerSecondKeepsTheWorst) {
  LatencyMonitor monitor;
  monitor.Add("command", 5, 100);
  monitor.Add("command", 9, 100);
  monitor.Add("command", 3, 100);
  monitor.Add("command", 4, 101);
  LatencyEvent e = monitor.Event("command");
  ASSERT_EQ(e.samples.size(), 2u);
  EXPECT_EQ(e.samples[0].latency_ms, 9);
  EXPECT_EQ(e.samples[1].unix_time, 101);
  EXPECT_EQ(e.max_ms, 9);
  EXPECT_TRUE(monitor.Event("nosuch").samples.empty());
}

TEST(LatencyMonitorTest, KeepsTheLatest160SamplesAndResetsByName) {
  LatencyMonitor monitor;
  for (int i = 0; i < 200; ++i) monitor.Add("aof-write", i, i);
  monitor.Add("command", 1, 1);
  LatencyEvent e = monitor.Event("aof-write");
  ASSERT_EQ(e.samples.size(), LatencyMonitor::kSamplesKept);
  EXPECT_EQ(e.samples.front().unix_time, 40);
  EXPECT_EQ(e.samples.back().unix_time, 199);
  EXPECT_EQ(e.max_ms, 199);
  std::vector<std::string_view> names = {"command", "nosuch"};
  EXPECT_EQ(monitor.Reset(names), 1u);
  EXPECT_EQ(monitor.Events().size(), 1u);
  EXPECT_EQ(monitor.Reset({}), 1u);
  EXPECT_TRUE(monitor.Events().empty());
}

}  // namespace
}  // namespace ember
