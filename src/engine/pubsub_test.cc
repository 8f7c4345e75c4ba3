#include "engine/pubsub.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "engine/engine.h"

namespace ember {
namespace {

// A connection stand-in: keeps what it was sent.
class RecordingTarget final : public PushTarget {
 public:
  void Push(std::string_view frame, bool push) override {
    ASSERT_TRUE(alive) << "a frame reached a client that had gone";
    frames.emplace_back(frame);
    pushes += push;
  }
  std::vector<std::string> frames;
  int pushes = 0;
  bool alive = true;
};

class PubSubTest : public ::testing::Test {
 protected:
  PubSubTest() : engine_(MakeConfig()) {}
  ~PubSubTest() override { PubSub::BindThread(-1); }

  static ServerConfig MakeConfig() {
    ServerConfig config;
    config.shards = 3;
    return config;
  }

  std::unique_ptr<ClientState> Client(uint32_t worker, RecordingTarget* target) {
    auto client = std::make_unique<ClientState>();
    client->id = ++next_id_;
    client->worker = worker;
    client->push_target = target;
    return client;
  }

  // Ends this thread's turn (its held deliveries go out), then runs what was posted to
  // `worker`'s mailbox, as that thread would; returns how many tasks.
  int RunMailbox(uint32_t worker) {
    pubsub().FlushThread();
    int ran = 0;
    while (Task* task = engine_.mailbox(worker).Pop()) {
      task->Run();
      ++ran;
    }
    return ran;
  }

  PubSub& pubsub() { return engine_.pubsub(); }

  Engine engine_;
  uint64_t next_id_ = 0;
};

std::string Message(std::string_view channel, std::string_view message) {
  return "*3\r\n$7\r\nmessage\r\n$" + std::to_string(channel.size()) + "\r\n" +
         std::string(channel) + "\r\n$" + std::to_string(message.size()) + "\r\n" +
         std::string(message) + "\r\n";
}

TEST_F(PubSubTest, NobodySubscribedCostsNothingAndReachesNoOne) {
  EXPECT_FALSE(pubsub().HasSubscribers());
  EXPECT_EQ(pubsub().Publish("news", "hello"), 0u);
  for (uint32_t w = 0; w < 3; ++w) EXPECT_EQ(RunMailbox(w), 0);
}

TEST_F(PubSubTest, SameThreadIsImmediateOtherThreadsGetOneTaskEach) {
  PubSub::BindThread(0);
  RecordingTarget local, remote1, remote2, remote3;
  auto a = Client(0, &local), b = Client(1, &remote1), c = Client(1, &remote2),
       d = Client(2, &remote3);
  for (auto* client : {a.get(), b.get(), c.get(), d.get()})
    EXPECT_TRUE(pubsub().Subscribe(*client, SubscriptionKind::kChannel, "news"));
  EXPECT_FALSE(pubsub().Subscribe(*a, SubscriptionKind::kChannel, "news"));  // already
  EXPECT_TRUE(pubsub().HasSubscribers());
  EXPECT_EQ(pubsub().num_channels(), 1u);
  EXPECT_EQ(a->sub_channels, 1);

  EXPECT_EQ(pubsub().Publish("news", "hi"), 4u);
  ASSERT_EQ(local.frames.size(), 1u);
  EXPECT_EQ(local.frames[0], Message("news", "hi"));
  EXPECT_EQ(local.pushes, 1);
  EXPECT_TRUE(remote1.frames.empty());
  EXPECT_EQ(RunMailbox(1), 1);  // both clients of thread 1 in one task
  EXPECT_EQ(RunMailbox(2), 1);
  EXPECT_EQ(remote1.frames, std::vector<std::string>{Message("news", "hi")});
  EXPECT_EQ(remote2.frames, std::vector<std::string>{Message("news", "hi")});
  EXPECT_EQ(remote3.frames, std::vector<std::string>{Message("news", "hi")});
  for (auto* client : {a.get(), b.get(), c.get(), d.get()}) pubsub().DropClient(*client);
  EXPECT_FALSE(pubsub().HasSubscribers());
}

TEST_F(PubSubTest, PatternsGetPmessageWithThePattern) {
  RecordingTarget target;
  auto client = Client(0, &target);
  PubSub::BindThread(0);
  pubsub().Subscribe(*client, SubscriptionKind::kPattern, "news.*");
  pubsub().Subscribe(*client, SubscriptionKind::kChannel, "news.tech");
  EXPECT_EQ(pubsub().num_patterns(), 1u);
  EXPECT_EQ(pubsub().Publish("news.tech", "x"), 2u);  // once per subscription, as Redis
  EXPECT_EQ(pubsub().Publish("sport", "x"), 0u);
  ASSERT_EQ(target.frames.size(), 2u);
  EXPECT_EQ(target.frames[0], Message("news.tech", "x"));
  EXPECT_EQ(target.frames[1],
            "*4\r\n$8\r\npmessage\r\n$6\r\nnews.*\r\n$9\r\nnews.tech\r\n$1\r\nx\r\n");
  pubsub().DropClient(*client);
  EXPECT_EQ(pubsub().num_patterns(), 0u);
  EXPECT_EQ(pubsub().num_channels(), 0u);
}

TEST_F(PubSubTest, ShardChannelsAreApartFromChannels) {
  RecordingTarget target;
  auto client = Client(0, &target);
  PubSub::BindThread(0);
  pubsub().Subscribe(*client, SubscriptionKind::kShardChannel, "orders");
  EXPECT_FALSE(pubsub().HasSubscribers());  // plain channels and patterns only
  EXPECT_EQ(pubsub().Publish("orders", "1"), 0u);
  EXPECT_EQ(pubsub().Publish("orders", "1", true), 1u);
  ASSERT_EQ(target.frames.size(), 1u);
  EXPECT_EQ(target.frames[0], "*3\r\n$8\r\nsmessage\r\n$6\r\norders\r\n$1\r\n1\r\n");
  EXPECT_EQ(pubsub().num_shard_channels(), 1u);
  EXPECT_EQ(pubsub().ActiveChannels(true, ""), std::vector<std::string>{"orders"});
  EXPECT_TRUE(pubsub().ActiveChannels(false, "").empty());
  EXPECT_EQ(pubsub().SubscriberCount(true, "orders"), 1u);
  pubsub().DropClient(*client);
}

TEST_F(PubSubTest, UnsubscribeKeepsTheOthers) {
  RecordingTarget t1, t2;
  auto a = Client(0, &t1), b = Client(0, &t2);
  PubSub::BindThread(0);
  pubsub().Subscribe(*a, SubscriptionKind::kChannel, "c");
  pubsub().Subscribe(*b, SubscriptionKind::kChannel, "c");
  pubsub().Subscribe(*a, SubscriptionKind::kChannel, "d");
  EXPECT_EQ(pubsub().SubscriberCount(false, "c"), 2u);
  EXPECT_TRUE(pubsub().Unsubscribe(*a, SubscriptionKind::kChannel, "c"));
  EXPECT_FALSE(pubsub().Unsubscribe(*a, SubscriptionKind::kChannel, "c"));
  EXPECT_EQ(a->sub_channels, 1);
  EXPECT_EQ(pubsub().SubscriberCount(false, "c"), 1u);
  EXPECT_EQ(pubsub().Publish("c", "m"), 1u);
  EXPECT_TRUE(t1.frames.empty());
  EXPECT_EQ(t2.frames.size(), 1u);
  EXPECT_EQ(pubsub().SubscriptionsOf(*a, SubscriptionKind::kChannel),
            std::vector<std::string>{"d"});
  pubsub().DropClient(*a);
  pubsub().DropClient(*b);
  EXPECT_EQ(pubsub().num_channels(), 0u);
}

TEST_F(PubSubTest, OneTaskPerDestinationThreadPerTurn) {
  PubSub::BindThread(0);
  RecordingTarget remote;
  auto client = Client(1, &remote);
  pubsub().Subscribe(*client, SubscriptionKind::kChannel, "c");
  for (int i = 0; i < 100; ++i) pubsub().Publish("c", std::to_string(i));
  EXPECT_EQ(engine_.mailbox(1).Pop(), nullptr);  // held until the turn ends
  EXPECT_EQ(RunMailbox(1), 1);
  ASSERT_EQ(remote.frames.size(), 100u);
  EXPECT_EQ(remote.frames[99], Message("c", "99"));
  pubsub().DropClient(*client);
}

TEST_F(PubSubTest, AClientThatLeftWhileFramesWereInFlightIsSkipped) {
  auto target = std::make_unique<RecordingTarget>();
  RecordingTarget stays;
  auto leaving = Client(1, target.get()), staying = Client(1, &stays);
  PubSub::BindThread(0);
  pubsub().Subscribe(*leaving, SubscriptionKind::kChannel, "c");
  pubsub().Subscribe(*staying, SubscriptionKind::kChannel, "c");
  EXPECT_EQ(pubsub().Publish("c", "m"), 2u);
  // Its thread closes it before running the delivery.
  pubsub().DropClient(*leaving);
  target->alive = false;
  target.reset();
  EXPECT_EQ(RunMailbox(1), 1);
  EXPECT_EQ(stays.frames.size(), 1u);
  pubsub().DropClient(*staying);
}

TEST_F(PubSubTest, OnePublishersMessagesArriveInOrderFromAnotherThread) {
  RecordingTarget target;
  auto client = Client(2, &target);
  pubsub().Subscribe(*client, SubscriptionKind::kChannel, "seq");
  std::thread publisher([&] {
    PubSub::BindThread(0);
    for (int i = 0; i < 10000; ++i) {
      pubsub().Publish("seq", std::to_string(i));
      if (i % 1000 == 999) pubsub().FlushThread();  // a turn ends now and then
    }
  });
  publisher.join();
  RunMailbox(2);
  ASSERT_EQ(target.frames.size(), 10000u);
  for (int i = 0; i < 10000; ++i) ASSERT_EQ(target.frames[i], Message("seq", std::to_string(i)));
  pubsub().DropClient(*client);
}

TEST_F(PubSubTest, ConcurrentPublishersAndSubscribersKeepCountsRight) {
  std::vector<std::thread> threads;
  std::atomic<size_t> received{0};
  for (uint32_t w = 0; w < 3; ++w) {
    threads.emplace_back([&, w] {
      PubSub::BindThread(static_cast<int>(w));
      for (int i = 0; i < 2000; ++i) {
        ClientState client;
        client.id = 1000000 * (w + 1) + static_cast<uint64_t>(i);
        client.worker = w;
        pubsub().Subscribe(client, SubscriptionKind::kChannel, "ch" + std::to_string(i % 7));
        received += pubsub().Publish("ch" + std::to_string(i % 5), "x");
        pubsub().DropClient(client);
      }
      pubsub().FlushThread();
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(pubsub().num_channels(), 0u);
  EXPECT_FALSE(pubsub().HasSubscribers());
  for (uint32_t w = 0; w < 3; ++w) RunMailbox(w);  // frees what was posted
  EXPECT_GT(received.load(), 0u);
}

TEST_F(PubSubTest, MonitorsSeeCommandsFromEveryThread) {
  RecordingTarget local, remote;
  auto a = Client(0, &local), b = Client(1, &remote);
  PubSub::BindThread(0);
  EXPECT_FALSE(pubsub().monitored());
  pubsub().StartMonitor(*a);
  pubsub().StartMonitor(*b);
  EXPECT_TRUE(pubsub().monitored());
  ClientState runner;
  runner.addr = "127.0.0.1:5000";
  std::vector<std::string_view> args = {"set", "k", "v"};
  pubsub().FeedMonitors(runner, 3, args);
  ASSERT_EQ(local.frames.size(), 1u);
  EXPECT_EQ(local.pushes, 0);  // a status line, not a push
  EXPECT_TRUE(local.frames[0].starts_with("+"));
  EXPECT_TRUE(local.frames[0].ends_with(" [3 127.0.0.1:5000] \"set\" \"k\" \"v\"\r\n"));
  RunMailbox(1);
  EXPECT_EQ(remote.frames, local.frames);
  pubsub().DropClient(*a);
  pubsub().DropClient(*b);
  EXPECT_FALSE(pubsub().monitored());
}

TEST(MonitorLine, QuotesAsRedisAndRedactsPasswords) {
  std::string out;
  std::vector<std::string_view> set = {"set", "k", std::string_view("a\"b\n\x01 \\\t", 8)};
  FormatMonitorLine(out, 1339518083107412, 0, "127.0.0.1:60866", set);
  EXPECT_EQ(out,
            "+1339518083.107412 [0 127.0.0.1:60866] \"set\" \"k\" \"a\\\"b\\n\\x01 \\\\\\t\"\r\n");
  out.clear();
  std::vector<std::string_view> auth = {"AUTH", "user", "secret"};
  FormatMonitorLine(out, 5, 1, "x", auth);
  EXPECT_EQ(out, "+0.000005 [1 x] \"AUTH\" \"(redacted)\" \"(redacted)\"\r\n");
  out.clear();
  std::vector<std::string_view> hello = {"hello", "3", "setname", "n", "auth", "u", "p"};
  FormatMonitorLine(out, 0, 0, "x", hello);
  EXPECT_EQ(out,
            "+0.000000 [0 x] \"hello\" \"3\" \"setname\" \"n\" \"auth\" \"(redacted)\" "
            "\"(redacted)\"\r\n");
}

}  // namespace
}  // namespace ember
