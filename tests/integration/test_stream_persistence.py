"""Streams on disk: RDB files (type 19, RDB_TYPE_STREAM_LISTPACKS_2) written by ember load in
Debian's redis-server 7.0 (and pass redis-check-rdb) and the other way round, DUMP/RESTORE
payloads move both ways, and an AOF reload rebuilds the same streams, consumer groups and PELs
from the effects ember journaled (XADD * under its real id, `~` trims as what they did,
XREADGROUP/XCLAIM/XAUTOCLAIM as XCLAIM ... FORCE JUSTID LASTID and XGROUP SETID).
"""

import os
import subprocess

import pytest

from test_rdb import REDIS_CHECK_RDB, client, data_dir, servers  # noqa: F401 (fixtures)

pytestmark = pytest.mark.ember_only("ember's own files and their exchange with redis-server")

KEYS = ("s:plain", "s:groups", "s:empty", "{s}:big")


def populate(c):
    p = c.pipeline(transaction=False)
    for i in range(1, 400):
        fields = {"f": str(i), "g": "x" * (i % 9)} if i % 7 else {"other": "-%d" % i, "n": "3.5"}
        p.xadd("s:plain", fields, id="%d-%d" % (i, i % 4))
    for i in range(1, 60):
        p.xadd("s:groups", {"job": str(i)}, id="%d-0" % (1000 + i))
    for i in range(3000):
        p.xadd("{s}:big", {"sensor": "42", "reading": str(i * 7)}, id="%d-1" % (5 + i))
    p.execute()
    c.xdel("s:plain", "3-3", "100-0", "200-0")
    c.xdel("s:groups", "1003-0")
    c.xadd("s:empty", {"a": "1"}, id="7-7")
    c.xdel("s:empty", "7-7")  # an empty stream stays, with its last id
    c.xgroup_create("s:groups", "g1", id="0")
    c.xgroup_create("s:groups", "g2", id="$")
    c.execute_command("XGROUP", "CREATE", "s:groups", "g3", "1010-0", "ENTRIESREAD", "4")
    c.xreadgroup("g1", "alice", {"s:groups": ">"}, count=5)
    c.xreadgroup("g1", "bob", {"s:groups": ">"}, count=4)
    c.xgroup_createconsumer("s:groups", "g1", "carol")
    c.xack("s:groups", "g1", "1002-0")
    c.xclaim("s:groups", "g1", "carol", 0, ["1005-0"], justid=True)
    c.xgroup_create("s:empty", "lonely", id="0")


def _mask(x):
    if isinstance(x, list):
        return [_mask(v) for v in x]
    if isinstance(x, int) and x > 10 ** 12:  # a unix time in ms
        return "T"
    return x


def capture(c, times=False):
    """Every stream's entries and its XINFO STREAM FULL, radix-tree figures left out."""
    out = {}
    for key in KEYS:
        info = c.execute_command("XINFO", "STREAM", key, "FULL", "COUNT", "0")
        info = dict(zip(info[::2], info[1::2]))
        for k in (b"radix-tree-keys", b"radix-tree-nodes"):
            info.pop(k)
        out[key] = (c.xrange(key), info if times else _mask(info))
    return out


def test_ember_file_loads_in_redis(servers, data_dir):  # noqa: F811
    ember = servers.ember(data_dir, shards=2)
    populate(client(ember))
    expected = capture(client(ember))
    client(ember).save()
    ember.stop()
    check = subprocess.run([REDIS_CHECK_RDB, os.path.join(data_dir, "dump.rdb")],
                           capture_output=True, text=True, timeout=60)
    assert check.returncode == 0 and "RDB looks OK" in check.stdout, check.stdout + check.stderr
    ref = servers.redis(data_dir)
    assert capture(client(ref)) == expected
    assert client(ref).type("s:empty") == b"stream"


def test_redis_file_loads_in_ember(servers, data_dir):  # noqa: F811
    ref = servers.redis(data_dir, ["--rdbcompression", "yes"])
    populate(client(ref))
    expected = capture(client(ref), times=True)
    assert client(ref).save() is True
    ref.stop()
    ember = servers.ember(data_dir, shards=3)
    assert capture(client(ember), times=True) == expected  # delivery and seen times too


def test_dump_restore_both_ways(servers, data_dir):  # noqa: F811
    ember = servers.ember(data_dir, shards=2)
    ref = servers.redis(data_dir)
    e, r = client(ember), client(ref)
    populate(e)
    populate(r)
    for key in KEYS:
        e.restore("from-redis:" + key, 0, r.dump(key))
        r.restore("from-ember:" + key, 0, e.dump(key))
    for key in KEYS:
        for a, b in ((e, r), (r, e)):
            src = "from-redis:" if a is e else "from-ember:"
            got = a.execute_command("XINFO", "STREAM", src + key, "FULL", "COUNT", "0")
            want = b.execute_command("XINFO", "STREAM", key, "FULL", "COUNT", "0")
            got[3] = got[5] = want[3] = want[5] = "?"  # radix-tree-keys/-nodes
            assert got == want, key


def test_aof_reload_rebuilds_streams_and_groups(servers, data_dir):  # noqa: F811
    ember = servers.ember(data_dir, shards=2, extra=["--appendonly", "yes"])
    c = client(ember)
    for i in range(500):
        c.xadd("s:plain", {"f": str(i)}, maxlen=300, approximate=True)  # `*` ids, `~` trims
    c.xadd("s:plain", {"f": "x"}, id="99999999999999-*")
    c.xtrim("s:plain", minid="0-1", approximate=True)
    c.xtrim("s:plain", maxlen=250, approximate=True)
    for i in range(50):
        c.xadd("s:groups", {"job": str(i)})
    c.xgroup_create("s:groups", "g1", id="0")
    c.execute_command("XGROUP", "CREATE", "s:groups", "g2", "0", "ENTRIESREAD", "0")
    c.xreadgroup("g1", "alice", {"s:groups": ">"}, count=10)
    c.xreadgroup("g1", "bob", {"s:groups": ">"}, count=5)
    c.xreadgroup("g2", "carol", {"s:groups": ">"}, count=7, noack=True)
    first = c.xrange("s:groups", count=3)
    c.xdel("s:groups", first[1][0])
    c.xclaim("s:groups", "g1", "dave", 0, [first[2][0]], retrycount=5)
    c.execute_command("XAUTOCLAIM", "s:groups", "g1", "erin", "0", "0-0", "COUNT", "3")  # meets the deleted entry too
    c.xack("s:groups", "g1", first[0][0])
    c.xgroup_delconsumer("s:groups", "g1", "bob")
    c.xadd("s:empty", {"a": "1"})
    c.xgroup_create("s:empty", "g", id="$")
    c.execute_command("XSETID", "s:empty", "99999999999999-5", "ENTRIESADDED", "10",
                      "MAXDELETEDID", "1-1")
    c.xadd("{s}:big", {"a": "b"})
    before = capture(c, times=True)
    ember.stop()
    again = servers.ember(data_dir, shards=3, extra=["--appendonly", "yes"])
    after = capture(client(again), times=True)
    for key in KEYS:
        for entry in (before[key][1], after[key][1]):
            for group in entry.get(b"groups", []):
                group_map = dict(zip(group[::2], group[1::2]))
                for consumer in group_map[b"consumers"]:
                    consumer[3] = "seen"  # seen-time is when a command named it, not journaled
    assert after == before
