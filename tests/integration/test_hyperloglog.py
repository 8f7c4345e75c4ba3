"""HyperLogLog (PFADD, PFCOUNT, PFMERGE, PFDEBUG, PFSELFTEST) against a real redis-server:
the same commands to both and every reply byte for byte, GET of the values included, so the
HYLL bytes (sparse, the promotion to dense, the cached cardinality) are Redis's own. Values
move both ways with GET/SET and count the same."""

import random

import pytest

from bit_diff import make_pair
from helpers import DIFFERENTIAL

pytestmark = DIFFERENTIAL

SCRIPT = """
pfadd h a b c
pfadd h a
pfadd h
pfcount h
get h
pfadd new
pfadd new
get new
pfcount nokey
pfcount nokey other
pfcount h nokey
pfdebug encoding h
pfdebug decode h
pfdebug foo h
pfdebug encoding nokey
set bad HYLLxxxx
pfadd bad a
pfcount bad
pfcount h bad
pfmerge bad h
set short HYL
pfcount short
incr num
pfadd num a
lpush l a
pfadd l a
pfcount l
pfcount h l
pfmerge l h
pfmerge m h nokey
get m
pfcount m
pfmerge m
pfmerge m2
get m2
pfdebug todense h
pfdebug encoding h
get h
pfdebug todense h
pfdebug decode h
pfadd h d e
pfcount h
get h
""".strip().splitlines()


@pytest.mark.parametrize("protocol", [2, 3])
def test_scripted_hll_commands_match_redis(server, redis_ref, protocol):
    pair = make_pair(server, redis_ref, protocol)
    try:
        for line in SCRIPT:
            pair.both(*line.split())
        pair.both("PFDEBUG", "GETREG", "h")
    finally:
        pair.close()


@pytest.mark.parametrize("seed", range(2))
def test_random_pfadd_bytes_match_redis_through_promotion(server, redis_ref, seed):
    """Elements added a few at a time until the value turns dense: the bytes (GET) after every
    step equal Redis's, cached cardinality included; PFMERGE and PFCOUNT of several keys (on
    different shards with --shards 4) agree too."""
    pair = make_pair(server, redis_ref, 2 + seed)
    rnd = random.Random(seed)
    keys = ["hll:%d" % i for i in range(4)]
    try:
        for step in range(900):
            key = keys[step % len(keys)] if step < 400 else keys[0]
            elements = ["e%d" % rnd.randrange(1 << 30) for _ in range(rnd.randint(1, 8))]
            pair.both("PFADD", key, *elements)
            if step % 7 == 0:
                pair.both("PFCOUNT", key)
            pair.both("GET", key)
            if step % 50 == 0:
                pair.both("PFCOUNT", *keys)
                pair.both("PFMERGE", rnd.choice(keys + ["hll:merged"]), *rnd.sample(keys, 2))
        assert pair.both("PFDEBUG", "ENCODING", keys[0]).endswith(b"dense\r\n")
        pair.both("PFMERGE", "hll:all", *keys)
        pair.both("GET", "hll:all")
        pair.both("PFCOUNT", "hll:all")
    finally:
        pair.close()


def test_sparse_max_bytes_moves_the_promotion(server, redis_ref):
    pair = make_pair(server, redis_ref)
    try:
        for c in (pair.ember, pair.ref):
            assert c.execute("CONFIG", "SET", "hll-sparse-max-bytes", "200") == "OK"
        for i in range(200):
            pair.both("PFADD", "small", "x%d" % i)
            pair.both("GET", "small")
        assert pair.both("PFDEBUG", "ENCODING", "small") == b"+dense\r\n"
        pair.both("CONFIG", "GET", "hll-sparse-max-bytes")
    finally:
        for c in (pair.ember, pair.ref):
            c.execute("CONFIG", "SET", "hll-sparse-max-bytes", "3000")
        pair.close()


def test_values_move_between_redis_and_ember(server, redis_ref):
    """A HyperLogLog made by redis-server counts the same in ember (and ember's in Redis), with a
    fresh cache, a stale one and as union with another, sparse and dense."""
    pair = make_pair(server, redis_ref)
    try:
        for size in (50, 5000):
            for source, target in ((pair.ref, pair.ember), (pair.ember, pair.ref)):
                source.execute("DEL", "moved")
                for i in range(0, size, 500):
                    source.execute("PFADD", "moved", *("m%d" % j for j in range(i, min(size, i + 500))))
                blob = source.execute("GET", "moved")
                expected = source.execute("PFCOUNT", "moved")
                stale = blob[:15] + bytes([blob[15] | 0x80]) + blob[16:]
                for value in (blob, stale):
                    assert target.execute("SET", "moved", value) == "OK"
                    assert target.execute("PFCOUNT", "moved") == expected
                    assert target.execute("PFCOUNT", "moved", "nothing") == expected
                assert target.execute("GET", "moved") == source.execute("GET", "moved")
    finally:
        pair.close()


def test_pfcount_refreshing_the_cache_is_a_change_for_watch(r, connect):
    """As in Redis: PFCOUNT that recomputes a stale cached count writes the value, so a WATCH
    on it aborts; a PFADD that changes no register touches nothing."""
    r.pfadd("w", "a", "b")
    other = connect()
    for command, aborts in ((("PFCOUNT", "w"), True), (("PFCOUNT", "w"), False),
                            (("PFADD", "w", "a"), False), (("PFADD", "w", "zz"), True)):
        pipe = r.pipeline()
        pipe.watch("w")
        other.execute(*command)
        pipe.multi()
        pipe.get("x")
        if aborts:
            with pytest.raises(Exception):
                pipe.execute()
        else:
            assert pipe.execute() == [None]
        pipe.reset()


def test_pfadd_and_pfmerge_notify_pfadd(r):
    r.config_set("notify-keyspace-events", "E$")
    try:
        p = r.pubsub()
        p.psubscribe("__keyevent@0__:*")
        assert p.get_message(timeout=5)["type"] == "psubscribe"
        r.pfadd("n1", "a")
        r.pfadd("n1", "a")  # nothing changed: no event
        r.pfmerge("n2", "n1")
        seen = []
        for _ in range(50):
            m = p.get_message(timeout=0.2)
            if m and m["type"] == "pmessage":
                seen.append((m["channel"].split(":")[-1], m["data"]))
            if len(seen) >= 2:
                break
        assert seen == [("pfadd", "n1"), ("pfadd", "n2")]
        p.close()
    finally:
        r.config_set("notify-keyspace-events", "")


def test_pfselftest_passes(raw):
    assert raw.execute("PFSELFTEST") == "OK"


def test_pfcount_of_a_million_distinct_elements_is_within_the_bound(heavy_server):
    import redis
    rb = redis.Redis(port=heavy_server.port, socket_timeout=30)
    batch = 10000
    pipe = rb.pipeline(transaction=False)
    for i in range(0, 1000000, batch):
        pipe.pfadd("big", *(b"%d" % j for j in range(i, i + batch)))
    pipe.execute()
    count = rb.pfcount("big")
    rb.close()
    assert abs(count - 1000000) / 1000000 < 3 * 0.0081, count
