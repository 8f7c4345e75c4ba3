"""ThreadSanitizer: ember-server built with -fsanitize=thread (make tsan) under a mixed load on
each io backend with 4 shards, for TSAN_SECONDS: pipelined SET/GET/LPUSH/MSET from 50 clients;
CLIENT LIST, INFO, CONFIG SET, KEYS and SCAN loops beside them; BLPOP waiters woken by pushes
from other clients; connections opened and dropped; /metrics scrapes, the AOF and save points
on (their threads and the main thread's cron read what CONFIG SET changes); MULTI/EXEC, EVAL
and pub/sub across shards. The test fails on any "WARNING: ThreadSanitizer" in the server's
output.

Run:  make tsan [TSAN_SECONDS=60]    (EMBER_SERVER=build/tsan/ember-server)
"""

import os
import platform
import random
import re
import shutil
import socket
import sys
import tempfile
import threading
import time
import urllib.request

import pytest
import redis

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "integration"))
import harness  # noqa: E402

SECONDS = float(os.environ.get("TSAN_SECONDS", "60"))
CLIENTS = 50
REPORT = "WARNING: ThreadSanitizer"

# Reports go to the server's stderr (the harness's log file); exit code 66 if there were any.
# halt_on_error=0: the load goes on, so one run shows every race, not only the first.
os.environ.setdefault("TSAN_OPTIONS", "halt_on_error=0 exitcode=66 second_deadlock_stack=1 "
                      "history_size=4 external_symbolizer_path=/usr/lib/llvm-14/bin/llvm-symbolizer")

# CONFIG SET pairs the loop cycles through: the ones the main thread reads (save points, AOF
# settings) and the ones every shard reads while serving.
CONFIG_VALUES = [
    ("save", ["3600 1 300 100", "3600 100000", ""]),
    ("appendfsync", ["everysec", "no", "everysec"]),
    ("auto-aof-rewrite-percentage", ["100", "1000"]),
    ("stop-writes-on-bgsave-error", ["yes", "no"]),
    ("maxmemory-samples", ["5", "7"]),
    ("hash-max-listpack-entries", ["128", "4"]),
    ("slowlog-log-slower-than", ["10000", "0", "-1"]),
    ("latency-monitor-threshold", ["0", "5"]),
    ("hz", ["10", "50"]),
    ("timeout", ["0", "3600"]),
    ("maxmemory", ["0", "1gb"]),
    ("client-output-buffer-limit", ["normal 0 0 0", "normal 64mb 32mb 10"]),
]


class Load:
    """The load's threads, stopped together at the deadline; errors other than the expected
    replies are kept to fail the test with."""

    def __init__(self, port, metrics_port, seconds):
        self.port = port
        self.metrics_port = metrics_port
        self.deadline = time.monotonic() + seconds
        self.errors = []
        self.counts = {}
        self.lock = threading.Lock()

    def running(self):
        return time.monotonic() < self.deadline

    def client(self):
        return redis.Redis(port=self.port, socket_timeout=60 * harness.SLOWDOWN)

    def count(self, name, n=1):
        with self.lock:
            self.counts[name] = self.counts.get(name, 0) + n

    def loop(self, name, body):
        def run():
            rng = random.Random(name)
            try:
                r = self.client()
                while self.running():
                    body(r, rng)
                    self.count(name)
            except Exception as e:  # noqa: BLE001 - any failure of the load is the test's
                with self.lock:
                    self.errors.append("%s: %r" % (name, e))
        return threading.Thread(target=run, name=name, daemon=True)


def pipelined(i):
    def body(r, rng):
        p = r.pipeline(transaction=False)
        for _ in range(20):
            k = "k:%d" % rng.randrange(1000)
            p.set(k, "v" * rng.randrange(1, 200))
            p.get("k:%d" % rng.randrange(1000))
            p.lpush("l:%d" % rng.randrange(50), k)
            p.ltrim("l:%d" % rng.randrange(50), 0, 100)
            p.mset({"m:%d" % rng.randrange(500): k, "{t}%d" % rng.randrange(500): k})
        p.execute()
    return body


def config_set(r, rng):
    name, values = rng.choice(CONFIG_VALUES)
    r.config_set(name, rng.choice(values))
    if rng.random() < 0.1:
        r.config_get("*")


def scan(r, rng):
    cursor = 0
    for _ in range(50):
        cursor, _ = r.scan(cursor, count=100)
        if cursor == 0:
            break


def blpop_waiter(i):
    def body(r, rng):
        r.blpop(["q:%d" % i, "q:%d" % (i + 1)], timeout=1)
    return body


def pusher(r, rng):
    r.rpush("q:%d" % rng.randrange(8), "job")
    time.sleep(0.005)


def churn(load):
    def body(r, rng):
        s = socket.create_connection(("127.0.0.1", load.port), timeout=30)
        try:
            s.sendall(b"*3\r\n$6\r\nCLIENT\r\n$7\r\nSETNAME\r\n$4\r\nchrn\r\n*1\r\n$4\r\nPING\r\n"
                      b"*2\r\n$6\r\nSELECT\r\n$1\r\n3\r\n*2\r\n$5\r\nHELLO\r\n$1\r\n3\r\n")
            if rng.random() < 0.5:
                s.recv(4096)  # else dropped with replies still on the way
        finally:
            s.close()
    return body


def scrape(load):
    def body(r, rng):
        url = "http://127.0.0.1:%d/metrics" % load.metrics_port
        with urllib.request.urlopen(url, timeout=60 * harness.SLOWDOWN) as reply:
            reply.read()
        time.sleep(0.05)
    return body


def transaction(r, rng):
    p = r.pipeline(transaction=True)
    p.mset({"{a}%d" % rng.randrange(100): "x", "b%d" % rng.randrange(100): "y"})
    p.incr("counter")
    p.execute()
    r.eval("redis.call('set', KEYS[1], ARGV[1]) return redis.call('get', KEYS[1])", 1,
           "s%d" % rng.randrange(100), "v")


def subscriber(load):
    def body(r, rng):
        p = r.pubsub()
        p.subscribe("news", "n%d" % rng.randrange(4))
        p.psubscribe("n*")
        end = time.monotonic() + 1
        while time.monotonic() < end and load.running():
            p.get_message(timeout=0.1)
        p.close()
    return body


def publisher(r, rng):
    r.publish(rng.choice(["news", "n1", "n2"]), "m" * rng.randrange(1, 100))
    r.execute_command("CLIENT", "SETNAME", "pub%d" % rng.randrange(10))
    time.sleep(0.002)


class UnrandomizedServer(harness.ServerProcess):
    """The server with address-space randomisation off for it (setarch -R): clang-14's TSan
    cannot map its shadow memory under the 32 random bits of newer kernels' vm.mmap_rnd_bits."""

    def _server_command(self, port):
        return ["setarch", platform.machine(), "-R"] + super()._server_command(port)


def start(config, args):
    server = harness.ServerProcess(config, args)
    try:
        return server.start()
    except harness.ServerStartError as e:
        server.remove_log()
        if "unexpected memory mapping" not in str(e) or not shutil.which("setarch"):
            raise
    return UnrandomizedServer(config, args).start()


def reports(text):
    """The distinct ThreadSanitizer reports: the warning line and the first frames of each."""
    found = []
    for match in re.finditer(r"WARNING: ThreadSanitizer.*?(?=\n==================|\Z)", text, re.S):
        found.append("\n".join(match.group(0).splitlines()[:14]))
    return found


@pytest.mark.parametrize("backend", ["epoll", "uring"])
def test_mixed_load_reports_no_race(backend):
    data_dir = tempfile.mkdtemp(prefix="ember-tsan-")
    metrics_port = harness.free_port()
    args = ["--data-dir", data_dir, "--appendonly", "yes", "--save", "3600 1 300 100",
            "--metrics-port", str(metrics_port), "--maxclients", "1000"]
    server = None
    try:
        try:
            server = start(harness.ServerConfig(4, backend), args)
        except harness.BackendUnavailable:
            pytest.skip("io_uring is not available here")
        load = Load(server.port, metrics_port, SECONDS)
        threads = [load.loop("pipeline-%d" % i, pipelined(i)) for i in range(CLIENTS)]
        threads += [load.loop("client-list", lambda r, rng: r.execute_command("CLIENT", "LIST")),
                    load.loop("info", lambda r, rng: r.info("all")),
                    load.loop("config-set", config_set),
                    load.loop("keys", lambda r, rng: r.keys("k:1*")),
                    load.loop("scan", scan),
                    load.loop("pusher", pusher),
                    load.loop("churn", churn(load)),
                    load.loop("metrics", scrape(load)),
                    load.loop("transaction", transaction),
                    load.loop("subscriber", subscriber(load)),
                    load.loop("publisher", publisher),
                    load.loop("bgsave", lambda r, rng: (r.execute_command("BGSAVE", "SCHEDULE"),
                                                        time.sleep(1)))]
        threads += [load.loop("blpop-%d" % i, blpop_waiter(i)) for i in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(SECONDS + 120 * harness.SLOWDOWN)
        alive = server.alive()
        code = server.stop(timeout=60)
        with open(server.log_path, "rb") as f:
            log = f.read().decode("utf-8", "replace")
        found = reports(log)
        assert not found, "%d ThreadSanitizer report(s) on %s; the first:\n%s" % (
            len(found), backend, "\n\n".join(found[:3]))
        assert REPORT not in log
        assert alive and code == 0, "server exit %s; its log:\n%s" % (code, log[-3000:])
        assert not load.errors, "load errors: %s" % load.errors[:5]
        for name in ("pipeline-0", "client-list", "info", "config-set", "scan", "churn", "metrics"):
            assert load.counts.get(name, 0) > 0, "no %s ran: %s" % (name, load.counts)
        assert sum(load.counts.get("blpop-%d" % i, 0) for i in range(8)) > 0
    finally:
        if server is not None:
            server.stop()
            server.remove_log()
        shutil.rmtree(data_dir, ignore_errors=True)
