"""Commands client suites call during setup or teardown: MOVE, LCS, ROLE, LOLWUT, MEMORY
DOCTOR/MALLOC-STATS/PURGE/HELP, OBJECT HELP, DEBUG (gated by enable-debug-command)."""

import time

import pytest

import harness
from helpers import err
from resp_client import RespClient, Verbatim


def test_move_between_databases(raw, connect):
    assert raw.execute("SET", "k", "v") == "OK"
    assert raw.execute("PEXPIRE", "k", "100000") == 1
    assert raw.execute("MOVE", "k", "1") == 1
    assert raw.execute("EXISTS", "k") == 0
    other = connect()
    assert other.execute("SELECT", "1") == "OK"
    assert other.execute("GET", "k") == b"v"
    assert other.execute("PTTL", "k") > 0
    assert raw.execute("SET", "k", "again") == "OK"
    assert raw.execute("MOVE", "k", "1") == 0  # taken there
    assert raw.execute("GET", "k") == b"again"
    assert raw.execute("MOVE", "missing", "1") == 0
    assert raw.execute("MOVE", "k", "0") == err("ERR source and destination objects are the same")
    assert raw.execute("MOVE", "k", "16") == err("ERR DB index is out of range")
    assert raw.execute("MOVE", "k", "x") == err("ERR value is not an integer or out of range")


def test_lcs_reply_shapes(raw, resp3):
    raw.execute("MSET", "{l}a", "ohmytext", "{l}b", "mynewtext")
    assert raw.execute("LCS", "{l}a", "{l}b") == b"mytext"
    assert raw.execute("LCS", "{l}a", "{l}b", "LEN") == 6
    assert raw.execute("LCS", "{l}a", "{l}b", "IDX") == \
        [b"matches", [[[4, 7], [5, 8]], [[2, 3], [0, 1]]], b"len", 6]
    assert raw.execute("LCS", "{l}a", "{l}b", "IDX", "MINMATCHLEN", "4", "WITHMATCHLEN") == \
        [b"matches", [[[4, 7], [5, 8], 4]], b"len", 6]
    assert resp3.execute_raw("LCS", "{l}a", "{l}b", "IDX", "WITHMATCHLEN") == (
        b"%2\r\n$7\r\nmatches\r\n*2\r\n*3\r\n*2\r\n:4\r\n:7\r\n*2\r\n:5\r\n:8\r\n:4\r\n"
        b"*3\r\n*2\r\n:2\r\n:3\r\n*2\r\n:0\r\n:1\r\n:2\r\n$3\r\nlen\r\n:6\r\n")
    assert raw.execute("LCS", "{l}a", "{l}missing") == b""
    assert raw.execute("LCS", "{l}a", "{l}b", "LEN", "IDX") == \
        err("ERR If you want both the length and indexes, please just use IDX.")
    assert raw.execute("LCS", "{l}a", "{l}b", "BOGUS") == err("ERR syntax error")
    raw.execute("RPUSH", "{l}list", "x")
    assert raw.execute("LCS", "{l}a", "{l}list") == \
        err("ERR The specified keys must contain string values")


def test_lcs_matches_a_brute_force_model(raw):
    import random
    rng = random.Random(7)
    for _ in range(30):
        a = "".join(rng.choice("abc") for _ in range(rng.randint(0, 12)))
        b = "".join(rng.choice("abc") for _ in range(rng.randint(0, 12)))
        raw.execute("MSET", "{m}a", a, "{m}b", b)
        got = raw.execute("LCS", "{m}a", "{m}b").decode()
        assert len(got) == raw.execute("LCS", "{m}a", "{m}b", "LEN")
        it = iter(a)
        assert all(c in it for c in got)  # a subsequence of a
        it = iter(b)
        assert all(c in it for c in got)


def test_role_and_lolwut(raw, resp3):
    assert raw.execute("ROLE") == [b"master", 0, []]
    for art in (raw.execute("LOLWUT"), raw.execute("LOLWUT", "VERSION", "5")):
        assert art.endswith(b"\n") and b"Redis ver. " in art.rstrip().split(b"\n")[-1]
    assert isinstance(resp3.execute("LOLWUT"), Verbatim)


def test_memory_subcommands(raw):
    assert isinstance(raw.execute("MEMORY", "DOCTOR"), bytes)
    assert isinstance(raw.execute("MEMORY", "MALLOC-STATS"), bytes)
    assert raw.execute("MEMORY", "PURGE") == "OK"
    help_text = b"\n".join(raw.execute("MEMORY", "HELP")) if isinstance(raw.execute("MEMORY", "HELP")[0], bytes) \
        else "\n".join(raw.execute("MEMORY", "HELP"))
    for sub in ("DOCTOR", "MALLOC-STATS", "PURGE", "STATS", "USAGE", "HELP"):
        assert sub in str(help_text)


def test_object_help_lists_every_subcommand(raw):
    lines = [str(line) for line in raw.execute("OBJECT", "HELP")]
    subs = [line.split()[0] for line in lines[1:] if not line.startswith(" ")]
    assert subs == ["ENCODING", "FREQ", "IDLETIME", "REFCOUNT", "HELP"]


def test_debug_is_off_by_default(raw):
    reply = raw.execute("DEBUG", "SLEEP", "0")
    assert reply == err(
        "ERR DEBUG command not allowed. If the enable-debug-command option is set to \"local\", "
        "you can run it from a local connection, otherwise you need to set this option in the "
        "configuration file, and then restart the server.")
    assert raw.execute("CONFIG", "GET", "enable-debug-command") in ([b"enable-debug-command", b"no"], [])


@pytest.fixture(scope="module")
def debug_server():
    """A server of its own, started with DEBUG allowed (stopped by PID after the module)."""
    config = harness.REDIS_CONFIG if harness.IS_REDIS else harness.ServerConfig(2, "epoll")
    yield from harness.module_server(config, ["--enable-debug-command", "yes"])


@pytest.fixture
def dbg(debug_server):
    c = RespClient(port=debug_server.port)
    c.execute("FLUSHALL")
    yield c
    c.execute("DEBUG", "SET-ACTIVE-EXPIRE", "1")
    c.close()


def test_debug_sleep_object_and_help(dbg):
    start = time.monotonic()
    assert dbg.execute("DEBUG", "SLEEP", "0.2") == "OK"
    assert time.monotonic() - start >= 0.18
    dbg.execute("SET", "k", "hello")
    line = str(dbg.execute("DEBUG", "OBJECT", "k"))
    assert line.startswith("Value at:") and " refcount:1 encoding:embstr " in line
    assert "serializedlength:" in line and "lru_seconds_idle:" in line
    assert dbg.execute("DEBUG", "OBJECT", "missing") == err("ERR no such key")
    assert any("DIGEST" in str(line) for line in dbg.execute("DEBUG", "HELP"))


def test_debug_digest_tracks_the_data(dbg):
    empty = dbg.execute("DEBUG", "DIGEST")
    assert empty == "0" * 40
    dbg.execute("SET", "s", "1")
    dbg.execute("RPUSH", "l", "a", "b")
    dbg.execute("SADD", "set", "x", "y")
    dbg.execute("HSET", "h", "f", "v")
    dbg.execute("ZADD", "z", "1", "m")
    full = dbg.execute("DEBUG", "DIGEST")
    assert len(full) == 40 and full != empty
    assert dbg.execute("DEBUG", "DIGEST") == full
    values = dbg.execute("DEBUG", "DIGEST-VALUE", "s", "l", "missing")
    assert values[2] == "0" * 40 and values[0] != values[1]
    dbg.execute("RPUSH", "l", "c")
    assert dbg.execute("DEBUG", "DIGEST") != full
    assert dbg.execute("DEBUG", "DIGEST-VALUE", "l")[0] != values[1]
    dbg.execute("RPOP", "l")
    assert dbg.execute("DEBUG", "DIGEST") == full
    # Equal data, equal digests: the same set built in another order.
    dbg.execute("SADD", "other", "y", "x")
    a, b = dbg.execute("DEBUG", "DIGEST-VALUE", "set", "other")
    assert a == b


def test_debug_set_active_expire_stops_the_sweeper(dbg):
    assert dbg.execute("DEBUG", "SET-ACTIVE-EXPIRE", "0") == "OK"
    for i in range(20):
        dbg.execute("SET", "t%d" % i, "v", "PX", "10")
    time.sleep(0.5)
    assert dbg.execute("DBSIZE") == 20  # nothing read them, nothing swept them
    assert dbg.execute("DEBUG", "SET-ACTIVE-EXPIRE", "1") == "OK"
    deadline = time.monotonic() + 5
    while dbg.execute("DBSIZE") != 0 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert dbg.execute("DBSIZE") == 0


@pytest.mark.ember_only("ember has no persistence yet; Redis reloads its RDB")
def test_debug_reload_says_why_not(dbg):
    reply = dbg.execute("DEBUG", "RELOAD")
    assert str(reply).startswith("ERR") and "persistence" in str(reply)
