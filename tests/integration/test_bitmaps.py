"""Bitmaps on strings (SETBIT, GETBIT, BITCOUNT, BITPOS, BITOP, BITFIELD, BITFIELD_RO) against a
real redis-server: the same commands to both, every reply byte for byte, in RESP2 and RESP3;
BITOP's keys spread over the shards of a 4-shard ember. Then WATCH and keyspace events."""

import random

import pytest

from bit_diff import make_pair
from helpers import DIFFERENTIAL

pytestmark = DIFFERENTIAL

SCRIPT = """
setbit k 7 1
setbit k 7 1
getbit k 7
getbit k 100
getbit k -1
setbit k 4294967296 1
setbit k 4294967295 x
setbit k 1 2
setbit k a 2
bitcount k
set s foobar
bitcount s
bitcount s 0 0
bitcount s 1 1
bitcount s 1 1 BYTE
bitcount s 5 30 BIT
bitcount s -3 -1 bit
bitcount s -1 -3
bitcount s 0
bitcount s 0 1 foo
bitcount s a 1
bitcount nokey 1
bitpos s 1
bitpos s 0
bitpos s 1 2
bitpos s 0 2 -1
bitpos s 1 7 15 bit
bitpos s 0 0 5 bit
bitpos s 1 -1 -1 bit
bitpos s 2
bitpos s 1 0 1 word
bitpos s 1 0 1 bit extra
bitpos nokey 0
bitpos nokey 1
bitpos s 1 100
set n 123
getbit n 2
bitcount n
setbit n 0 1
get n
incr cnt
bitpos cnt 1
bitfield cnt get u8 0
bitop and dst s n
get dst
bitop or dst s n k
get dst
bitop xor dst s n
get dst
bitop not dst s
get dst
bitop not dst s n
bitop nand dst s
bitop and dst nokey1 nokey2
exists dst
lpush lst a
bitop and dst lst
bitcount lst
bitpos lst 1
getbit lst 0
setbit lst 0 1
bitfield bf set i8 0 -100 get u8 0 incrby i8 0 -100 overflow sat incrby i8 0 -100 overflow fail incrby i8 0 -100
bitfield bf set u4 #2 15 get u4 #2 incrby u4 #2 1 overflow sat incrby u4 #2 100 overflow wrap set u4 0 -1 overflow sat set u4 0 -1
get bf
bitfield bf get i64 0 set i64 0 9223372036854775807 incrby i64 0 1 overflow sat incrby i64 0 1 incrby i64 0 -9223372036854775808
bitfield bf get u63 3 set u63 3 9223372036854775807 get i1 0 set i1 5 1 get i1 5
bitfield bf2 get u8 0
exists bf2
bitfield_ro bf get u8 0 get i5 3
bitfield_ro bf set u8 0 1
bitfield_ro bf get u8 0 overflow sat
bitfield_ro nokey get u8 0
bitfield bf get u64 0
bitfield bf get i65 0
bitfield bf get I8 0
bitfield bf get i0 0
bitfield bf set u8 0 x
bitfield bf foo
bitfield bf get u8
bitfield bf overflow bar
bitfield bf get i8 #-1
bitfield bf get i64 #67108863
bitfield bf get i64 #67108864
bitfield bf get i8 4294967296
bitfield lst get u8 0
bitfield lst set u8 0 1
bitfield bf
bitfield bf incrby u2 100 1 get u2 100
strlen bf
set e ""
bitcount e
bitpos e 0
bitpos e 1
""".strip().splitlines()


@pytest.mark.parametrize("protocol", [2, 3])
def test_scripted_bit_commands_match_redis(server, redis_ref, protocol):
    pair = make_pair(server, redis_ref, protocol)
    try:
        for line in SCRIPT:
            pair.both(*line.split())
    finally:
        pair.close()


def _random_bit_command(rnd, keys):
    key = rnd.choice(keys)
    kind = rnd.randrange(10)
    if kind < 3:
        return ["SETBIT", key, rnd.choice([rnd.randrange(64), rnd.randrange(600)]), rnd.randrange(2)]
    if kind == 3:
        return ["GETBIT", key, rnd.randrange(700)]
    if kind == 4:
        unit = rnd.choice([[], ["BYTE"], ["BIT"]])
        rng = [rnd.randrange(-90, 90), rnd.randrange(-90, 90)] if unit or rnd.random() < 0.6 else []
        return ["BITCOUNT", key] + rng + unit
    if kind == 5:
        args = ["BITPOS", key, rnd.randrange(2)]
        shape = rnd.randrange(4)
        if shape >= 1:
            args.append(rnd.randrange(-80, 80))
        if shape >= 2:
            args.append(rnd.randrange(-80, 80))
        if shape == 3:
            args.append(rnd.choice(["BYTE", "BIT"]))
        return args
    if kind == 6:
        op = rnd.choice(["AND", "OR", "XOR", "NOT"])
        srcs = [rnd.choice(keys)] if op == "NOT" else rnd.sample(keys, rnd.randint(1, 4))
        return ["BITOP", op, rnd.choice(keys)] + srcs
    if kind == 7:
        args = ["BITFIELD", key]
        for _ in range(rnd.randint(1, 4)):
            t = rnd.choice(["i", "u"]) + str(rnd.randint(1, 63 if args[-1] == "u" else 64))
            t = t if t[0] == "i" or int(t[1:]) < 64 else "u63"
            offset = rnd.choice([str(rnd.randrange(300)), "#%d" % rnd.randrange(10)])
            op = rnd.randrange(4)
            if op == 0:
                args += ["GET", t, offset]
            elif op == 1:
                args += ["SET", t, offset, rnd.randint(-2 ** 63, 2 ** 63 - 1) if rnd.random() < 0.3
                         else rnd.randint(-300, 300)]
            elif op == 2:
                args += ["INCRBY", t, offset, rnd.randint(-2 ** 40, 2 ** 40)]
            else:
                args += ["OVERFLOW", rnd.choice(["WRAP", "SAT", "FAIL"])]
        return args
    if kind == 8:
        return ["BITFIELD_RO", key, "GET", "i%d" % rnd.randint(1, 64), rnd.randrange(300)]
    return rnd.choice([["GET", key], ["INCR", key], ["DEL", key], ["APPEND", key, "xy"]])


@pytest.mark.parametrize("seed", range(4))
def test_random_bit_sequences_match_redis(server, redis_ref, seed):
    """Seeded random sequences over a few keys (on different shards with --shards 4): BITOP
    gathers its sources across shards."""
    pair = make_pair(server, redis_ref, 3 if seed == 3 else 2)
    rnd = random.Random(seed)
    keys = ["bits:%d" % i for i in range(6)]
    try:
        for _ in range(500):
            pair.both(*_random_bit_command(rnd, keys))
        for key in keys:
            pair.both("GET", key)
    finally:
        pair.close()


def test_bitop_gathers_keys_from_every_shard(rb):
    keys = ["src:%d" % i for i in range(8)]
    for i, key in enumerate(keys):
        rb.setbit(key, i, 1)
    assert rb.bitop("OR", "dst:all", *keys) == 1
    assert rb.get("dst:all") == b"\xff"
    assert rb.bitop("AND", "dst:all", *keys) == 1
    assert rb.get("dst:all") == b"\x00"
    rb.set("src:long", b"\x0f" * 3)
    assert rb.bitop("XOR", "src:0", "src:0", "src:long") == 3  # a source as destination
    assert rb.get("src:0") == b"\x8f\x0f\x0f"


def test_bitop_replaces_the_destination_and_its_ttl(rb):
    rb.set("d", "old", ex=100)
    rb.set("a", "ab")
    assert rb.bitop("NOT", "d", "a") == 2
    assert rb.ttl("d") == -1
    assert rb.get("d") == bytes(~c & 0xff for c in b"ab")
    assert rb.bitop("AND", "d", "missing") == 0
    assert rb.exists("d") == 0


def test_setbit_keeps_the_ttl_and_grows_with_zeros(rb):
    rb.set("t", "a", ex=100)
    assert rb.setbit("t", 30, 1) == 0
    assert rb.ttl("t") > 0
    assert rb.get("t") == b"a\x00\x00\x02"
    assert rb.bitcount("t") == 4


def test_setbit_wakes_watch_only_when_it_changes_something(r, connect):
    r.setbit("w", 3, 1)
    other = connect()
    for value, expect_abort in ((1, False), (0, True)):
        watcher = r.pipeline()
        watcher.watch("w")
        other.execute("SETBIT", "w", "3", str(value))
        watcher.multi()
        watcher.get("x")
        if expect_abort:
            with pytest.raises(Exception):
                watcher.execute()
        else:
            assert watcher.execute() == [None]
        watcher.reset()


def test_setbit_and_bitfield_notify_setbit(r):
    r.config_set("notify-keyspace-events", "KA")
    try:
        p = r.pubsub()
        p.psubscribe("__keyspace@0__:*")
        assert p.get_message(timeout=5)["type"] == "psubscribe"
        r.setbit("ev", 1, 1)
        r.setbit("ev", 1, 1)  # no change: no event
        r.bitfield("ev").set("u8", 8, 5).execute()
        r.bitop("OR", "ev2", "ev")
        events = []
        for _ in range(50):
            m = p.get_message(timeout=0.2)
            if m and m["type"] == "pmessage":
                events.append(m["data"])
            if len(events) >= 3:
                break
        assert events[:3] == ["setbit", "setbit", "set"]
        p.close()
    finally:
        r.config_set("notify-keyspace-events", "")


def test_offsets_past_the_limit_are_refused(r):
    with pytest.raises(Exception, match="bit offset is not an integer or out of range"):
        r.setbit("big", 2 ** 32, 1)
    r.config_set("proto-max-bulk-len", "1mb")
    try:
        with pytest.raises(Exception, match="bit offset is not an integer or out of range"):
            r.setbit("big", 8 * 1024 * 1024, 1)
        assert r.setbit("big", 8 * 1024 * 1024 - 1, 1) == 0
        assert r.strlen("big") == 1024 * 1024
        assert r.bitcount("big") == 1
        assert r.bitpos("big", 1) == 8 * 1024 * 1024 - 1
    finally:
        r.config_set("proto-max-bulk-len", "512mb")
