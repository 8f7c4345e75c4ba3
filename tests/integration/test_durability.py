"""Durability end to end: kill -9 under load and every acknowledged write is back, multi-shard
steps are never half applied, the AOF keeps the execution order, BGSAVE is a point-in-time
image, torn and corrupt AOFs are handled as Redis does, and a failing disk refuses writes."""

import glob
import os
import random
import shutil
import signal
import threading
import time

import pytest
import redis

from harness import IS_REDIS, SLOWDOWN, ServerConfig, ServerProcess, ServerStartError

pytestmark = pytest.mark.skipif(IS_REDIS, reason="ember's persistence (flags, shards)")


def client(srv):
    return redis.Redis(host="127.0.0.1", port=srv.port, socket_timeout=10 * SLOWDOWN)


def kill9(srv):
    srv.signal(signal.SIGKILL)
    srv.wait(10)


def aof_args(data_dir, fsync):
    return ["--data-dir", str(data_dir), "--appendonly", "yes", "--appendfsync", fsync]


class Writer(threading.Thread):
    """One client's mixed writes; remembers what the server acknowledged."""

    def __init__(self, srv, t):
        super().__init__(daemon=True)
        self.r = client(srv)
        self.t = t
        self.sets = []
        self.counter = 0
        self.pushed = 0
        self.fields = []
        self.group = -1
        self.token_moves = 0

    def run(self):
        t, r = self.t, self.r
        try:
            r.set("tok:%d:A" % t, "token")
            self.token_moves = 0
            for i in range(1_000_000):
                r.set("s:%d:%d" % (t, i), "v%d" % i)
                self.sets.append(i)
                self.counter = r.incr("c:%d" % t)
                self.pushed = r.rpush("l:%d" % t, i)
                r.hset("h:%d" % t, "f%d" % i, i)
                self.fields.append(i)
                # Keys of one MSET land on different shards: the step is logged as one record.
                r.mset({"g:%d:%s" % (t, k): i for k in "abc"})
                self.group = i
                src, dst = ("A", "B") if self.token_moves % 2 == 0 else ("B", "A")
                r.rename("tok:%d:%s" % (t, src), "tok:%d:%s" % (t, dst))
                self.token_moves += 1
        except (redis.ConnectionError, redis.TimeoutError, ConnectionError, OSError):
            return


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_kill9_with_appendfsync_always_keeps_every_acknowledged_write(make_server, tmp_path, seed):
    rng = random.Random(seed)
    srv = make_server(shards=4, backend="epoll", extra_args=aof_args(tmp_path, "always"))
    writers = [Writer(srv, t) for t in range(8)]
    for w in writers:
        w.start()
    time.sleep(rng.uniform(0.5, 2.0) * SLOWDOWN)
    kill9(srv)
    for w in writers:
        w.join(10)
    assert sum(len(w.sets) for w in writers) > 50, "too few writes to test anything"

    srv2 = make_server(shards=4, backend="uring", extra_args=aof_args(tmp_path, "always"))
    r = client(srv2)
    for w in writers:
        t = w.t
        if w.sets:
            got = r.mget(["s:%d:%d" % (t, i) for i in w.sets])
            assert got == [b"v%d" % i for i in w.sets], "acknowledged SETs lost (writer %d)" % t
        assert int(r.get("c:%d" % t) or 0) >= w.counter
        items = r.lrange("l:%d" % t, 0, -1)
        assert len(items) >= w.pushed
        assert items[: w.pushed] == [b"%d" % i for i in range(w.pushed)]
        if w.fields:
            assert r.hmget("h:%d" % t, ["f%d" % i for i in w.fields]) == [b"%d" % i for i in w.fields]
        # An MSET is all there or not at all: the three keys always agree.
        group = r.mget(["g:%d:%s" % (t, k) for k in "abc"])
        assert len(set(group)) == 1, "half an MSET recovered: %r" % group
        if w.group >= 0:
            assert int(group[0]) >= w.group
        # A RENAME is never half applied: the token is in exactly one place.
        assert r.exists("tok:%d:A" % t, "tok:%d:B" % t) == 1


def test_kill9_with_everysec_recovers_a_prefix_of_the_execution_order(make_server, tmp_path):
    srv = make_server(shards=4, backend="uring", extra_args=aof_args(tmp_path, "everysec"))
    r = client(srv)
    done = 0
    stop_at = time.monotonic() + 1.5 * SLOWDOWN
    while time.monotonic() < stop_at:
        pipe = r.pipeline(transaction=False)
        for i in range(done, done + 200):
            pipe.set("p:%d" % i, i)  # consecutive keys on different shards
        pipe.execute()
        done += 200
    time.sleep(1.2)  # everysec: what was acknowledged a second ago is on disk
    kill9(srv)
    srv2 = make_server(shards=2, backend="epoll", extra_args=aof_args(tmp_path, "everysec"))
    r2 = client(srv2)
    present = [v is not None for v in r2.mget(["p:%d" % i for i in range(done)])]
    n = present.count(True)
    assert n >= done - 200 * 10, "lost more than the last second"
    assert present == [True] * n + [False] * (done - n), "recovered writes are not a prefix"


def test_bgrewriteaof_under_writes_neither_loses_nor_repeats_a_write(make_server, tmp_path):
    srv = make_server(shards=4, backend="epoll", extra_args=aof_args(tmp_path, "always"))
    r = client(srv)
    r.mset({"fill:%d" % i: "x" * 50 for i in range(20000)})
    rewriting_seen = False
    for i in range(3000):
        r.incr("counter")
        if i == 500:
            assert r.bgrewriteaof()
        if i > 500 and not rewriting_seen:
            rewriting_seen = r.info("persistence")["aof_rewrite_in_progress"] == 1
    assert rewriting_seen, "the rewrite ended before any write could race it"
    deadline = time.monotonic() + 10 * SLOWDOWN
    while r.info("persistence")["aof_rewrite_in_progress"] and time.monotonic() < deadline:
        time.sleep(0.05)
    assert r.info("persistence")["aof_rewrites"] == 1
    acked = r.incr("counter")
    kill9(srv)
    srv2 = make_server(shards=3, backend="uring", extra_args=aof_args(tmp_path, "always"))
    r2 = client(srv2)
    assert int(r2.get("counter")) == acked  # a replay of records the base holds would add more
    assert r2.dbsize() == 20001
    bases = glob.glob(str(tmp_path / "appendonlydir" / "*.base.rdb"))
    assert len(bases) == 1


def test_bgsave_under_writes_is_a_point_in_time_image(make_server, tmp_path):
    n = 200_000
    srv = make_server(shards=4, backend="uring",
                      extra_args=["--data-dir", str(tmp_path / "a")])
    r = client(srv)
    for start in range(0, n, 10000):
        r.mset({"k:%06d" % i: 0 for i in range(start, start + 10000)})
    stop = threading.Event()
    batches = [0]

    def writer():
        w = client(srv)
        while not stop.is_set():
            for start in range(0, n, 100):  # every key once per pass, in order
                pipe = w.pipeline(transaction=False)
                for i in range(start, start + 100):
                    pipe.incr("k:%06d" % i)
                pipe.execute()
                batches[0] += 1

    thread = threading.Thread(target=writer, daemon=True)
    thread.start()
    time.sleep(0.3)
    assert r.bgsave()
    during = batches[0]
    deadline = time.monotonic() + 30 * SLOWDOWN
    while r.info("persistence")["rdb_bgsave_in_progress"] and time.monotonic() < deadline:
        time.sleep(0.01)
    during = batches[0] - during
    stop.set()
    thread.join(30)
    assert r.info("persistence")["rdb_last_bgsave_status"] == "ok"
    assert during > 0, "no write raced the snapshot: the check below would prove nothing"
    os.makedirs(tmp_path / "b")
    shutil.copy(tmp_path / "a" / "dump.rdb", tmp_path / "b" / "dump.rdb")
    srv2 = make_server(shards=1, backend="epoll", extra_args=["--data-dir", str(tmp_path / "b")])
    values = [int(v) for v in client(srv2).mget(["k:%06d" % i for i in range(n)])]
    # One instant of a writer that increments the keys in order: a run of e+1, then e.
    high = values[0]
    boundary = values.index(high - 1) if (high - 1) in values else n
    assert values == [high] * boundary + [high - 1] * (n - boundary), \
        "not one instant: %r" % sorted(set(values))


def write_and_stop(make_server, data_dir, count):
    srv = make_server(shards=2, backend="epoll", extra_args=aof_args(data_dir, "always"))
    r = client(srv)
    for i in range(count):
        r.set("key:%d" % i, "value-%d" % i)
    srv.stop()
    (incr,) = glob.glob(str(data_dir / "appendonlydir" / "*.incr.aof"))
    return incr


def test_truncated_aof_tail_loads_the_valid_part_and_says_so(make_server, tmp_path):
    incr = write_and_stop(make_server, tmp_path, 100)
    size = os.path.getsize(incr)
    with open(incr, "r+b") as f:
        f.truncate(size - 5)  # the last SET is torn
    srv = make_server(shards=1, backend="epoll", extra_args=aof_args(tmp_path, "always"))
    r = client(srv)
    assert r.dbsize() == 99
    assert r.get("key:98") == b"value-98"
    assert "short read" in srv.log() or "truncated" in srv.log().lower()
    r.set("after", "1")  # the torn tail was cut: new records follow whole ones
    srv.stop()
    srv2 = make_server(shards=2, backend="uring", extra_args=aof_args(tmp_path, "always"))
    assert client(srv2).get("after") == b"1"


def start_fails(extra_args):
    """Starts a server that must refuse to start; returns what it said."""
    srv = ServerProcess(ServerConfig(1, "epoll"), extra_args)
    try:
        with pytest.raises(ServerStartError) as failure:
            srv.start()
    finally:
        srv.stop()
        srv.remove_log()
    return str(failure.value)


def test_truncated_aof_with_aof_load_truncated_no_refuses_to_start(make_server, tmp_path):
    incr = write_and_stop(make_server, tmp_path, 20)
    with open(incr, "r+b") as f:
        f.truncate(os.path.getsize(incr) - 3)
    text = start_fails(aof_args(tmp_path, "always") + ["--aof-load-truncated", "no"])
    assert os.path.basename(incr) in text


def test_corrupt_aof_refuses_to_start_naming_file_and_offset(make_server, tmp_path):
    incr = write_and_stop(make_server, tmp_path, 20)
    data = bytearray(open(incr, "rb").read())
    at = data.index(b"*3", len(data) // 2)
    data[at] = ord("X")  # ("#" would start an annotation line, which loaders skip)
    open(incr, "wb").write(bytes(data))
    text = start_fails(aof_args(tmp_path, "always"))
    assert os.path.basename(incr) in text and str(at) in text


def test_failed_bgsave_refuses_writes_with_misconf_until_a_save_succeeds(make_server, tmp_path):
    data = tmp_path / "data"
    srv = make_server(shards=2, backend="epoll",
                      extra_args=["--data-dir", str(data), "--save", "3600 1"])
    r = client(srv)
    r.set("k", "v")
    shutil.rmtree(data)  # the disk went away
    assert r.bgsave()  # as Redis: "started", then it fails (test_durability_runtime.py)
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        try:
            r.set("k2", "v")
        except redis.ResponseError as e:
            assert str(e).startswith("MISCONF")
            break
        time.sleep(0.05)
    else:
        pytest.fail("writes were not refused")
    assert r.get("k") == b"v"  # reads keep working
    assert r.info("persistence")["rdb_last_bgsave_status"] == "err"
    os.makedirs(data)
    assert r.bgsave()
    deadline = time.monotonic() + 5
    while r.info("persistence")["rdb_bgsave_in_progress"] and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.3)
    assert r.set("k2", "v")
    assert r.lastsave().timestamp() >= time.time() - 60


def shutdown(srv, **how):
    """SHUTDOWN [SAVE|NOSAVE]: no reply, the connection closes as the server exits."""
    try:
        client(srv).shutdown(**how)
    except redis.ConnectionError:
        pass
    assert srv.wait(10) == 0


def test_save_lastsave_and_shutdown_save_nosave(make_server, tmp_path):
    srv = make_server(shards=2, backend="epoll", extra_args=["--data-dir", str(tmp_path)])
    r = client(srv)
    r.set("a", "1")
    assert r.save()
    assert r.info("persistence")["rdb_changes_since_last_save"] == 0
    r.set("b", "2")
    shutdown(srv, nosave=True)
    srv2 = make_server(shards=1, backend="epoll", extra_args=["--data-dir", str(tmp_path)])
    r2 = client(srv2)
    assert r2.get("a") == b"1" and r2.get("b") is None
    r2.set("c", "3")
    shutdown(srv2, save=True)
    srv3 = make_server(shards=3, backend="uring", extra_args=["--data-dir", str(tmp_path)])
    assert client(srv3).mget("a", "c") == [b"1", b"3"]


def test_config_set_appendonly_starts_an_aof_from_the_data(make_server, tmp_path):
    srv = make_server(shards=2, backend="epoll", extra_args=["--data-dir", str(tmp_path)])
    r = client(srv)
    r.set("before", "1")
    assert r.config_set("appendonly", "yes")
    assert r.info("persistence")["aof_enabled"] == 1
    r.set("after", "2")
    kill9(srv)
    srv2 = make_server(shards=1, backend="epoll", extra_args=aof_args(tmp_path, "everysec"))
    assert client(srv2).mget("before", "after") == [b"1", b"2"]
