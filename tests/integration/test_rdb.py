"""RDB files and DUMP/RESTORE, checked against Debian's redis-server 7.0 and redis-check-rdb.

ember SAVE -> restart (same and other shard counts) -> every key back; ember's file accepted by
redis-check-rdb and loaded by redis-server; files redis-server writes with every encoding
(thresholds low and high) loaded by ember; DUMP/RESTORE both ways; RESTORE's errors vs Redis.
"""

import os
import subprocess
import tempfile

import pytest
import redis

import harness
from harness import ServerConfig, ServerProcess

pytestmark = pytest.mark.ember_only("ember's own files and their exchange with redis-server")

REDIS_CHECK_RDB = "/usr/bin/redis-check-rdb"
TIMEOUT = 10.0 * harness.SLOWDOWN
DBS = (0, 3, 15)


def client(srv, db=0):
    return redis.Redis(host="127.0.0.1", port=srv.port, db=db, socket_timeout=TIMEOUT,
                       socket_connect_timeout=TIMEOUT)


class Servers:
    """Starts servers for one test and stops every one of them by PID."""

    def __init__(self):
        self.started = []

    def ember(self, data_dir, shards=1, extra=()):
        srv = ServerProcess(ServerConfig(shards, "epoll"), ["--dir", data_dir, *extra])
        self.started.append(srv)
        try:
            srv.start()
        except harness.ServerStartError as e:
            pytest.fail(str(e), pytrace=False)
        return srv

    def redis(self, data_dir, extra=()):
        srv = ServerProcess(harness.REDIS_CONFIG, ["--dir", data_dir, "--dbfilename", "dump.rdb", *extra])
        self.started.append(srv)
        srv.start()
        return srv

    def stop_all(self):
        for srv in self.started:
            srv.stop()
            srv.remove_log()


@pytest.fixture
def servers():
    s = Servers()
    yield s
    s.stop_all()


@pytest.fixture
def data_dir():
    with tempfile.TemporaryDirectory(prefix="ember-rdb-") as d:
        yield d


def populate(srv):
    """Every type, both encodings of each, integers, binary and empty values, TTLs, three dbs."""
    c = client(srv)
    p = c.pipeline(transaction=False)
    p.set("s:plain", "hello")
    p.set("s:int", "12345")
    p.set("s:bigint", str(2 ** 62))
    p.set("s:neg", "-1")
    p.set("s:notcanon", "007")
    p.set("s:empty", "")
    p.set("s:long", "abc" * 3000)
    p.set("s:bin", bytes(range(256)))
    p.set("s:float", "3.14")
    p.rpush("l:small", "a", "b", "1", "-2", "")
    p.rpush("l:big", *["item-%d" % i if i % 2 else str(i) for i in range(3000)])
    p.rpush("l:fat", "x" * 10000, "y")
    p.hset("h:small", mapping={"f%d" % i: str(i) for i in range(5)})
    p.hset("h:big", mapping={"field-%d" % i: "v" * (i % 50) for i in range(1000)})
    p.hset("h:longval", mapping={"a": "z" * 100, "b": "1"})
    p.sadd("set:ints", 1, 2, 3, -100, 2 ** 40)
    p.sadd("set:strs", "a", "b", "c")
    p.sadd("set:big", *["m%d" % i for i in range(1000)])
    p.sadd("set:bigints", *range(0, 3000, 3))
    p.zadd("z:small", {"a": 1.5, "b": -2, "c": 3, "d": float("inf"), "e": float("-inf"), "f": 0.1})
    p.zadd("z:big", {"member-%d" % i: i / 7.0 for i in range(500)})
    p.zadd("z:longmember", {"q" * 100: 1})
    p.set("e:str", "soon", ex=1000)
    p.hset("e:hash", "f", "v")
    p.pexpire("e:hash", 500000)
    p.set("{tag}a", 1)
    p.set("{tag}b", 2)
    p.execute()
    for db in DBS[1:]:
        c2 = client(srv, db)
        c2.set("db%d:s" % db, "in db %d" % db)
        c2.rpush("db%d:l" % db, "x", "y")
        c2.set("db%d:ttl" % db, "t", px=800000)
        c2.zadd("db%d:z" % db, {"m": 2})


def capture(srv, dbs=DBS):
    """{db: {key: (type, value, ttl_ms)}} with ttl -1 for none."""
    out = {}
    for db in dbs:
        c = client(srv, db)
        keys = {}
        for key in c.scan_iter(count=1000):
            t = c.type(key).decode()
            if t == "string":
                v = c.get(key)
            elif t == "list":
                v = c.lrange(key, 0, -1)
            elif t == "hash":
                v = c.hgetall(key)
            elif t == "set":
                v = c.smembers(key)
            elif t == "zset":
                v = c.zrange(key, 0, -1, withscores=True)
            else:
                v = None
            keys[key] = (t, v, c.pttl(key))
        out[db] = keys
    return out


def assert_same(a, b):
    assert a.keys() == b.keys()
    for db in a:
        assert sorted(a[db]) == sorted(b[db]), "db %d keys differ" % db
        for key, (t, v, ttl) in a[db].items():
            t2, v2, ttl2 = b[db][key]
            assert (t, v) == (t2, v2), "db %d key %r differs" % (db, key)
            if ttl < 0 or ttl2 < 0:
                assert ttl == ttl2, "db %d key %r ttl %s vs %s" % (db, key, ttl, ttl2)
            else:
                assert abs(ttl - ttl2) < 30000, "db %d key %r ttl %s vs %s" % (db, key, ttl, ttl2)


def test_save_then_restart_with_any_shard_count(servers, data_dir):
    first = servers.ember(data_dir, shards=1)
    populate(first)
    expected = capture(first)
    assert client(first).save() is True
    first.stop()
    assert os.path.exists(os.path.join(data_dir, "dump.rdb"))
    assert not [f for f in os.listdir(data_dir) if f.startswith("temp-")]

    again = servers.ember(data_dir, shards=1)
    assert "DB loaded from disk: %d keys" % sum(len(k) for k in expected.values()) in again.log()
    assert_same(capture(again), expected)
    again.stop()

    wide = servers.ember(data_dir, shards=3)
    assert_same(capture(wide), expected)
    # And back: a file written by 3 shards loads into 1.
    assert client(wide).save() is True
    wide.stop()
    narrow = servers.ember(data_dir, shards=1)
    assert_same(capture(narrow), expected)


def test_ember_file_is_valid_for_redis(servers, data_dir):
    ember = servers.ember(data_dir, shards=2)
    populate(ember)
    expected = capture(ember)
    client(ember).save()
    ember.stop()
    path = os.path.join(data_dir, "dump.rdb")
    check = subprocess.run([REDIS_CHECK_RDB, path], capture_output=True, text=True, timeout=60)
    assert check.returncode == 0, check.stdout + check.stderr
    assert "RDB looks OK" in check.stdout
    ref = servers.redis(data_dir)
    assert_same(capture(ref), expected)


@pytest.mark.parametrize("thresholds", ["low", "high"])
def test_ember_loads_redis_files(servers, data_dir, thresholds):
    if thresholds == "low":  # every collection in its big encoding
        extra = ["--hash-max-listpack-entries", "0", "--zset-max-listpack-entries", "0",
                 "--set-max-intset-entries", "0", "--list-max-listpack-size", "2"]
    else:  # every collection packed
        extra = ["--hash-max-listpack-entries", "5000", "--hash-max-listpack-value", "20000",
                 "--zset-max-listpack-entries", "5000", "--zset-max-listpack-value", "20000",
                 "--set-max-intset-entries", "5000", "--list-max-listpack-size", "-5"]
    ref = servers.redis(data_dir, ["--rdbcompression", "yes", *extra])
    populate(ref)
    expected = capture(ref)
    assert client(ref).save() is True
    ref.stop()
    ember = servers.ember(data_dir, shards=2)
    assert_same(capture(ember), expected)
    # ember chose its own encodings by its own thresholds.
    c = client(ember)
    assert c.object("encoding", "h:small") == b"listpack"
    assert c.object("encoding", "h:big") == b"hashtable"
    assert c.object("encoding", "set:ints") == b"intset"
    assert c.object("encoding", "z:big") == b"skiplist"


def test_corrupt_file_stops_the_server(servers, data_dir):
    ember = servers.ember(data_dir)
    populate(ember)
    client(ember).save()
    ember.stop()
    path = os.path.join(data_dir, "dump.rdb")
    with open(path, "rb") as f:
        data = f.read()
    with open(path, "wb") as f:
        f.write(data[: len(data) // 2])
    srv = ServerProcess(ServerConfig(1, "epoll"), ["--dir", data_dir])
    servers.started.append(srv)
    # The listeners open while the dataset loads (clients get -LOADING), so on a slow machine the
    # start may look done before the load fails: either way the server exits, naming the file.
    try:
        srv.start()
        assert srv.wait(harness.STOP_TIMEOUT) not in (0, None), "the server kept running"
        message = srv.log()
    except harness.ServerStartError as e:
        assert srv.exit_code not in (0, None)
        message = str(e)
    assert "dump.rdb" in message and "offset" in message


def all_types(c):
    c.set("str", "value")
    c.set("int", "42")
    c.set("long", "x" * 500)
    c.rpush("list", *range(200))
    c.hset("hash", mapping={"a": "1", "b": "2"})
    c.hset("bighash", mapping={"f%d" % i: "v" for i in range(300)})
    c.sadd("intset", 1, 2, 3)
    c.sadd("set", "a", "b")
    c.sadd("bigset", *["m%d" % i for i in range(300)])
    c.zadd("zset", {"a": 1, "b": 2.5})
    c.zadd("bigzset", {"m%d" % i: i for i in range(300)})
    return ["str", "int", "long", "list", "hash", "bighash", "intset", "set", "bigset", "zset", "bigzset"]


def test_dump_restore_both_ways(servers, data_dir):
    ember = servers.ember(data_dir, shards=2)
    ref = servers.redis(data_dir)
    e, r = client(ember), client(ref)
    keys = all_types(r)
    for key in keys:
        assert e.restore(key, 0, r.dump(key)) == b"OK", key
    assert_same(capture(ember, (0,)), capture(ref, (0,)))
    all_types(e)
    r.flushall()
    for key in keys:
        assert r.restore(key, 0, e.dump(key)) == b"OK", key
    assert_same(capture(ref, (0,)), capture(ember, (0,)))
    # The same value dumps to the same bytes (same encodings, same compression).
    for key in ("str", "int", "long", "hash", "intset", "zset"):
        assert e.dump(key) == r.dump(key), key
    assert e.dump("missing") is None and r.dump("missing") is None


def raw_reply(c, *args):
    try:
        return ("ok", c.execute_command(*args))
    except redis.ResponseError as err:
        return ("err", str(err))


def test_restore_options_and_errors_match_redis(servers, data_dir):
    ember = servers.ember(data_dir)
    ref = servers.redis(data_dir)
    e, r = client(ember), client(ref)
    for c in (e, r):
        c.set("src", "value")
    payload = r.dump("src")
    assert e.dump("src") == payload
    bad_crc = payload[:-1] + bytes([payload[-1] ^ 1])
    bad_version = payload[:-10] + b"\x63\x00" + payload[-8:]
    cases = [
        ("RESTORE", "src", 0, payload),
        ("RESTORE", "src", 0, payload, "REPLACE"),
        ("RESTORE", "k1", -1, payload),
        ("RESTORE", "k1", "abc", payload),
        ("RESTORE", "k1", 0, bad_crc),
        ("RESTORE", "k1", 0, bad_version),
        ("RESTORE", "k1", 0, b"short"),
        ("RESTORE", "k1", 0, payload, "BOGUS"),
        ("RESTORE", "k1", 0, payload, "IDLETIME", -5),
        ("RESTORE", "k1", 0, payload, "IDLETIME", "x"),
        ("RESTORE", "k1", 0, payload, "FREQ", 300),
        ("RESTORE", "k1", 0, payload, "FREQ", 5, "IDLETIME", 5),
        ("RESTORE", "k1", 0, payload, "IDLETIME"),
        ("RESTORE", "k2", 0, payload, "IDLETIME", 100),
        ("RESTORE", "k3", 0, payload, "FREQ", 10),
        ("RESTORE", "k4", 50000, payload),
        ("RESTORE", "k5", 1000, payload, "ABSTTL"),  # long past: not created
        ("RESTORE", "src", 1000, payload, "ABSTTL", "REPLACE"),  # deletes src
        ("EXISTS", "src", "k5"),
        ("RESTORE", "k6", 0, b"\x00\x05abc\x0a\x00" + b"\x00" * 8),
        ("RESTORE",),
    ]
    for case in cases:
        assert raw_reply(e, *case) == raw_reply(r, *case), case
    assert e.pttl("k4") > 40000 and r.pttl("k4") > 40000
    assert e.object("idletime", "k2") >= 99


def test_restore_bad_body_with_valid_checksum(servers, data_dir):
    ember = servers.ember(data_dir)
    ref = servers.redis(data_dir)
    e, r = client(ember), client(ref)
    r.rpush("l", "a", "b")
    good = r.dump("l")
    # The body cut short, with a footer that checks out: the value itself does not parse.
    body = good[:-10][:-2]
    signed = body + b"\x0a\x00"
    signed += crc64(signed).to_bytes(8, "little")
    assert raw_reply(e, "RESTORE", "x", 0, signed) == raw_reply(r, "RESTORE", "x", 0, signed)
    assert raw_reply(e, "RESTORE", "x", 0, signed)[1] == "Bad data format"


def crc64(data):
    crc = 0
    for byte in data:
        crc ^= byte
        for _ in range(8):
            crc = (crc >> 1) ^ 0x95AC9329AC4BC9B5 if crc & 1 else crc >> 1
    return crc
