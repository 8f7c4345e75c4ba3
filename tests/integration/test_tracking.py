"""Client-side caching (CLIENT TRACKING): the CLIENT TRACKING family's replies and errors and the
invalidation pushes (RESP3, and RESP2 through REDIRECT to a `__redis__:invalidate` subscriber)
byte for byte against redis-server; OPTIN/OPTOUT/CACHING, BCAST with prefixes, NOLOOP, FLUSHALL's
null invalidation; expiry, eviction and tracking-table-max-keys; clients that disconnect while
invalidations are on their way; redis-py's RESP2 tracking through REDIRECT."""

import socket
import time

import pytest
import redis

import harness
from helpers import DIFFERENTIAL, wait_until
from resp_client import RespClient
from transcripts import ID, S
from transcripts import run as _run

CLIENT_TIMEOUT = 10.0 * harness.SLOWDOWN


# Keys written together carry one {hash tag}: on ember they share a shard, so one write's
# invalidations come in one order (and BCAST's as one message), as from redis-server.
SCENARIOS = {
    "resp3_default_mode": (2, [
        S(0, "HELLO", "3", compared=False),
        S(0, "CLIENT", "TRACKING", "on"), S(0, "GET", "k"), S(0, "SET", "k", "1"),
        S(0, "GET", "k"), S(1, "SET", "k", "2"), S(1, "SET", "k", "3"),
        S(0, "MGET", "{t}a", "{t}b", "{t}c"), S(1, "MSET", "{t}a", "1", "{t}b", "2"),
        S(1, "DEL", "{t}a", "{t}c"), S(1, "SET", "{t}c", "x"),
        S(0, "HGET", "h", "f"), S(1, "HSET", "h", "f", "v"), S(1, "HSET", "h", "g", "v"),
        S(0, "LRANGE", "l", "0", "-1"), S(1, "RPUSH", "l", "a"),
        S(0, "SMEMBERS", "s"), S(0, "ZSCORE", "z", "m"), S(1, "SADD", "s", "a"),
        S(1, "ZADD", "z", "1", "m"),
        S(0, "GET", "e"), S(1, "SET", "e", "1"), S(0, "GET", "e"), S(1, "EXPIRE", "e", "100"),
        S(1, "PERSIST", "e"),
        S(0, "STRLEN", "n"), S(1, "INCR", "n"), S(0, "GETRANGE", "n", "0", "-1"),
        S(1, "APPEND", "n", "5"),
        S(0, "GET", "m"), S(0, "MULTI"), S(0, "SET", "m", "1"), S(0, "GET", "m"),
        S(0, "SET", "m", "2"), S(0, "EXEC"),
        S(0, "GET", "w"), S(1, "FLUSHALL"), S(0, "GET", "w"), S(0, "FLUSHDB"),
        S(1, "SET", "w", "1"),
        S(0, "GET", "v"), S(0, "CLIENT", "TRACKING", "off"), S(1, "SET", "v", "1"),
        S(0, "CLIENT", "TRACKING", "on"), S(1, "SET", "v", "2"), S(1, "SET", "v", "3"),
        S(0, "CLIENT", "TRACKING", "off"), S(1, "FLUSHALL"),
    ]),
    "resp2_redirect": (3, [
        S(1, "SUBSCRIBE", "__redis__:invalidate"),
        S(0, "CLIENT", "TRACKING", "on", "REDIRECT", ID, target=1),
        S(0, "GET", "a"), S(0, "MGET", "{t}b", "{t}c"), S(2, "SET", "a", "1"),
        S(2, "MSET", "{t}b", "1", "{t}c", "1"), S(0, "SET", "a", "x"), S(0, "GET", "a"),
        S(0, "SET", "a", "y"),
        S(0, "CLIENT", "GETREDIR", target=1), S(0, "CLIENT", "TRACKINGINFO", target=1),
        S(2, "FLUSHALL"), S(0, "FLUSHALL"),
        S(0, "CLIENT", "TRACKING", "on", "REDIRECT", "0"),
        S(0, "GET", "b"), S(1, "UNSUBSCRIBE"), S(2, "SET", "b", "1"),
        # (pause: the invalidation of b, which nobody can receive, is left time to be dropped)
        S(1, "SUBSCRIBE", "other", pause=0.2), S(0, "GET", "b"), S(2, "SET", "b", "2"),
        S(1, "QUIT"),
        S(0, "GET", "c"), S(2, "SET", "c", "1", pause=0.2, target=1),
        S(0, "CLIENT", "TRACKINGINFO", target=1), S(0, "CLIENT", "GETREDIR", target=1),
        S(0, "HELLO", "3", compared=False), S(0, "GET", "c"), S(2, "SET", "c", "2", target=1),
        S(0, "CLIENT", "TRACKINGINFO", target=1),
        S(0, "CLIENT", "TRACKING", "on"), S(0, "CLIENT", "TRACKINGINFO"),
        S(0, "GET", "c"), S(2, "SET", "c", "3"),
    ]),
    "resp3_redirect_target": (3, [
        S(1, "HELLO", "3", compared=False),
        S(0, "CLIENT", "TRACKING", "on", "REDIRECT", ID, target=1),
        S(0, "GET", "a"), S(2, "SET", "a", "1"), S(2, "FLUSHDB"),
        S(0, "CLIENT", "TRACKING", "off"), S(2, "FLUSHDB"),
    ]),
    "bcast_prefixes_noloop": (2, [
        S(0, "HELLO", "3", compared=False),
        S(0, "CLIENT", "TRACKING", "on", "BCAST", "PREFIX", "a:", "PREFIX", "b:"),
        S(1, "SET", "a:1", "x"), S(1, "SET", "b:1", "x"), S(1, "SET", "c:1", "x"),
        S(1, "MSET", "a:{t}2", "1", "a:{t}1", "1", "z{t}", "1"),
        S(0, "SET", "a:3", "x"), S(0, "GET", "a:3"), S(1, "DEL", "a:3", "nope"),
        S(0, "CLIENT", "TRACKINGINFO"), S(0, "CLIENT", "LIST", compared=False),
        S(0, "CLIENT", "TRACKING", "on", "BCAST", "PREFIX", "c:", "NOLOOP"),
        S(0, "SET", "c:1", "y"), S(0, "SET", "a:1", "y"), S(1, "SET", "c:1", "z"),
        S(0, "CLIENT", "TRACKINGINFO"),
        S(0, "CLIENT", "TRACKING", "on", "BCAST", "PREFIX", "a:x"),
        S(0, "CLIENT", "TRACKING", "on", "BCAST", "PREFIX", "c"),
        S(0, "CLIENT", "TRACKING", "on", "PREFIX", "d"),
        S(0, "CLIENT", "TRACKING", "on"),
        S(1, "FLUSHALL"),
        S(0, "CLIENT", "TRACKING", "off"), S(1, "SET", "a:1", "x"),
        S(0, "CLIENT", "TRACKING", "on", "BCAST"), S(1, "SET", "q", "1"), S(1, "SET", "a:1", "x"),
        S(0, "CLIENT", "TRACKINGINFO"),
        S(0, "CLIENT", "TRACKING", "off"),
        S(0, "CLIENT", "TRACKING", "on", "BCAST", "PREFIX", "x", "PREFIX", "y", "PREFIX", "yz"),
        S(0, "CLIENT", "TRACKINGINFO"), S(1, "SET", "yz1", "1"),
    ]),
    "optin_optout_caching": (2, [
        S(0, "HELLO", "3", compared=False),
        S(0, "CLIENT", "TRACKING", "on", "OPTIN"), S(0, "CLIENT", "CACHING", "no"),
        S(0, "GET", "{o}1"), S(0, "CLIENT", "CACHING", "yes"), S(0, "CLIENT", "TRACKINGINFO"),
        S(0, "GET", "{o}2"), S(0, "GET", "{o}3"),
        S(0, "CLIENT", "CACHING", "yes"), S(0, "CLIENT", "ID", compared=False),
        S(0, "GET", "{o}4"),
        S(0, "CLIENT", "CACHING", "yes"), S(0, "PING"), S(0, "GET", "{o}5"),
        S(0, "CLIENT", "CACHING", "yes"), S(0, "MULTI"), S(0, "GET", "{o}6"), S(0, "GET", "{o}7"),
        S(0, "EXEC"), S(0, "GET", "{o}8"),
        S(1, "MSET", "{o}1", "1", "{o}2", "1", "{o}3", "1", "{o}4", "1", "{o}5", "1", "{o}6", "1",
          "{o}7", "1", "{o}8", "1"),
        S(0, "CLIENT", "TRACKING", "on", "OPTOUT"),
        S(0, "CLIENT", "TRACKING", "off"), S(0, "CLIENT", "TRACKING", "on", "OPTOUT"),
        S(0, "CLIENT", "CACHING", "yes"), S(0, "GET", "{o}1"), S(0, "CLIENT", "CACHING", "no"),
        S(0, "CLIENT", "TRACKINGINFO"), S(0, "GET", "{o}2"), S(0, "GET", "{o}3"),
        S(1, "MSET", "{o}1", "2", "{o}2", "2", "{o}3", "2"),
        S(0, "CLIENT", "TRACKING", "on", "NOLOOP"), S(0, "CLIENT", "TRACKINGINFO"),
        S(0, "GET", "n"), S(0, "SET", "n", "2"), S(0, "GET", "n"), S(1, "SET", "n", "3"),
    ]),
    "errors_and_introspection": (1, [
        S(0, "CLIENT", "TRACKING"), S(0, "CLIENT", "TRACKING", "maybe"),
        S(0, "CLIENT", "TRACKING", "on", "foo"), S(0, "CLIENT", "TRACKING", "on", "PREFIX"),
        S(0, "CLIENT", "TRACKING", "on", "REDIRECT"),
        S(0, "CLIENT", "TRACKING", "on", "REDIRECT", "x"),
        S(0, "CLIENT", "TRACKING", "on", "REDIRECT", "999999"),
        S(0, "CLIENT", "TRACKING", "on", "REDIRECT", "-5"),
        S(0, "CLIENT", "TRACKING", "on", "PREFIX", "a"),
        S(0, "CLIENT", "TRACKING", "on", "BCAST", "OPTIN"),
        S(0, "CLIENT", "TRACKING", "on", "OPTIN", "OPTOUT"),
        S(0, "CLIENT", "TRACKING", "on", "BCAST", "PREFIX", "a", "PREFIX", "ab"),
        S(0, "CLIENT", "TRACKING", "on", "BCAST", "PREFIX", "q", "PREFIX", "r", "PREFIX", "q"),
        S(0, "CLIENT", "TRACKINGINFO"), S(0, "CLIENT", "GETREDIR"),
        S(0, "CLIENT", "CACHING", "yes"), S(0, "CLIENT", "CACHING"),
        S(0, "CLIENT", "GETREDIR", "x"), S(0, "CLIENT", "TRACKINGINFO", "x"),
        S(0, "CLIENT", "TRACKING", "off", "BCAST", "PREFIX", "x"),
        S(0, "CLIENT", "TRACKING", "on", "BCAST", "PREFIX", "a"),
        S(0, "CLIENT", "TRACKING", "on", "BCAST", "PREFIX", "a"),
        S(0, "CLIENT", "TRACKING", "on", "BCAST", "PREFIX", "ab"),
        S(0, "CLIENT", "TRACKING", "on", "BCAST", "PREFIX", ""),
        S(0, "CLIENT", "TRACKING", "on", "BCAST", "PREFIX", "b", "PREFIX", "b"),
        S(0, "CLIENT", "TRACKING", "on", "BCAST"), S(0, "CLIENT", "TRACKINGINFO"),
        S(0, "CLIENT", "TRACKING", "on", "OPTIN"), S(0, "CLIENT", "CACHING", "yes"),
        S(0, "CLIENT", "TRACKING", "off"), S(0, "CLIENT", "TRACKING", "on", "OPTIN"),
        S(0, "CLIENT", "CACHING", "no"), S(0, "CLIENT", "CACHING", "maybe"),
        S(0, "CLIENT", "TRACKING", "on", "OPTOUT"), S(0, "CLIENT", "CACHING", "yes"),
        S(0, "CLIENT", "TRACKINGINFO"), S(0, "CLIENT", "GETREDIR"),
        S(0, "RESET"), S(0, "CLIENT", "TRACKINGINFO"),
        S(0, "HELLO", "3", compared=False), S(0, "CLIENT", "TRACKINGINFO"),
        S(0, "CLIENT", "TRACKING", "on", "optin", "noloop"), S(0, "CLIENT", "TRACKINGINFO"),
    ]),
}


@pytest.fixture(scope="module")
def redis_transcripts(redis_ref):
    return {name: _run(redis_ref.port, n, steps) for name, (n, steps) in SCENARIOS.items()}


@pytest.mark.parametrize("name", sorted(SCENARIOS))
@DIFFERENTIAL[0]
@DIFFERENTIAL[1]
def test_same_bytes_as_redis(server, redis_transcripts, name):
    connections, steps = SCENARIOS[name]
    theirs, counts = redis_transcripts[name]
    ours, _ = _run(server.port, connections, steps, counts)
    for (args, our_step), (_, their_step) in zip(ours, theirs):
        assert our_step == their_step, args


def _resp3(port):
    c = RespClient(port=port, timeout=CLIENT_TIMEOUT)
    c.execute("HELLO", "3")
    return c


def _invalidations(conn, timeout):
    """Keys of the invalidation pushes that arrive within `timeout` (None: the null one)."""
    keys = []
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            frame = conn.read_reply(timeout=max(0.01, deadline - time.time()))
        except (socket.timeout, TimeoutError):
            break
        assert frame[0] == b"invalidate", frame
        keys.extend([k.decode() for k in frame[1]] if frame[1] is not None else [None])
    return keys


def test_client_list_flags_and_info(server, connect):
    a, b = _resp3(server.port), RespClient(port=server.port, timeout=CLIENT_TIMEOUT)
    try:
        b_id = b.execute("CLIENT", "ID")
        b.execute("SUBSCRIBE", "__redis__:invalidate")
        assert a.execute("CLIENT", "TRACKING", "on", "REDIRECT", str(b_id)) == "OK"
        line = str(a.execute("CLIENT", "INFO"))
        assert " flags=t " in line and " redir=%d " % b_id in line, line
        info = a.execute("INFO", "clients")
        assert "tracking_clients:1" in str(info)
        a.execute("GET", "k1")
        a.execute("GET", "k2")
        stats = str(a.execute("INFO", "stats"))
        assert "tracking_total_keys:2" in stats and "tracking_total_items:2" in stats, stats
        b.close()
        c = RespClient(port=server.port, timeout=CLIENT_TIMEOUT)
        assert wait_until(lambda: a.execute("CLIENT", "ID") and "flags=P" not in str(
            c.execute("CLIENT", "LIST")), 5 * harness.SLOWDOWN)
        c.execute("SET", "k1", "x")
        assert a.read_reply() == [b"tracking-redir-broken", b_id]
        assert " flags=tR " in str(a.execute("CLIENT", "INFO"))
        a.execute("CLIENT", "TRACKING", "off")
        a.execute("CLIENT", "TRACKING", "on", "BCAST", "PREFIX", "p")
        line = str(a.execute("CLIENT", "INFO"))
        assert " flags=tB " in line and " redir=0 " in line, line
        assert "tracking_total_prefixes:1" in str(a.execute("INFO", "stats"))
        a.execute("CLIENT", "TRACKING", "off")
        line = str(a.execute("CLIENT", "INFO"))
        assert " flags=N " in line and " redir=-1 " in line, line
        c.close()
    finally:
        a.close()


@pytest.mark.ember_only("timing of expiry and of the tracking-table limit")
def test_expiry_invalidates(server):
    a, b = _resp3(server.port), RespClient(port=server.port, timeout=CLIENT_TIMEOUT)
    try:
        a.execute("CLIENT", "TRACKING", "on")
        for i in range(20):
            b.execute("SET", "exp:%d" % i, "v", "PX", "100")
            a.execute("GET", "exp:%d" % i)
        b.execute("SET", "lazy", "v", "PX", "50")
        a.execute("GET", "lazy")
        time.sleep(0.1)
        b.execute("GET", "lazy")  # lazy expiry by another client
        keys = _invalidations(a, 3.0 * harness.SLOWDOWN)
        assert sorted(keys) == sorted(["exp:%d" % i for i in range(20)] + ["lazy"])
    finally:
        a.close()
        b.close()


@pytest.mark.ember_only("which keys the limit evicts")
def test_tracking_table_max_keys(server):
    a, admin = _resp3(server.port), RespClient(port=server.port, timeout=CLIENT_TIMEOUT)
    try:
        assert admin.execute("CONFIG", "GET", "tracking-table-max-keys") == [
            b"tracking-table-max-keys", b"1000000"]
        admin.execute("CONFIG", "SET", "tracking-table-max-keys", "3")
        a.execute("CLIENT", "TRACKING", "on")
        keys = []
        for i in range(10):
            a.send_command("GET", "lim:%d" % i)
            while True:  # the reply, then the invalidations of the keys the limit dropped
                frame = a.read_reply()
                if frame is None:
                    break
                assert frame[0] == b"invalidate", frame
                keys.extend(k.decode() for k in frame[1])
        keys += _invalidations(a, 0.3 * harness.SLOWDOWN)
        assert len(keys) == 7 and len(set(keys)) == 7, keys
        assert "tracking_total_keys:3" in str(admin.execute("INFO", "stats"))
        admin.execute("MSET", *sum((["lim:%d" % i, "x"] for i in range(10)), []))
        left = _invalidations(a, 0.5 * harness.SLOWDOWN)
        assert sorted(left + keys) == sorted("lim:%d" % i for i in range(10))
    finally:
        admin.execute("CONFIG", "SET", "tracking-table-max-keys", "1000000")
        a.close()
        admin.close()


@pytest.mark.ember_only("eviction's choice of keys")
def test_eviction_invalidates(make_server):
    srv = make_server(shards=2, extra_args=("--maxmemory", "4mb", "--maxmemory-policy",
                                            "allkeys-random"))
    a, b = _resp3(srv.port), RespClient(port=srv.port, timeout=CLIENT_TIMEOUT)
    try:
        a.execute("CLIENT", "TRACKING", "on")
        for i in range(50):
            b.execute("SET", "ev:%d" % i, "x" * 100)
            a.execute("GET", "ev:%d" % i)
        value = "y" * 10000
        for i in range(1000):
            b.execute("SET", "fill:%d" % i, value)
        gone = [k for k in ("ev:%d" % i for i in range(50)) if b.execute("EXISTS", k) == 0]
        assert gone, "nothing was evicted"
        keys = _invalidations(a, 1.0 * harness.SLOWDOWN)
        assert set(gone) <= set(keys), (gone, keys)
    finally:
        a.close()
        b.close()


@pytest.mark.ember_only("stress: disconnects while invalidations travel")
def test_clients_that_disconnect_while_invalidations_fly(server):
    writer = RespClient(port=server.port, timeout=CLIENT_TIMEOUT)
    for round_ in range(5):
        readers = [_resp3(server.port) for _ in range(4)]
        for r in readers:
            r.execute("CLIENT", "TRACKING", "on")
        sub = RespClient(port=server.port, timeout=CLIENT_TIMEOUT)
        sub_id = sub.execute("CLIENT", "ID")
        sub.execute("SUBSCRIBE", "__redis__:invalidate")
        redirected = RespClient(port=server.port, timeout=CLIENT_TIMEOUT)
        redirected.execute("CLIENT", "TRACKING", "on", "REDIRECT", str(sub_id))
        keys = ["dc:%d" % i for i in range(200)]
        for r in readers + [redirected]:
            r.send_raw(b"".join(b"*2\r\n$3\r\nGET\r\n$%d\r\n%s\r\n" % (len(k), k.encode())
                                for k in keys))
            r.read_replies(len(keys))
        writer.send_raw(b"".join(b"*3\r\n$3\r\nSET\r\n$%d\r\n%s\r\n$1\r\n%d\r\n"
                                 % (len(k), k.encode(), round_) for k in keys))
        for r in readers[:2] + [sub]:
            r.close()  # while the invalidations are on their way
        writer.read_replies(len(keys))
        survivors = readers[2:]
        for r in survivors:
            assert sorted(_invalidations(r, 0.5 * harness.SLOWDOWN)) == sorted(keys)
        for r in survivors + [redirected]:
            r.close()
    assert writer.execute("PING") == "PONG"
    writer.close()


def test_redis_py_resp2_tracking_through_redirect(server):
    pool = redis.ConnectionPool(host="127.0.0.1", port=server.port,
                                socket_timeout=CLIENT_TIMEOUT)
    listener = pool.get_connection("SUBSCRIBE")
    try:
        listener.send_command("CLIENT", "ID")
        listener_id = listener.read_response()
        listener.send_command("SUBSCRIBE", "__redis__:invalidate")
        assert listener.read_response()[0] == b"subscribe"
        r = redis.Redis(host="127.0.0.1", port=server.port, decode_responses=True,
                        single_connection_client=True, socket_timeout=CLIENT_TIMEOUT)
        assert r.client_tracking_on(clientid=listener_id)
        assert r.client_getredir() == listener_id
        r.set("cached", "1")
        assert r.get("cached") == "1"
        other = redis.Redis(host="127.0.0.1", port=server.port, socket_timeout=CLIENT_TIMEOUT)
        other.set("cached", "2")
        assert listener.can_read(timeout=5 * harness.SLOWDOWN)
        message = listener.read_response()
        assert message == [b"message", b"__redis__:invalidate", [b"cached"]]
        other.flushall()
        assert listener.can_read(timeout=5 * harness.SLOWDOWN)
        assert listener.read_response() == [b"message", b"__redis__:invalidate", None]
        r.close()
        other.close()
    finally:
        listener.disconnect()
        pool.disconnect()
