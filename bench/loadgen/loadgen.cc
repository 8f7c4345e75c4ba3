// ember-loadgen: a lean, single-threaded, pipelined RESP load generator.
//
// redis-benchmark parses every reply through hiredis and spends ~1.4 µs of its own CPU per
// pipelined request, so on a 2-core machine it saturates its core before a fast server does
// (at ~700k ops/s). This generator runs the same workloads with the same command shapes,
// options and CSV output, but only frames replies (it never builds reply objects) and
// rewrites random keys in place in a prebuilt batch, so one core drives several million
// requests a second and the server becomes the bottleneck again.
//
//   ember-loadgen -p PORT [-h HOST] [-c CLIENTS] [-n REQUESTS] [-P PIPELINE] [-d BYTES]
//                 [-r KEYSPACE] [-t set,get,...] [--csv] [-q] [--max-seconds S]
//                 [--threads N] [--histogram] [command args...]
// --threads spreads the clients over N threads, each with its own epoll loop (for servers
// with many cores); --histogram prints redis-benchmark's latency distributions per test.
// A trailing command runs instead of the -t tests, as redis-benchmark's does (its
// __rand_int__ placeholders filled from -r).
#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <random>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "latency_histogram.h"
#include "reply_framer.h"
#include "workloads.h"

namespace {

struct Options {
  std::string host = "127.0.0.1";
  int port = 6379;
  int clients = 50;
  int64_t requests = 100000;
  int pipeline = 1;
  int data_size = 3;
  int64_t keyspace = 0;
  std::string tests = "set,get";
  bool csv = false;
  double max_seconds = 600;
  int threads = 1;
  bool histogram = false;
  std::vector<std::string> command;  // a trailing command replaces the -t tests
};

[[noreturn]] void Fail(const std::string& message) {
  std::fprintf(stderr, "ember-loadgen: %s\n", message.c_str());
  std::exit(2);
}

Options ParseOptions(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    std::string_view a = argv[i];
    auto value = [&]() -> const char* {
      if (i + 1 >= argc) Fail(std::string(a) + " needs a value");
      return argv[++i];
    };
    if (a == "-h")
      o.host = value();
    else if (a == "-p")
      o.port = std::atoi(value());
    else if (a == "-c")
      o.clients = std::atoi(value());
    else if (a == "-n")
      o.requests = std::atoll(value());
    else if (a == "-P")
      o.pipeline = std::atoi(value());
    else if (a == "-d")
      o.data_size = std::atoi(value());
    else if (a == "-r")
      o.keyspace = std::atoll(value());
    else if (a == "-t")
      o.tests = value();
    else if (a == "--csv")
      o.csv = true;
    else if (a == "--max-seconds")
      o.max_seconds = std::atof(value());
    else if (a == "--threads")
      o.threads = std::atoi(value());
    else if (a == "--histogram")
      o.histogram = true;
    else if (a == "-q")
      continue;  // the plain output is already one line per test
    else if (!a.starts_with("-")) {
      o.command.assign(argv + i, argv + argc);
      break;
    } else
      Fail("unknown option " + std::string(a));
  }
  if (o.clients < 1 || o.requests < 1 || o.pipeline < 1 || o.data_size < 0 || o.port <= 0) {
    Fail("-c, -n, -P and -p must be positive, -d not negative");
  }
  if (o.threads < 1 || o.threads > o.clients) Fail("--threads must be between 1 and -c");
  return o;
}

uint64_t NowNs() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<uint64_t>(ts.tv_sec) * 1000000000u + static_cast<uint64_t>(ts.tv_nsec);
}

int Connect(const Options& o) {
  addrinfo hints{}, *res = nullptr;
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  std::string port = std::to_string(o.port);
  if (getaddrinfo(o.host.c_str(), port.c_str(), &hints, &res) != 0 || res == nullptr) {
    Fail("cannot resolve " + o.host);
  }
  int fd = socket(res->ai_family, SOCK_STREAM, 0);
  if (fd < 0 || connect(fd, res->ai_addr, res->ai_addrlen) != 0) {
    Fail("cannot connect to " + o.host + ":" + port + ": " + std::strerror(errno));
  }
  freeaddrinfo(res);
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  return fd;
}

// One connection: a prebuilt batch of `pipeline` copies of the command, the offsets of its
// random-key placeholders, and how many replies of the batch in flight are still due.
struct Connection {
  int fd = -1;
  std::string batch;
  std::vector<size_t> rand_offsets;
  size_t command_bytes = 0;
  std::string in;
  size_t write_offset = 0, write_end = 0;
  int due = 0;      // requests of the batch in flight still unanswered
  int replies = 0;  // replies of the current request already in
  uint64_t sent_at = 0;
  uint32_t watching = EPOLLIN;  // the epoll events registered now
};

class Runner {
 public:
  Runner(const Options& o, int epoll_fd, std::vector<Connection>& conns, uint64_t seed)
      : o_(o), epoll_fd_(epoll_fd), conns_(conns), rng_(seed) {}

  // Runs `requests` of `command` over every connection; returns false on an error reply.
  bool Run(const Workload& workload, int64_t requests, LatencyHistogram& histogram) {
    const std::string& command = workload.command;
    replies_per_request_ = workload.replies;
    issued_ = 0;
    done_ = 0;
    requests_ = requests;
    errors_ = 0;
    for (Connection& c : conns_) Prepare(c, command);
    for (Connection& c : conns_) {
      if (!SendBatch(c)) break;
    }
    uint64_t deadline = NowNs() + static_cast<uint64_t>(o_.max_seconds * 1e9);
    epoll_event events[256];
    while (done_ < requests_) {
      int n = epoll_wait(epoll_fd_, events, 256, 1000);
      if (n < 0 && errno != EINTR) Fail(std::string("epoll_wait: ") + std::strerror(errno));
      uint64_t now = NowNs();
      if (now > deadline) Fail("time limit reached");
      for (int i = 0; i < n; ++i) {
        Connection& c = conns_[events[i].data.u32];
        if (events[i].events & EPOLLOUT) Flush(c);
        if (events[i].events & (EPOLLIN | EPOLLHUP | EPOLLERR)) Read(c, now, histogram);
      }
    }
    return errors_ == 0;
  }

 private:
  void Prepare(Connection& c, const std::string& command) {
    c.command_bytes = command.size();
    c.batch.clear();
    c.rand_offsets.clear();
    for (int i = 0; i < o_.pipeline; ++i) {
      size_t base = c.batch.size();
      c.batch += command;
      for (size_t at = command.find(kRandPlaceholder); at != std::string::npos;
           at = command.find(kRandPlaceholder, at + 1)) {
        c.rand_offsets.push_back(base + at);
      }
    }
    c.in.clear();
    c.due = 0;
    c.replies = 0;
  }

  bool SendBatch(Connection& c) {
    int64_t left = requests_ - issued_;
    if (left <= 0) return false;
    int count = static_cast<int>(std::min<int64_t>(left, o_.pipeline));
    issued_ += count;
    // Without -r the placeholder stays as it is, like redis-benchmark: one key for all.
    size_t per_command = c.rand_offsets.size() / static_cast<size_t>(o_.pipeline);
    size_t to_fill = o_.keyspace > 0 ? per_command * static_cast<size_t>(count) : 0;
    for (size_t i = 0; i < to_fill; ++i) {
      WriteRandDigits(&c.batch[c.rand_offsets[i]], rng_() % static_cast<uint64_t>(o_.keyspace));
    }
    c.due = count;
    c.write_offset = 0;
    c.write_end = c.command_bytes * static_cast<size_t>(count);
    c.sent_at = NowNs();
    Flush(c);
    return true;
  }

  void Flush(Connection& c) {
    while (c.write_offset < c.write_end) {
      ssize_t n =
          send(c.fd, c.batch.data() + c.write_offset, c.write_end - c.write_offset, MSG_NOSIGNAL);
      if (n > 0) {
        c.write_offset += static_cast<size_t>(n);
        continue;
      }
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 && errno == EAGAIN) {
        Watch(c, EPOLLIN | EPOLLOUT);
        return;
      }
      Fail(std::string("send: ") + std::strerror(errno));
    }
    Watch(c, EPOLLIN);
  }

  void Watch(Connection& c, uint32_t events) {
    if (c.watching == events) return;  // a syscall per batch otherwise
    c.watching = events;
    epoll_event ev{};
    ev.events = events;
    ev.data.u32 = static_cast<uint32_t>(&c - conns_.data());
    epoll_ctl(epoll_fd_, EPOLL_CTL_MOD, c.fd, &ev);
  }

  void Read(Connection& c, uint64_t now, LatencyHistogram& histogram) {
    char buf[64 * 1024];
    ssize_t n = recv(c.fd, buf, sizeof(buf), 0);
    if (n == 0) Fail("server closed the connection");
    if (n < 0) {
      if (errno == EAGAIN || errno == EINTR) return;
      Fail(std::string("recv: ") + std::strerror(errno));
    }
    std::string_view data(buf, static_cast<size_t>(n));
    if (!c.in.empty()) {
      c.in.append(data);
      data = c.in;
    }
    size_t used = 0;
    uint64_t latency_us = (now - c.sent_at) / 1000;
    while (c.due > 0) {
      int64_t len = FrameReply(data.substr(used));
      if (len < 0) Fail("malformed reply from the server");
      if (len == 0) break;
      if (data[used] == '-') ReportError(data.substr(used, static_cast<size_t>(len)));
      used += static_cast<size_t>(len);
      if (++c.replies < replies_per_request_) continue;
      c.replies = 0;
      histogram.Add(latency_us);
      --c.due;
      ++done_;
    }
    if (used < data.size() && c.due == 0) Fail("unexpected extra reply data");
    // Keep a partial reply for the next read (usually there is none: no copy, no allocation).
    if (c.in.empty()) {
      c.in.assign(data.substr(used));
    } else {
      c.in.erase(0, used);
    }
    if (c.due == 0) SendBatch(c);
  }

  void ReportError(std::string_view reply) {
    if (errors_++ == 0) {
      std::fprintf(stderr, "Error from server: %.*s\n", static_cast<int>(reply.size() - 2),
                   reply.data());
    }
  }

  const Options& o_;
  int epoll_fd_;
  std::vector<Connection>& conns_;
  std::mt19937_64 rng_;
  int64_t requests_ = 0, issued_ = 0, done_ = 0, errors_ = 0;
  int replies_per_request_ = 1;
};

// redis-benchmark's two latency tables: by percentile (50%, then half the rest each line), and
// the cumulative share of requests answered within each power-of-two step of milliseconds.
void PrintDistribution(const std::string& title, const LatencyHistogram& h, double seconds,
                       const Options& o) {
  std::printf("====== %s ======\n  %lld requests completed in %.2f seconds\n", title.c_str(),
              static_cast<long long>(o.requests), seconds);
  std::printf("  %d parallel clients, pipeline %d, %d threads\n\n", o.clients, o.pipeline,
              o.threads);
  std::printf("Latency by percentile distribution:\n");
  auto line = [&](double percent) {
    double ms = h.PercentileMs(percent);
    std::printf("%.3f%% <= %.3f milliseconds (cumulative count %llu)\n", percent, ms,
                static_cast<unsigned long long>(h.CountAtMost(static_cast<uint64_t>(ms * 1000))));
  };
  line(0);
  for (double rest = 50; rest > 0.01; rest /= 2) line(100 - rest);
  line(100);
  std::printf("\nCumulative distribution of latencies:\n");
  uint64_t total = h.count() ? h.count() : 1;
  for (uint64_t micros = 100;; micros *= 2) {
    uint64_t within = h.CountAtMost(micros);
    std::printf("%.3f%% <= %.3f milliseconds (cumulative count %llu)\n",
                100.0 * static_cast<double>(within) / static_cast<double>(total),
                static_cast<double>(micros) / 1000.0, static_cast<unsigned long long>(within));
    if (within == h.count() || micros > 1000000) break;
  }
  std::printf("\n");
}

}  // namespace

int main(int argc, char** argv) {
  Options o = ParseOptions(argc, argv);
  std::vector<Workload> workloads;
  if (!o.command.empty()) {
    std::string title;
    for (const std::string& arg : o.command) title += (title.empty() ? "" : " ") + arg;
    workloads.push_back({title, EncodeCommand(o.command)});
  }
  for (std::string_view rest = o.command.empty() ? std::string_view(o.tests) : std::string_view();
       !rest.empty();) {
    size_t comma = rest.find(',');
    std::string name(rest.substr(0, comma));
    rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
    if (!AppendWorkload(name, o.data_size, o.keyspace > 0, workloads)) {
      Fail("unknown test " + name);
    }
  }
  // One epoll loop per thread over its share of the clients.
  struct Loop {
    int epoll_fd = -1;
    std::vector<Connection> conns;
  };
  std::vector<Loop> loops(static_cast<size_t>(o.threads));
  for (int i = 0; i < o.clients; ++i)
    loops[static_cast<size_t>(i % o.threads)].conns.emplace_back();
  std::vector<Runner> runners;
  runners.reserve(loops.size());
  for (size_t t = 0; t < loops.size(); ++t) {
    Loop& loop = loops[t];
    loop.epoll_fd = epoll_create1(0);
    for (size_t i = 0; i < loop.conns.size(); ++i) {
      loop.conns[i].fd = Connect(o);
      epoll_event ev{};
      ev.events = EPOLLIN;
      ev.data.u32 = static_cast<uint32_t>(i);
      epoll_ctl(loop.epoll_fd, EPOLL_CTL_ADD, loop.conns[i].fd, &ev);
    }
    runners.emplace_back(o, loop.epoll_fd, loop.conns, 0x5eed + t);
  }
  if (o.csv) {
    std::printf(
        "\"test\",\"rps\",\"avg_latency_ms\",\"min_latency_ms\",\"p50_latency_ms\","
        "\"p95_latency_ms\",\"p99_latency_ms\",\"max_latency_ms\"\n");
  }
  int status = 0;
  for (const Workload& w : workloads) {
    std::vector<LatencyHistogram> histograms(runners.size());
    std::vector<char> ok(runners.size(), 1);
    uint64_t start = NowNs();
    if (runners.size() == 1) {
      ok[0] = runners[0].Run(w, o.requests, histograms[0]);
    } else {
      std::vector<std::thread> threads;
      int64_t share = o.requests / o.threads, extra = o.requests % o.threads;
      for (size_t t = 0; t < runners.size(); ++t) {
        int64_t n = share + (static_cast<int64_t>(t) < extra ? 1 : 0);
        threads.emplace_back([&, t, n] { ok[t] = n == 0 || runners[t].Run(w, n, histograms[t]); });
      }
      for (std::thread& thread : threads) thread.join();
    }
    double seconds = static_cast<double>(NowNs() - start) / 1e9;
    LatencyHistogram& histogram = histograms[0];
    for (size_t t = 1; t < histograms.size(); ++t) histogram.Merge(histograms[t]);
    double rps = static_cast<double>(o.requests) / seconds;
    if (o.csv) {
      std::printf("\"%s\",\"%.2f\",\"%.3f\",\"%.3f\",\"%.3f\",\"%.3f\",\"%.3f\",\"%.3f\"\n",
                  w.title.c_str(), rps, histogram.MeanMs(), histogram.PercentileMs(0),
                  histogram.PercentileMs(50), histogram.PercentileMs(95),
                  histogram.PercentileMs(99), histogram.PercentileMs(100));
    } else {
      std::printf("%s: %.2f requests per second, p50=%.3f msec p99=%.3f msec\n", w.title.c_str(),
                  rps, histogram.PercentileMs(50), histogram.PercentileMs(99));
    }
    if (o.histogram) PrintDistribution(w.title, histogram, seconds, o);
    std::fflush(stdout);
    for (char good : ok) {
      if (!good) status = 1;
    }
  }
  for (Loop& loop : loops) {
    for (Connection& c : loop.conns) close(c.fd);
    close(loop.epoll_fd);
  }
  return status;
}
