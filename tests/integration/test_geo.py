"""Geo commands against a real redis-server: the same seeded random points and searches go to
ember and to redis-server (started by the redis_ref fixture), and every reply must be identical
byte for byte (RESP2 and RESP3): scores, coordinates, distances, hashes, the order of unsorted
results and what the STORE forms leave in their destination. The points crowd into clusters,
the poles' edge and the antimeridian, where the search cells wrap and shrink; radii run from 0
to the whole earth. Every error case, keyspace events, WATCH, and STORE to a key on another
shard of a 4-shard ember come after.

Runs on the one-shard and four-shard epoll configurations (io backends do not change replies).
Reproduce one seed with e.g. 'tests/integration/test_geo.py::test_random_searches_resp2[...-seed1]'.
"""

import random

import pytest

import harness
from helpers import DIFFERENTIAL
from resp_client import RespClient
from test_differential import TaggedParser
from test_keyspace_events import _collect

pytestmark = DIFFERENTIAL

TIMEOUT = 10.0 * harness.SLOWDOWN
LAT_MAX = 85.05112878
UNITS = {"m": 1.0, "km": 1000.0, "ft": 0.3048, "mi": 1609.34}
STORE_KEYS = ["dst", "{a}dst", "{b}dst", "{c}dst", "out1", "out2"]


def _compared_configs():
    chosen = []
    for shards in (1, 4):
        candidates = [c for c in harness.selected_configs() if c.shards == shards]
        candidates.sort(key=lambda c: c.backend != "epoll")
        if candidates:
            chosen.append(candidates[0].name)
    return chosen


def _pair(server, redis_ref, resp3):
    if server.config.name not in _compared_configs():
        pytest.skip("geo differential runs on %s only" % ", ".join(_compared_configs()))
    ember = RespClient(port=server.port, timeout=TIMEOUT)
    ref = RespClient(port=redis_ref.port, timeout=TIMEOUT)
    for c in (ember, ref):
        if resp3:
            c.execute("HELLO", "3")
        c.parser = TaggedParser()
    assert ref.execute("FLUSHALL")[0] == "+"
    return ember, ref


@pytest.fixture
def pair2(server, redis_ref):
    ember, ref = _pair(server, redis_ref, False)
    yield ember, ref
    ember.close()
    ref.close()


@pytest.fixture
def pair3(server, redis_ref):
    ember, ref = _pair(server, redis_ref, True)
    yield ember, ref
    ember.close()
    ref.close()


# ---------------------------------------------------------------------------------------------
# Random points and searches.

def _point(rng):
    kind = rng.random()
    if kind < 0.4:
        return rng.uniform(-180, 180), rng.uniform(-LAT_MAX, LAT_MAX)
    if kind < 0.6:  # a dense cluster
        return 13.4 + rng.uniform(-1, 1), 38.1 + rng.uniform(-1, 1)
    if kind < 0.7:  # a tiny one
        return rng.uniform(-0.01, 0.01), rng.uniform(-0.01, 0.01)
    if kind < 0.85:  # near the poles' edge
        lat = rng.uniform(78, LAT_MAX) * rng.choice((1, -1))
        return rng.uniform(-180, 180), lat
    lon = rng.uniform(178.5, 180) * rng.choice((1, -1))  # around the antimeridian
    return lon, rng.uniform(-60, 60)


def _fmt(v, rng):
    return rng.choice(("%.6f", "%.3f", "%.9f", "%.12g")) % v


def _coord_args(rng, edges=True):
    lon, lat = _point(rng)
    if edges and rng.random() < 0.05:  # the exact edges
        lon, lat = rng.choice((180, -180, 0)), rng.choice((LAT_MAX, -LAT_MAX, 0))
    return [_fmt(lon, rng), _fmt(lat, rng)]


def _radius_meters(rng):
    r = rng.random()
    if r < 0.05:
        return 0.0
    if r < 0.1:
        return rng.choice((5e6, 1e7, 2e7, 4e7))
    return 10 ** rng.uniform(0, 6.5)  # 1 m .. 3000 km


def _size(rng, meters):
    unit = rng.choice(list(UNITS))
    return ["%.4f" % (meters / UNITS[unit]), unit.upper() if rng.random() < 0.2 else unit]


def _options(rng, with_allowed=True):
    opts = []
    if with_allowed:
        for w in ("WITHDIST", "WITHHASH", "WITHCOORD"):
            if rng.random() < 0.35:
                opts.append(w)
    order = rng.random()
    if order < 0.3:
        opts.append("ASC")
    elif order < 0.5:
        opts.append("DESC")
    if rng.random() < 0.35:
        opts += ["COUNT", str(rng.choice((1, 2, 3, 5, 10, 50)))]
        if rng.random() < 0.4:
            opts.append("ANY")
    return opts


def _member(rng, members):
    if members and rng.random() < 0.95:
        return rng.choice(members)
    return "nosuchmember"


def _search(rng, members):
    """One random search command, and the ZRANGE that reads back what a STORE form stored."""
    kind = rng.random()
    store = None
    if kind < 0.4:
        cmd = ["GEOSEARCH", "g"]
        if rng.random() < 0.5:
            cmd += ["FROMMEMBER", _member(rng, members)]
        else:
            cmd += ["FROMLONLAT"] + _coord_args(rng)
        if rng.random() < 0.5:
            cmd += ["BYRADIUS"] + _size(rng, _radius_meters(rng))
        else:
            unit = rng.choice(list(UNITS))
            w, h = _radius_meters(rng) * 2, _radius_meters(rng) * 2
            cmd += ["BYBOX", "%.4f" % (w / UNITS[unit]), "%.4f" % (h / UNITS[unit]), unit]
        cmd += _options(rng)
    elif kind < 0.55:
        store = rng.choice(STORE_KEYS)
        cmd = ["GEOSEARCHSTORE", store, "g", "FROMLONLAT"] + _coord_args(rng)
        cmd += ["BYRADIUS"] + _size(rng, _radius_meters(rng))
        cmd += _options(rng, with_allowed=False)
        if rng.random() < 0.5:
            cmd.append("STOREDIST")
    elif kind < 0.75:
        name = rng.choice(("GEORADIUS", "GEORADIUS_RO"))
        cmd = [name, "g"] + _coord_args(rng) + _size(rng, _radius_meters(rng))
        if name == "GEORADIUS" and rng.random() < 0.3:
            store = rng.choice(STORE_KEYS)
            cmd += _options(rng, with_allowed=False) + [rng.choice(("STORE", "STOREDIST")), store]
        else:
            cmd += _options(rng)
    else:
        name = rng.choice(("GEORADIUSBYMEMBER", "GEORADIUSBYMEMBER_RO"))
        cmd = [name, "g", _member(rng, members)] + _size(rng, _radius_meters(rng))
        if name == "GEORADIUSBYMEMBER" and rng.random() < 0.3:
            store = rng.choice(STORE_KEYS)
            cmd += _options(rng, with_allowed=False) + [rng.choice(("STORE", "STOREDIST")), store]
        else:
            cmd += _options(rng)
    follow = [["ZRANGE", store, "0", "-1", "WITHSCORES"]] if store else []
    return [cmd] + follow


def _sequence(seed, searches):
    rng = random.Random(seed)
    members = []
    commands = []
    for batch in range(8):
        cmd = ["GEOADD", "g"]
        flags = rng.random()
        if flags < 0.15:
            cmd.append("NX")
        elif flags < 0.25:
            cmd.append("XX")
        if rng.random() < 0.3:
            cmd.append("CH")
        for _ in range(rng.randint(1, 60)):
            if members and rng.random() < 0.1:
                m = rng.choice(members)  # moves an existing member
            else:
                m = "m%d" % len(members)
                members.append(m)
            # No edge points here: points at one spot tie on distance, and Redis orders ties
            # under COUNT by an unstable partial quicksort (FIXED has the edges instead).
            cmd += _coord_args(rng, edges=False) + [m]
        commands.append(cmd)
    commands.append(["ZCARD", "g"])
    commands.append(["ZRANGE", "g", "0", "-1", "WITHSCORES"])
    for _ in range(searches):
        r = rng.random()
        if r < 0.08:
            commands.append(["GEOPOS", "g"] + [_member(rng, members) for _ in range(rng.randint(1, 4))])
        elif r < 0.14:
            commands.append(["GEOHASH", "g"] + [_member(rng, members) for _ in range(rng.randint(1, 4))])
        elif r < 0.2:
            cmd = ["GEODIST", "g", _member(rng, members), _member(rng, members)]
            if rng.random() < 0.7:
                cmd.append(rng.choice(list(UNITS) + ["KM", "Mi"]))
            commands.append(cmd)
        else:
            commands += _search(rng, members)
    return commands


def _run(pair, commands, seed):
    ember, ref = pair
    for i, cmd in enumerate(commands):
        expected = ref.execute(*cmd)
        got = ember.execute(*cmd)
        assert got == expected, "seed %d command %d %r:\n ember %r\n redis %r" % (seed, i, cmd, got, expected)


@pytest.mark.parametrize("seed", range(4), ids=lambda s: "seed%d" % s)
def test_random_searches_resp2(pair2, seed):
    _run(pair2, _sequence(seed, 250), seed)


@pytest.mark.parametrize("seed", range(100, 102), ids=lambda s: "seed%d" % s)
def test_random_searches_resp3(pair3, seed):
    _run(pair3, _sequence(seed, 150), seed)


# ---------------------------------------------------------------------------------------------
# Fixed cases: edges, errors.

FIXED = [
    ["GEOADD", "g", "13.361389", "38.115556", "Palermo", "15.087269", "37.502669", "Catania"],
    ["GEOADD", "g", "180", "85.05112878", "ne", "-180", "-85.05112878", "sw", "0", "0", "zero"],
    ["GEOADD", "g", "-179.9999", "0", "w", "179.9999", "0", "e", "0", "85", "n1", "180", "85", "n2"],
    ["ZRANGE", "g", "0", "-1", "WITHSCORES"],
    ["GEOPOS", "g", "Palermo", "ne", "sw", "zero", "none"],
    ["GEOHASH", "g", "Palermo", "Catania", "ne", "sw", "none"],
    ["GEODIST", "g", "Palermo", "Catania"], ["GEODIST", "g", "Palermo", "Catania", "km"],
    ["GEODIST", "g", "Palermo", "Catania", "MI"], ["GEODIST", "g", "Palermo", "Catania", "ft"],
    ["GEODIST", "g", "Palermo", "none"], ["GEODIST", "nokey", "a", "b"], ["GEODIST", "g", "w", "e"],
    ["GEORADIUS", "g", "15", "37", "200", "km", "WITHDIST", "WITHCOORD", "WITHHASH", "ASC"],
    ["GEORADIUS", "g", "15", "37", "200", "km", "DESC", "COUNT", "1"],
    ["GEORADIUS", "g", "0", "0", "0", "m", "WITHDIST"],
    ["GEORADIUS", "g", "180", "0", "50", "km", "WITHDIST"],
    ["GEORADIUS", "g", "0", "85.05112878", "1000", "km", "WITHDIST", "WITHCOORD"],
    ["GEORADIUS", "g", "0", "0", "30000", "km"],
    ["GEOSEARCH", "g", "FROMMEMBER", "Palermo", "BYBOX", "400", "400", "km", "WITHDIST", "ASC"],
    ["GEOSEARCH", "g", "FROMMEMBER", "e", "BYBOX", "100", "100", "km", "WITHDIST"],
    ["GEOSEARCH", "g", "FROMMEMBER", "Palermo", "FROMMEMBER", "Catania", "BYRADIUS", "1", "km"],
    ["GEOSEARCH", "g", "FROMLONLAT", "15", "37", "BYRADIUS", "200", "km", "COUNT", "1", "ANY"],
    ["GEOSEARCHSTORE", "dst", "g", "FROMLONLAT", "15", "37", "BYRADIUS", "200", "km"],
    ["ZRANGE", "dst", "0", "-1", "WITHSCORES"],
    ["GEOSEARCHSTORE", "dst", "g", "FROMLONLAT", "15", "37", "BYRADIUS", "200", "km", "STOREDIST"],
    ["ZRANGE", "dst", "0", "-1", "WITHSCORES"],
    ["GEOSEARCHSTORE", "dst", "g", "FROMLONLAT", "-100", "0", "BYRADIUS", "1", "km"],
    ["EXISTS", "dst"],
    ["GEORADIUS", "g", "15", "37", "200", "km", "STORE", "dst"], ["ZCARD", "dst"],
    ["GEORADIUS", "g", "15", "37", "200", "km", "STOREDIST", "dst"], ["ZRANGE", "dst", "0", "-1", "WITHSCORES"],
    ["GEORADIUS", "nokey", "15", "37", "200", "km", "STORE", "dst"], ["EXISTS", "dst"],
    ["GEORADIUSBYMEMBER", "g", "Palermo", "200", "km", "STORE", "dst"], ["ZCARD", "dst"],
    ["GEOSEARCHSTORE", "dst", "nokey", "FROMMEMBER", "x", "BYRADIUS", "1", "m"], ["EXISTS", "dst"],
    ["GEOADD", "g", "NX", "1", "1", "Palermo", "2", "2", "new"],
    ["GEOADD", "g", "XX", "CH", "1", "1", "Palermo", "3", "3", "new2"],
    ["GEOADD", "g", "CH", "1", "1", "Palermo", "4", "4", "new3"],
    ["GEOADD", "g", "XX", "1", "1", "Palermo"], ["GEOADD", "xxonly", "XX", "1", "1", "a"], ["EXISTS", "xxonly"],
    # Errors, in Redis's order of checks.
    ["GEOADD", "g", "200", "100", "m"], ["GEOADD", "g", "1", "-90", "m"], ["GEOADD", "g", "1.5", "inf", "m"],
    ["GEOADD", "g", "abc", "2", "m"], ["GEOADD", "g", "1", "2"], ["GEOADD", "g", "NX", "XX", "1", "2", "m"],
    ["GEOADD", "g", "GT", "1", "2", "m"], ["GEOADD", "g", "1", "2", "m", "3"], ["GEOADD", "g", "CH", "CH", "CH"],
    ["GEOADD", "g", "nan", "1", "m"], ["GEOADD", "g", "1", "2", "ok", "500", "2", "bad"], ["ZSCORE", "g", "ok"],
    ["GEODIST", "g", "a", "b", "km2"], ["GEODIST", "g", "a", "b", "km", "x"],
    ["GEOSEARCH", "g", "FROMMEMBER", "zz", "BYRADIUS", "1", "m"],
    ["GEOSEARCH", "g", "FROMLONLAT", "1", "2", "BYRADIUS", "-1", "m"],
    ["GEOSEARCH", "g", "FROMLONLAT", "1", "2", "BYRADIUS", "x", "m"],
    ["GEOSEARCH", "g", "FROMLONLAT", "1", "2", "BYBOX", "x", "1", "m"],
    ["GEOSEARCH", "g", "FROMLONLAT", "1", "2", "BYBOX", "1", "x", "m"],
    ["GEOSEARCH", "g", "FROMLONLAT", "1", "2", "BYBOX", "-1", "1", "m"],
    ["GEOSEARCH", "g", "FROMLONLAT", "1", "2", "BYBOX", "1", "1", "mm"],
    ["GEOSEARCH", "g", "FROMLONLAT", "1", "2", "BYRADIUS", "1", "m", "COUNT", "0"],
    ["GEOSEARCH", "g", "FROMLONLAT", "1", "2", "BYRADIUS", "1", "m", "COUNT", "x"],
    ["GEOSEARCH", "g", "FROMLONLAT", "1", "2", "BYRADIUS", "1", "m", "COUNT"],
    ["GEOSEARCH", "g", "FROMLONLAT", "1", "2", "BYRADIUS", "1", "m", "ANY"],
    ["GEOSEARCH", "g", "FROMLONLAT", "1", "2", "BYRADIUS", "1", "m", "STORE", "x"],
    ["GEOSEARCH", "g", "FROMLONLAT", "1", "2", "BYRADIUS", "1", "m", "STOREDIST"],
    ["GEOSEARCH", "g", "FROMLONLAT", "500", "2", "BYRADIUS", "1", "m"],
    ["GEOSEARCH", "g", "FROMLONLAT", "1", "2", "BYRADIUS", "1", "m", "BYBOX", "1", "1", "m"],
    ["GEOSEARCH", "g", "FROMMEMBER", "Palermo", "FROMLONLAT", "1", "2", "BYRADIUS", "1", "m"],
    ["GEOSEARCH", "g", "FROMLONLAT", "1", "2", "FROMMEMBER", "Palermo", "BYRADIUS", "1", "m"],
    ["GEOSEARCH", "g", "BYRADIUS", "1", "m", "ASC", "WITHDIST"],
    ["geosearch", "g", "FROMLONLAT", "1", "2", "ASC", "WITHDIST"],
    ["GEOSEARCH", "g", "FROMLONLAT", "1", "2", "BYRADIUS", "1"],
    ["GEOSEARCHSTORE", "d", "g", "FROMLONLAT", "1", "2", "BYRADIUS", "1", "m", "WITHDIST"],
    ["GEOSEARCHSTORE", "d", "g", "FROMLONLAT", "1", "2", "BYRADIUS", "1", "m", "STORE", "x"],
    ["GEORADIUS", "g", "1", "2", "1", "m", "WITHDIST", "STORE", "d"],
    ["GEORADIUS", "g", "1", "2", "1", "m", "STORE"],
    ["GEORADIUS_RO", "g", "1", "2", "1", "m", "STORE", "d"],
    ["GEORADIUS", "g", "1", "2", "1", "parsec"], ["GEORADIUS", "g", "1", "2", "-1", "m"],
    ["GEORADIUS", "g", "1", "200", "1", "m"], ["GEORADIUS", "g", "x", "2", "1", "m"],
    ["GEORADIUS", "g", "1", "2", "1", "m", "FROMLONLAT", "1", "2"],
    ["GEORADIUSBYMEMBER", "g", "zz", "1", "m"], ["GEORADIUSBYMEMBER", "g", "Palermo", "-1", "m"],
    ["GEORADIUSBYMEMBER", "nokey", "zz", "-1", "m"], ["GEORADIUSBYMEMBER", "nokey", "zz", "1", "m", "BAD"],
    ["GEORADIUSBYMEMBER", "nokey", "zz", "1", "m", "STORE", "dst"],
    ["GEOSEARCH", "nokey", "FROMLONLAT", "1", "2", "BYRADIUS", "1", "m"],
    ["GEOSEARCH", "nokey", "FROMMEMBER", "x", "BYRADIUS", "1", "m"],
    ["GEOSEARCH", "nokey", "FROMMEMBER", "x", "BYRADIUS", "-1", "m"],
    ["GEOPOS", "nokey", "a", "b"], ["GEOHASH", "nokey", "a"], ["GEOPOS", "g"], ["GEOHASH", "g"],
    ["SET", "str", "1"],
    ["GEOADD", "str", "1", "2", "m"], ["GEOADD", "str", "500", "2", "m"], ["GEOPOS", "str", "a"],
    ["GEOHASH", "str", "a"], ["GEODIST", "str", "a", "b"], ["GEODIST", "str", "a", "b", "bad"],
    ["GEOSEARCH", "str", "FROMLONLAT", "500", "2", "BYRADIUS", "1", "m"],
    ["GEORADIUS", "str", "500", "2", "1", "m"], ["GEOSEARCHSTORE", "d", "str", "FROMMEMBER", "a", "BYRADIUS", "1", "m"],
    ["GEOSEARCHSTORE", "str", "g", "FROMLONLAT", "15", "37", "BYRADIUS", "200", "km"], ["TYPE", "str"],
]


def test_fixed_cases_resp2(pair2):
    _run(pair2, FIXED, -1)


def test_fixed_cases_resp3(pair3):
    _run(pair3, FIXED, -1)


# ---------------------------------------------------------------------------------------------
# The write path: events, WATCH, other shards.

EVENT_SCRIPT = [
    ["GEOADD", "g", "13.361389", "38.115556", "Palermo", "15.087269", "37.502669", "Catania"],
    ["GEOADD", "g", "NX", "13.361389", "38.115556", "Palermo"],
    ["GEOSEARCHSTORE", "d", "g", "FROMMEMBER", "Palermo", "BYRADIUS", "300", "km"],
    ["GEORADIUS", "g", "15", "37", "200", "km", "STORE", "d2"],
    ["GEORADIUSBYMEMBER", "g", "Palermo", "1", "m", "STOREDIST", "d3"],
    ["GEOSEARCHSTORE", "d", "g", "FROMLONLAT", "-100", "0", "BYRADIUS", "1", "km"],
    ["GEOSEARCHSTORE", "d2", "nokey", "FROMLONLAT", "-100", "0", "BYRADIUS", "1", "km"],
]


def test_events_like_redis(server, redis_ref):
    if server.config.name not in _compared_configs():
        pytest.skip("runs on %s only" % ", ".join(_compared_configs()))
    expected = _collect(redis_ref.port, EVENT_SCRIPT, "KEA")
    assert [b"__keyevent@0__:zadd", b"g"] in expected
    got = _collect(server.port, EVENT_SCRIPT, "KEA", expect=len(expected))
    assert got == expected


def test_geoadd_breaks_watch(server):
    with RespClient(port=server.port, timeout=TIMEOUT) as c, \
            RespClient(port=server.port, timeout=TIMEOUT) as other:
        c.execute("GEOADD", "g", "1", "2", "a")
        assert c.execute("WATCH", "g") == "OK"
        other.execute("GEOADD", "g", "NX", "1", "2", "a")  # no change: the watch holds
        c.execute("MULTI")
        c.execute("GEOPOS", "g", "a")
        assert c.execute("EXEC") is not None
        c.execute("WATCH", "g")
        other.execute("GEOADD", "g", "3", "4", "b")
        c.execute("MULTI")
        c.execute("GEOPOS", "g", "a")
        assert c.execute("EXEC") is None


def test_store_across_shards(make_server, redis_ref):
    """GEOSEARCHSTORE / GEORADIUS STORE from a source on one shard into destinations on every
    shard of a 4-shard ember: the destination holds what redis-server's does."""
    ember_srv = make_server(shards=4)
    ember = RespClient(port=ember_srv.port, timeout=TIMEOUT)
    ref = RespClient(port=redis_ref.port, timeout=TIMEOUT)
    ember.parser = TaggedParser()
    ref.parser = TaggedParser()
    ref.execute("FLUSHALL")
    rng = random.Random(5)
    add = ["GEOADD", "src"]
    for i in range(200):
        add += ["%.6f" % (13 + rng.uniform(-2, 2)), "%.6f" % (38 + rng.uniform(-2, 2)), "p%d" % i]
    commands = [add]
    for i in range(16):  # 16 names: every one of the 4 shards is a destination several times
        dst = "dst%d" % i
        commands += [
            ["GEOSEARCHSTORE", dst, "src", "FROMLONLAT", "13", "38", "BYRADIUS", str(50 + 10 * i), "km",
             "STOREDIST"] + (["COUNT", "20"] if i % 2 else []),
            ["ZRANGE", dst, "0", "-1", "WITHSCORES"],
            ["GEORADIUS", "src", "13.5", "38.5", str(30 + i), "km", "STORE", dst],
            ["ZRANGE", dst, "0", "-1", "WITHSCORES"],
            ["GEORADIUSBYMEMBER", "src", "p%d" % i, "40", "km", "STOREDIST", dst, "DESC"],
            ["ZRANGE", dst, "0", "-1", "WITHSCORES"],
            ["GEOSEARCHSTORE", dst, "missing", "FROMLONLAT", "13", "38", "BYRADIUS", "1", "km"],
            ["EXISTS", dst],
        ]
    try:
        _run((ember, ref), commands, 5)
    finally:
        ember.close()
        ref.close()
