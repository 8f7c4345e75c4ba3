"""ember starts from AOFs that Debian's redis-server 7.0 writes or reads, key by key equal to
what redis-server itself holds: an old-style single appendonly.aof that starts with an RDB
preamble and goes on in RESP (Redis 6/7 with aof-use-rdb-preamble), and a Redis 7 multi-part
AOF directory (RDB base after a BGREWRITEAOF, RESP increments with MULTI/EXEC and expiry).

Skipped when redis-server is absent."""

import os
import shutil
import time

import pytest

import harness
from harness import ServerConfig, ServerProcess
from test_rdb import assert_same, capture, client, populate

pytestmark = [
    pytest.mark.skipif(not os.access(harness.REDIS_SERVER, os.X_OK),
                       reason="redis-server is not installed"),
    pytest.mark.ember_only("loads redis-server's files into ember"),
]

DBS = (0, 3, 15)


class Servers:
    def __init__(self):
        self.started = []

    def start(self, config, args):
        srv = ServerProcess(config, args)
        self.started.append(srv)
        try:
            srv.start()
        except harness.ServerStartError as e:
            pytest.fail(str(e), pytrace=False)
        return srv

    def redis(self, data_dir, *extra):
        return self.start(harness.REDIS_CONFIG, ["--dir", data_dir, *extra])

    def ember(self, data_dir, shards, *extra):
        return self.start(ServerConfig(shards, "epoll"), ["--data-dir", data_dir, *extra])

    def stop_all(self):
        for srv in self.started:
            srv.stop()
            srv.remove_log()


@pytest.fixture
def servers():
    s = Servers()
    yield s
    s.stop_all()


def resp(*args):
    out = b"*%d\r\n" % len(args)
    for a in args:
        a = a if isinstance(a, bytes) else str(a).encode()
        out += b"$%d\r\n%s\r\n" % (len(a), a)
    return out


def tail_commands():
    """What Redis would have appended after the preamble: writes to keys of the preamble and
    new ones, in several databases, a transaction, an absolute expiry."""
    expire_at = int(time.time() * 1000) + 600_000
    return b"".join([
        resp("SELECT", 0),
        resp("SET", "tail:new", "t"),
        resp("RPUSH", "l:small", "appended"),
        resp("DEL", "s:plain"),
        resp("HSET", "h:small", "f0", "changed"),
        resp("MULTI"),
        resp("INCRBY", "s:int", 5),
        resp("SADD", "set:ints", 77),
        resp("EXEC"),
        resp("PEXPIREAT", "tail:new", expire_at),
        resp("SELECT", 3),
        resp("SET", "tail:db3", "x"),
        resp("ZADD", "db3:z", 9, "n"),
    ])


def test_old_style_aof_with_rdb_preamble_loads_preamble_and_tail(servers, tmp_path):
    made = str(tmp_path / "made")
    os.makedirs(made)
    source = servers.redis(made, "--save", "")
    populate(source)
    client(source).save()
    source.stop()
    preamble = open(os.path.join(made, "dump.rdb"), "rb").read()
    assert preamble.startswith(b"REDIS00")
    old_style = preamble + tail_commands()

    # The reference: redis-server 7.0 loads the old single file (and upgrades it).
    ref_dir, ember_dir = str(tmp_path / "ref"), str(tmp_path / "ember")
    for d in (ref_dir, ember_dir):
        os.makedirs(d)
        with open(os.path.join(d, "appendonly.aof"), "wb") as f:
            f.write(old_style)
    ref = servers.redis(ref_dir, "--appendonly", "yes", "--save", "")
    expected = capture(ref, DBS)
    assert client(ref).get("tail:new") == b"t"

    srv = servers.ember(ember_dir, 2, "--appendonly", "yes")
    got = capture(srv, DBS)
    assert_same(got, expected)
    assert client(srv).get("tail:new") == b"t"  # the RESP tail, not only the preamble
    assert client(srv).lrange("l:small", -1, -1) == [b"appended"]
    assert client(srv, 3).get("tail:db3") == b"x"
    # Upgraded into the directory as Redis 7 does; a restart reads it from there.
    assert not os.path.exists(os.path.join(ember_dir, "appendonly.aof"))
    srv.stop()
    again = servers.ember(ember_dir, 3, "--appendonly", "yes")
    assert_same(capture(again, DBS), expected)


def test_redis7_multipart_aof_directory_loads_key_by_key_equal(servers, tmp_path):
    data = str(tmp_path / "redis")
    os.makedirs(data)
    source = servers.redis(data, "--appendonly", "yes", "--appendfsync", "always", "--save", "")
    c = client(source)
    c.set("early", "1")
    populate(source)
    # A rewrite: the base becomes an RDB of the data (aof-use-rdb-preamble yes, the default)
    c.bgrewriteaof()
    deadline = time.monotonic() + 20
    while c.info("persistence")["aof_rewrite_in_progress"] or \
            c.info("persistence")["aof_rewrite_scheduled"]:
        assert time.monotonic() < deadline, "rewrite did not finish"
        time.sleep(0.05)
    time.sleep(0.2)
    # ... then increments in RESP.
    c.set("late", "2", ex=5000)
    c.incrbyfloat("s:float", 1.5)
    c.rpush("l:small", "more")
    c.delete("s:plain")
    p = c.pipeline(transaction=True)
    p.incr("s:int")
    p.hset("h:small", "new", "x")
    p.execute()
    c.expire("h:big", 4000)
    client(source, 3).set("db3:late", "y")
    expected = capture(source, DBS)
    source.stop()  # SIGTERM: Redis flushes and fsyncs its AOF
    files = os.listdir(os.path.join(data, "appendonlydir"))
    assert any(f.endswith(".base.rdb") for f in files), files
    assert any(f.endswith(".incr.aof") for f in files), files

    ember_dir = str(tmp_path / "ember")
    shutil.copytree(data, ember_dir)
    srv = servers.ember(ember_dir, 4, "--appendonly", "yes")
    assert_same(capture(srv, DBS), expected)
