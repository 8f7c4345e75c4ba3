// The replica's side of replication (replication.h): the link thread.
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>

#include <fmt/format.h>

#include "commands/arg_parser.h"
#include "commands/client_state.h"
#include "common/clock.h"
#include "common/numbers.h"
#include "engine/engine.h"
#include "engine/execute.h"
#include "engine/journal.h"
#include "engine/shard_hold.h"
#include "persistence/snapshot.h"
#include "protocol/reply_builder.h"
#include "protocol/resp_parser.h"
#include "replication/replication.h"

namespace ember {
namespace {

constexpr int64_t kReplTimeoutMs = 60'000;  // repl-timeout
constexpr int64_t kAckPeriodMs = 1000;

void Log(const std::string& text) {
  fprintf(stderr, "ember-server: replication: %s\n", text.c_str());
}

int Connect(const std::string& host, int port) {
  addrinfo hints{}, *res = nullptr;
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  if (getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &res) != 0) return -1;
  int fd = -1;
  for (addrinfo* ai = res; ai != nullptr && fd < 0; ai = ai->ai_next) {
    fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) continue;
    if (connect(fd, ai->ai_addr, ai->ai_addrlen) != 0 && errno != EINPROGRESS) {
      close(fd);
      fd = -1;
      continue;
    }
    pollfd p{fd, POLLOUT, 0};
    int err = 0;
    socklen_t len = sizeof(err);
    if (poll(&p, 1, 5000) != 1 || getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0 ||
        err != 0) {
      close(fd);
      fd = -1;
    }
  }
  freeaddrinfo(res);
  if (fd >= 0) {
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  }
  return fd;
}

}  // namespace

// One connection to the master; every wait is bounded and gives up when the link is no longer
// wanted (REPLICAOF changed, shutdown).
class MasterLink {
 public:
  MasterLink(Replication& owner, int fd, uint64_t generation)
      : owner_(owner), fd_(fd), generation_(generation) {}
  ~MasterLink() { close(fd_); }

  bool Send(std::string_view data) {
    int64_t deadline = WallClockMs() + kReplTimeoutMs;
    while (!data.empty()) {
      ssize_t n = send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
      if (n > 0) {
        data.remove_prefix(static_cast<size_t>(n));
        continue;
      }
      if (n < 0 && errno != EAGAIN && errno != EINTR) return false;
      if (!Wait(POLLOUT, deadline)) return false;
    }
    return true;
  }
  bool SendCommand(std::initializer_list<std::string_view> argv) {
    std::string out;
    AppendRespCommand(&out, std::span<const std::string_view>(argv.begin(), argv.size()));
    return Send(out);
  }
  // Waits for `events` until `deadline`, in short steps that notice the link is not wanted.
  bool Wait(short events, int64_t deadline) {
    while (owner_.LinkWanted(generation_)) {
      pollfd p{fd_, events, 0};
      int r = poll(&p, 1, 100);
      if (r > 0) return true;
      if (r < 0 && errno != EINTR) return false;
      if (WallClockMs() >= deadline) return false;
    }
    return false;
  }
  // Appends what the socket has to in_; false on EOF, error, timeout or cancel.
  bool ReadMore(int64_t timeout_ms) {
    if (!Wait(POLLIN, WallClockMs() + timeout_ms)) return false;
    char buf[64 * 1024];
    ssize_t n = recv(fd_, buf, sizeof(buf), 0);
    if (n == 0) return false;
    if (n < 0) return errno == EAGAIN || errno == EINTR;
    in_.append(buf, static_cast<size_t>(n));
    owner_.last_io_ms_.store(WallClockMs());
    return true;
  }
  // One reply line, skipping the bare newlines a master sends to keep the link alive.
  bool ReadLine(std::string* line) {
    for (;;) {
      while (!in_.empty() && in_[0] == '\n') in_.erase(0, 1);
      size_t end = in_.find("\r\n");
      if (end != std::string::npos) {
        *line = in_.substr(0, end);
        in_.erase(0, end + 2);
        return true;
      }
      if (!ReadMore(kReplTimeoutMs)) return false;
    }
  }
  // Waits up to `timeout_ms` for bytes: -1 the link broke, 0 none came, 1 some did.
  int ReadSome(int64_t timeout_ms) {
    pollfd p{fd_, POLLIN, 0};
    int r = poll(&p, 1, static_cast<int>(timeout_ms));
    if (r == 0 || (r < 0 && errno == EINTR)) return 0;
    if (r < 0) return -1;
    char buf[64 * 1024];
    ssize_t n = recv(fd_, buf, sizeof(buf), 0);
    if (n == 0) return -1;
    if (n < 0) return errno == EAGAIN || errno == EINTR ? 0 : -1;
    in_.append(buf, static_cast<size_t>(n));
    owner_.last_io_ms_.store(WallClockMs());
    return 1;
  }
  bool Ask(std::initializer_list<std::string_view> argv, std::string* line) {
    return SendCommand(argv) && ReadLine(line);
  }

  // The RDB after +FULLRESYNC: `$<len>` or `$EOF:<mark>` (diskless), into `path`.
  bool ReceiveRdb(const std::string& path, std::string* error) {
    std::string header;
    if (!ReadLine(&header) || header.size() < 2 || header[0] != '$') {
      *error = "bad bulk header from the master: " + header;
      return false;
    }
    int out = open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (out < 0) {
      *error = "cannot create " + path + ": " + strerror(errno);
      return false;
    }
    bool ok = header.compare(1, 4, "EOF:") == 0 ? ReceiveUntilMark(out, header.substr(5))
                                                : ReceiveLength(out, header.substr(1));
    close(out);
    if (!ok) *error = "the transfer of the RDB broke off";
    return ok;
  }

  std::string in_;

 private:
  bool ReceiveLength(int out, std::string_view digits) {
    auto total = ParseUint64(digits);
    if (!total) return false;
    uint64_t left = *total;
    for (;;) {
      size_t n = std::min<uint64_t>(left, in_.size());
      if (n > 0 && !WriteAll(out, in_.data(), n)) return false;
      in_.erase(0, n);
      left -= n;
      if (left == 0) return true;
      if (!ReadMore(kReplTimeoutMs)) return false;
    }
  }
  bool ReceiveUntilMark(int out, const std::string& mark) {
    if (mark.size() != 40) return false;
    for (;;) {
      if (in_.size() >= mark.size() &&
          in_.compare(in_.size() - mark.size(), mark.size(), mark) == 0) {
        bool ok = WriteAll(out, in_.data(), in_.size() - mark.size());
        in_.clear();
        return ok;
      }
      if (in_.size() > mark.size()) {  // keep a mark's length back: it may be arriving
        size_t n = in_.size() - mark.size();
        if (!WriteAll(out, in_.data(), n)) return false;
        in_.erase(0, n);
      }
      if (!ReadMore(kReplTimeoutMs)) return false;
    }
  }

  Replication& owner_;
  int fd_;
  uint64_t generation_;
};

bool Replication::LinkWanted(uint64_t generation) {
  std::lock_guard lock(link_mu_);
  return !stopping_.load() && generation_ == generation && !engine_.shutdown_requested();
}

void Replication::LinkLoop() {
  for (;;) {
    std::string host;
    int port;
    uint64_t generation;
    {
      std::unique_lock lock(link_mu_);
      link_cv_.wait(lock, [this] { return stopping_.load() || !master_host_.empty(); });
      if (stopping_.load()) return;
      host = master_host_;
      port = master_port_;
      generation = generation_;
    }
    RunLink(host, port, generation);
    std::unique_lock lock(link_mu_);
    if (generation_ == generation && !stopping_.load()) {
      link_state_.store(LinkState::kConnect);
      link_cv_.wait_for(lock, std::chrono::seconds(1));  // then try again
    }
  }
}

bool Replication::LoadRdb(const std::string& path, std::string* error) {
  ClientState client;
  std::string replies;
  ReplyBuilder reply(&replies, 2);
  std::string_view flush[] = {"FLUSHALL"};
  ExecuteDirect(engine_, flush, client, reply, WallClockMs());
  RdbLoadStats stats;
  if (!LoadSnapshotFile(engine_, path, WallClockMs(), &stats, error)) return false;
  for (uint32_t s = 0; s < engine_.num_shards(); ++s) engine_.shard(s).PublishBytes();
  Log(fmt::format("MASTER <-> REPLICA sync: loaded {} keys", stats.keys_loaded));
  return true;
}

void Replication::RunLink(const std::string& host, int port, uint64_t generation) {
  link_state_.store(LinkState::kConnecting);
  int fd = Connect(host, port);
  if (fd < 0) return;
  MasterLink link(*this, fd, generation);
  const ServerConfig c = engine_.ConfigCopy();  // the link's own thread: CONFIG SET may run
  std::string line, error;
  if (!c.masterauth.empty()) {
    bool sent = c.masteruser.empty() ? link.Ask({"AUTH", c.masterauth}, &line)
                                     : link.Ask({"AUTH", c.masteruser, c.masterauth}, &line);
    if (!sent || line.empty() || line[0] == '-') return Log("AUTH at the master failed: " + line);
  }
  if (!link.Ask({"PING"}, &line) || (line[0] == '-' && line.rfind("-NOAUTH", 0) == 0))
    return Log("the master did not answer PING: " + line);
  std::string my_port = std::to_string(c.port);
  if (!link.Ask({"REPLCONF", "listening-port", my_port}, &line)) return;
  if (!link.Ask({"REPLCONF", "capa", "eof", "capa", "psync2"}, &line)) return;
  std::string replid, next;
  if (have_history_.load()) {
    std::lock_guard lock(link_mu_);
    replid = master_replid_;
    next = std::to_string(applied_offset_.load() + 1);
  }
  bool asked = replid.empty() ? link.Ask({"PSYNC", "?", "-1"}, &line)
                              : link.Ask({"PSYNC", replid, next}, &line);
  if (!asked) return;
  if (line.rfind("+FULLRESYNC ", 0) == 0) {
    std::string new_id = line.substr(12, 40);
    auto offset = ParseUint64(std::string_view(line).substr(std::min<size_t>(line.size(), 53)));
    if (new_id.size() != 40 || !offset) return Log("bad FULLRESYNC line: " + line);
    link_state_.store(LinkState::kSync);
    std::string path = fmt::format("{}/temp-repl-recv-{}.rdb", c.data_dir, getpid());
    if (!link.ReceiveRdb(path, &error)) {
      unlink(path.c_str());
      return Log(error);
    }
    ShardHold hold(engine_);
    if (!LinkWanted(generation)) return (void)unlink(path.c_str());
    hold.Acquire();
    bool loaded = LoadRdb(path, &error);
    hold.Release();
    unlink(path.c_str());
    if (!loaded) return Log("cannot load the master's RDB: " + error);
    {
      std::lock_guard lock(link_mu_);
      master_replid_ = new_id;
    }
    applied_offset_.store(*offset);
    have_history_.store(true);
  } else if (line.rfind("+CONTINUE", 0) == 0) {
    if (line.size() >= 50) {
      std::lock_guard lock(link_mu_);
      master_replid_ = line.substr(10, 40);
    }
    Log("partial resynchronization accepted");
  } else {
    return Log("the master refused PSYNC: " + line);
  }
  link_state_.store(LinkState::kConnected);
  last_io_ms_.store(WallClockMs());
  UpdateGates();
  ApplyStream(link, generation);
  UpdateGates();
}

namespace {

bool Is(const std::vector<std::string_view>& args, std::string_view name) {
  return !args.empty() && EqualsIgnoreCase(args[0], name);
}

// Where the applied batch may end: after the last complete command outside MULTI ... EXEC (a
// transaction is applied whole, with every shard held). 0: nothing to apply yet; npos: garbage.
size_t BatchEnd(std::string_view in) {
  RespParser parser;
  size_t pos = 0, safe = 0;
  bool in_multi = false;
  while (pos < in.size()) {
    size_t used = 0;
    auto status = parser.Parse(in.substr(pos), &used);
    if (status == RespParser::Status::kError) return std::string::npos;
    if (status == RespParser::Status::kNeedMore) break;
    pos += used;
    if (Is(parser.Args(), "MULTI")) in_multi = true;
    if (Is(parser.Args(), "EXEC")) in_multi = false;
    if (!in_multi) safe = pos;
  }
  return safe;
}

}  // namespace

void Replication::ApplyStream(MasterLink& link, uint64_t generation) {
  ClientState client;
  std::string replies;
  ReplyBuilder reply(&replies, 2);
  uint64_t failures = 0;
  auto ack = [&] {
    std::string offset = std::to_string(applied_offset_.load());
    return link.SendCommand({"REPLCONF", "ACK", offset});
  };
  if (!ack()) return;
  int64_t last_ack = WallClockMs();
  while (LinkWanted(generation)) {
    size_t end = BatchEnd(link.in_);
    if (end == std::string::npos) return Log("protocol error in the master's stream");
    bool getack = false;
    if (end > 0) {
      ShardHold hold(engine_);
      hold.Acquire();
      RespParser parser;
      std::string_view batch = std::string_view(link.in_).substr(0, end);
      for (size_t at = 0; at < end;) {
        size_t used = 0;
        parser.Parse(batch.substr(at), &used);
        at += used;
        const std::vector<std::string_view>& args = parser.Args();
        if (args.empty() || Is(args, "PING") || Is(args, "MULTI") || Is(args, "EXEC")) continue;
        if (Is(args, "REPLCONF")) {
          getack |= args.size() >= 2 && EqualsIgnoreCase(args[1], "GETACK");
          continue;
        }
        replies.clear();
        ExecuteDirect(engine_, args, client, reply, WallClockMs());
        if (!replies.empty() && replies[0] == '-' && failures++ < 10)
          Log(fmt::format("a command from the master failed: {} {}", args[0],
                          replies.substr(0, replies.find('\r'))));
      }
      hold.Release();
      link.in_.erase(0, end);
      applied_offset_.fetch_add(end);
    }
    int64_t now = WallClockMs();
    if (getack || now - last_ack >= kAckPeriodMs) {
      if (!ack()) return;
      last_ack = now;
    }
    if (now - last_io_ms_.load() > kReplTimeoutMs) return Log("timeout of the master link");
    if (link.ReadSome(100) < 0) return Log("connection with the master lost");
  }
}

}  // namespace ember
