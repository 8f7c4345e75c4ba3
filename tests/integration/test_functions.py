"""Redis 7 functions: FUNCTION LOAD/LIST/DELETE/FLUSH/DUMP/RESTORE/STATS/KILL/HELP, FCALL and
FCALL_RO. Replies (errors included, RESP2 and RESP3) are compared with redis-server's; then the
libraries across connections and shards, atomicity under concurrent clients, FUNCTION KILL of a
busy function, and persistence: RDB and AOF restarts, RDB files and DUMP payloads exchanged with
redis-server both ways."""

import shutil
import threading
import time

import pytest

import harness
from helpers import wait_until
from resp_client import RespClient, RespError

TIMEOUT = 10.0 * harness.SLOWDOWN

LIB = """#!lua name=mylib
local function get(k) return redis.call('get', k) end
redis.register_function('setget', function(keys, args)
  redis.call('set', keys[1], args[1])
  return get(keys[1])
end)
redis.register_function{function_name='ro_get', callback=function(keys) return get(keys[1]) end,
  flags={'no-writes', 'allow-oom'}, description='reads a key'}
redis.register_function('shape', function(keys, args)
  return {#keys, #args, keys[1] or false, args[1] or false, 3.7, {ok='fine'}}
end)
redis.register_function('fail', function() error('boom') end)
redis.register_function('rerr', function() return redis.error_reply('MY custom') end)
redis.register_function('hash', function(keys) redis.setresp(3) return redis.call('hgetall', keys[1]) end)
"""


def lib(name, body):
    return "#!lua name=%s\n%s" % (name, body)


def reg(name, body="return 1", extra=""):
    return "redis.register_function('%s', function(keys, args) %s end)%s" % (name, body, extra)


@pytest.fixture
def ours(server):
    c = RespClient(port=server.port, timeout=TIMEOUT)
    c.execute("FUNCTION", "FLUSH")
    yield c
    c.execute("FUNCTION", "FLUSH")
    c.close()


@pytest.fixture
def theirs(redis_ref):
    c = RespClient(port=redis_ref.port, timeout=TIMEOUT)
    c.execute("FUNCTION", "FLUSH")
    c.execute("FLUSHALL")
    yield c
    c.close()


def both(a, b, *cmd):
    x, y = a.execute(*cmd), b.execute(*cmd)
    assert x == y, cmd
    return x


def normalized(listing):
    """FUNCTION LIST in a fixed order (Redis's is its dictionaries')."""
    out = []
    for entry in listing:
        d = dict(entry) if isinstance(entry, dict) else dict(zip(entry[::2], entry[1::2]))
        fns = []
        for f in d[b"functions"]:
            fd = dict(f) if isinstance(f, dict) else dict(zip(f[::2], f[1::2]))
            if isinstance(fd[b"flags"], (set, frozenset)):
                fd[b"flags"] = sorted(fd[b"flags"])
            fns.append(sorted(fd.items(), key=repr))
        d[b"functions"] = sorted(fns, key=repr)
        out.append(sorted(d.items(), key=repr))
    return sorted(out, key=repr)


LOAD_ERRORS = [
    "local x = 1",
    "#!lua name=nonl",
    "#!lua\nlocal x = 1",
    "#!lu name=a\nlocal x = 1",
    "#!lub name=b-c\n" + reg("f"),
    "#!lua name=a foo=bar\n" + reg("f"),
    "#!lua name=a name=b\n" + reg("f"),
    "#!lua name=a\tx\n" + reg("f"),
    lib("a-b", reg("f")),
    lib("nofn", "local x = 1"),
    lib("atload", "redis.call('ping')"),
    lib("atload", "redis.pcall('ping')"),
    lib("atload", "local s = string.len('x')"),
    lib("atload", "redis.setresp(3)"),
    lib("atload", "x = 1"),
    lib("atload", "local a = nil + 1"),
    lib("syntax", "syntax error here"),
    lib("r", "redis.register_function('f')"),
    lib("r", "redis.register_function('f', 'x')"),
    lib("r", "redis.register_function({}, function() end)"),
    lib("r", "redis.register_function('f', function() end, 3)"),
    lib("r", "redis.register_function{function_name='f', callback=function() end, flags={'bad'}}"),
    lib("r", "redis.register_function{function_name='f', callback=function() end, flags='no-writes'}"),
    lib("r", "redis.register_function{function_name='f', callback=function() end, foo=1}"),
    lib("r", "redis.register_function{function_name='f', callback=function() end, description={}}"),
    lib("r", "redis.register_function{function_name='f'}"),
    lib("r", "redis.register_function{callback=function() end}"),
    lib("r", "redis.register_function{'f', function() end}"),
    lib("r", reg("bad-name")),
    lib("r", reg("")),
    lib("timeout", reg("f") + " while true do end"),
]


def test_load_errors_match_redis(ours, theirs):
    for source in LOAD_ERRORS:
        x, y = ours.execute("FUNCTION", "LOAD", source), theirs.execute("FUNCTION", "LOAD", source)
        assert isinstance(y, RespError), source
        assert x == y, source
    for cmd in (("FUNCTION", "LOAD"), ("FUNCTION", "LOAD", "foo", "bar"),
                ("FUNCTION", "LOAD", "replace")):
        both(ours, theirs, *cmd)


def test_load_collisions_and_replace_match_redis(ours, theirs):
    assert both(ours, theirs, "FUNCTION", "LOAD", LIB) == b"mylib"
    both(ours, theirs, "FUNCTION", "LOAD", LIB)  # already exists
    both(ours, theirs, "FUNCTION", "LOAD", lib("other", reg("SETGET")))  # function exists
    assert both(ours, theirs, "FUNCTION", "LOAD", "REPLACE", LIB) == b"mylib"
    assert both(ours, theirs, "FUNCTION", "LOAD", "replace", "replace", lib("mylib", reg("only"))) == b"mylib"
    assert both(ours, theirs, "FCALL", "setget", "1", "k", "v") == RespError("ERR Function not found")
    assert both(ours, theirs, "FCALL", "ONLY", "0") == 1
    both(ours, theirs, "FUNCTION", "DELETE", "nosuch")
    both(ours, theirs, "FUNCTION", "DELETE", "mylib")
    both(ours, theirs, "FUNCTION", "DELETE")
    both(ours, theirs, "FUNCTION", "DELETE", "a", "b")
    assert both(ours, theirs, "FUNCTION", "LIST") == []


@pytest.mark.parametrize("proto", [2, 3])
def test_fcall_replies_match_redis(ours, theirs, proto):
    if proto == 3:
        assert isinstance(ours.execute("HELLO", "3"), dict)
        theirs.execute("HELLO", "3")
    assert both(ours, theirs, "FUNCTION", "LOAD", LIB) == b"mylib"
    both(ours, theirs, "HSET", "h", "f", "v")
    calls = [
        ("FCALL", "setget", "1", "k", "v1"), ("FCALL", "SetGet", "1", "k", "v2"),
        ("FCALL_RO", "ro_get", "1", "k"), ("FCALL_RO", "setget", "1", "k", "v"),
        ("FCALL", "ro_get", "1", "k"), ("FCALL", "shape", "2", "a", "b", "x"), ("FCALL", "shape", "0"),
        ("FCALL", "fail", "0"), ("FCALL", "rerr", "0"), ("FCALL", "hash", "1", "h"),
        ("FCALL", "nosuch", "0"), ("FCALL", "nosuch", "x"), ("FCALL", "setget", "x"),
        ("FCALL", "setget", "-1"), ("FCALL", "setget", "3", "a"), ("FCALL_RO", "setget", "x"),
        ("FCALL",), ("FCALL", "setget"),
    ]
    for cmd in calls:
        both(ours, theirs, *cmd)


def test_runtime_environment_matches_redis(ours, theirs):
    body = "\n".join([
        reg("g", "x = 1"), reg("keys_global", "return KEYS"), reg("argv_global", "return ARGV"),
        reg("libs", "return {cjson.encode({1}), bit.band(7, 3), string.rep('a', 2), math.floor(2.5)}"),
        reg("pc", "return {pcall(function() error('x') end)}"),
        reg("nested", "return redis.call('fcall', 'libs', '0')"),
        reg("noscript", "return redis.call('function', 'list')"),
    ])
    assert both(ours, theirs, "FUNCTION", "LOAD", lib("env", body)) == b"env"
    for name in ("g", "keys_global", "argv_global", "libs", "pc", "nested", "noscript"):
        both(ours, theirs, "FCALL", name, "0")


@pytest.mark.parametrize("proto", [2, 3])
def test_list_stats_help_match_redis(ours, theirs, proto):
    if proto == 3:
        ours.execute("HELLO", "3")
        theirs.execute("HELLO", "3")
    both(ours, theirs, "FUNCTION", "LOAD", LIB)
    both(ours, theirs, "FUNCTION", "LOAD", lib("Second_Lib", reg("s1") + "\n" + reg("s2")))
    for args in ((), ("WITHCODE",), ("LIBRARYNAME", "my*"), ("libraryname", "MYLIB", "withcode"),
                 ("LIBRARYNAME", "x*"), ("LIBRARYNAME", "*lib")):
        x = ours.execute("FUNCTION", "LIST", *args)
        y = theirs.execute("FUNCTION", "LIST", *args)
        assert normalized(x) == normalized(y), args
    for args in (("LIBRARYNAME",), ("foo",), ("LIBRARYNAME", "a", "LIBRARYNAME", "b"),
                 ("WITHCODE", "WITHCODE")):
        both(ours, theirs, "FUNCTION", "LIST", *args)
    both(ours, theirs, "FUNCTION", "STATS")
    both(ours, theirs, "FUNCTION", "HELP")
    for cmd in (("FUNCTION", "KILL"), ("FUNCTION", "BOGUS"), ("FUNCTION",), ("FUNCTION", "STATS", "x"),
                ("FUNCTION", "FLUSH", "foo"), ("FUNCTION", "FLUSH", "async", "bar"),
                ("FUNCTION", "DUMP", "x"), ("FUNCTION", "RESTORE", "abc"),
                ("FUNCTION", "RESTORE", "abc", "foo"), ("FUNCTION", "RESTORE", "abc", "flush", "x")):
        both(ours, theirs, *cmd)
    assert both(ours, theirs, "FUNCTION", "FLUSH", "ASYNC") == "OK"
    assert both(ours, theirs, "FUNCTION", "FLUSH", "sync") == "OK"
    both(ours, theirs, "FUNCTION", "STATS")


def test_dump_restore_between_ember_and_redis(ours, theirs):
    assert both(ours, theirs, "FUNCTION", "DUMP") is not None  # empty: version and CRC only
    assert ours.execute("FUNCTION", "DUMP") == theirs.execute("FUNCTION", "DUMP")
    assert theirs.execute("FUNCTION", "LOAD", LIB) == b"mylib"
    assert theirs.execute("FUNCTION", "LOAD", lib("two", reg("t1"))) == b"two"
    from_redis = theirs.execute("FUNCTION", "DUMP")
    assert ours.execute("FUNCTION", "RESTORE", from_redis) == "OK"
    assert normalized(ours.execute("FUNCTION", "LIST", "WITHCODE")) == \
        normalized(theirs.execute("FUNCTION", "LIST", "WITHCODE"))
    assert ours.execute("FCALL", "setget", "1", "k", "v") == b"v"
    # Policies and collisions, as Redis answers them.
    for policy in ((), ("APPEND",)):
        # Which colliding library is named follows Redis's dictionary order: compare the form.
        x = ours.execute("FUNCTION", "RESTORE", from_redis, *policy)
        y = theirs.execute("FUNCTION", "RESTORE", from_redis, *policy)
        for e in (x, y):
            assert isinstance(e, RespError) and e.message in (
                "ERR Library mylib already exists", "ERR Library two already exists"), policy
    for policy in (("REPLACE",), ("FLUSH",)):
        both(ours, theirs, "FUNCTION", "RESTORE", from_redis, *policy)
    both(ours, theirs, "FUNCTION", "FLUSH")
    both(ours, theirs, "FUNCTION", "LOAD", lib("clash", reg("t1")))
    both(ours, theirs, "FUNCTION", "RESTORE", from_redis, "REPLACE")
    both(ours, theirs, "FUNCTION", "RESTORE", from_redis[:-1] + b"x")
    both(ours, theirs, "FUNCTION", "RESTORE", b"\x00" + from_redis[-10:])  # not a function
    # And back: ember's payload restores in redis-server.
    both(ours, theirs, "FUNCTION", "FLUSH")
    assert ours.execute("FUNCTION", "LOAD", LIB) == b"mylib"
    from_ember = ours.execute("FUNCTION", "DUMP")
    assert theirs.execute("FUNCTION", "RESTORE", from_ember) == "OK"
    assert theirs.execute("FCALL", "setget", "1", "k", "v") == b"v"


@pytest.mark.ember_only("every thread's interpreter compiles the shared libraries")
def test_libraries_are_shared_by_every_connection(server, ours):
    conns = [RespClient(port=server.port, timeout=TIMEOUT) for _ in range(12)]
    try:
        assert ours.execute("FUNCTION", "LOAD", lib("shared", reg("who", "return 'v1'"))) == b"shared"
        assert all(c.execute("FCALL", "who", "0") == b"v1" for c in conns)
        assert ours.execute("FUNCTION", "LOAD", "REPLACE", lib("shared", reg("who", "return 'v2'"))) == b"shared"
        assert all(c.execute("FCALL", "who", "0") == b"v2" for c in conns)
        assert conns[3].execute("FUNCTION", "DELETE", "shared") == "OK"
        assert all(c.execute("FCALL", "who", "0") == RespError("ERR Function not found") for c in conns)
        # SCRIPT FLUSH restarts the interpreters; the libraries stay.
        assert ours.execute("FUNCTION", "LOAD", lib("shared", reg("who", "return 'v3'"))) == b"shared"
        assert conns[5].execute("SCRIPT", "FLUSH") == "OK"
        assert all(c.execute("FCALL", "who", "0") == b"v3" for c in conns)
    finally:
        for c in conns:
            c.close()


KEYS8 = ["a", "b", "c", "d", "e", "f", "g", "h"]
BANK = lib("bank", "\n".join([
    reg("transfer", "local n = tonumber(args[1]) "
                    "redis.call('decrby', keys[n % #keys + 1], 1) "
                    "redis.call('incrby', keys[(n + 3) % #keys + 1], 1) return 1"),
    "redis.register_function{function_name='total', flags={'no-writes'}, callback=function(keys) "
    "local t = 0 for _, k in ipairs(keys) do t = t + (tonumber(redis.call('get', k)) or 0) end "
    "return t end}",
    reg("spread", "local t = 0 for i = 1, 8 do "
                  "t = t + (tonumber(redis.call('get', 'acct:' .. i)) or 0) end return t"),
    reg("move", "local n = tonumber(args[1]) redis.call('decr', 'acct:' .. (n % 8 + 1)) "
                "redis.call('incr', 'acct:' .. ((n + 5) % 8 + 1)) return 1"),
]))


@pytest.mark.ember_only("atomicity of ember's multi-shard steps")
def test_functions_are_atomic_across_shards(make_server):
    srv = make_server(shards=4)
    with RespClient(port=srv.port, timeout=TIMEOUT) as c:
        assert c.execute("FUNCTION", "LOAD", BANK) == b"bank"
        c.execute("MSET", *[x for k in KEYS8 for x in (k, "100")])
        c.execute("MSET", *[x for i in range(1, 9) for x in ("acct:%d" % i, "100")])
    stop = time.monotonic() + 1.5 * harness.SLOWDOWN
    bad, errors = [], []

    def writer(seed):
        with RespClient(port=srv.port, timeout=TIMEOUT) as c:
            n = seed
            while time.monotonic() < stop:
                # Declared keys, and keys built at run time (every shard held).
                if c.execute("FCALL", "transfer", "8", *KEYS8, str(n)) != 1 or \
                        c.execute("FCALL", "move", "0", str(n)) != 1:
                    errors.append(n)
                n += 7

    def reader(kind):
        with RespClient(port=srv.port, timeout=TIMEOUT) as c:
            while time.monotonic() < stop:
                if kind == 0:
                    t = c.execute("FCALL_RO", "total", "8", *KEYS8)
                elif kind == 1:
                    t = sum(int(v) for v in c.execute("MGET", *KEYS8))
                else:
                    t = c.execute("FCALL", "spread", "0") + 0
                    t = t if t == 800 else -t
                if t != 800:
                    bad.append(t)

    threads = [threading.Thread(target=writer, args=(i,)) for i in range(4)]
    threads += [threading.Thread(target=reader, args=(k,)) for k in (0, 1, 2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == [] and bad == []


LOOPER = lib("looper", "\n".join([
    "redis.register_function{function_name='spin', flags={'no-writes'}, callback=function(keys, args) "
    "if args[1] == 'learn' then return 1 end while true do end end}",
]))


@pytest.mark.ember_only("BUSY from other threads while one runs the function")
def test_function_kill_of_a_busy_function(make_server):
    srv = make_server(shards=4)
    admin = RespClient(port=srv.port, timeout=TIMEOUT)
    others = [RespClient(port=srv.port, timeout=TIMEOUT) for _ in range(8)]
    runner = RespClient(port=srv.port, timeout=TIMEOUT)
    try:
        assert admin.execute("CONFIG", "SET", "busy-reply-threshold", "100") == "OK"
        assert admin.execute("FUNCTION", "LOAD", LOOPER) == b"looper"
        assert runner.execute("FCALL_RO", "spin", "1", "w", "learn") == 1
        runner.send_command("FCALL_RO", "spin", "1", "w", "loop")
        busy, deadline = None, time.monotonic() + 5 * harness.SLOWDOWN
        while busy is None and time.monotonic() < deadline:
            for c in others:
                c.send_command("PING")
                try:
                    reply = c.read_reply(timeout=0.3)
                except Exception:  # noqa: BLE001 - on the function's own thread
                    continue
                if isinstance(reply, RespError) and reply.message.startswith("BUSY"):
                    busy = c
                    break
        assert busy is not None, "no connection on another thread answered -BUSY"
        assert busy.execute("GET", "x") == RespError(
            "BUSY Redis is busy running a script. You can only call FUNCTION KILL or SHUTDOWN NOSAVE.")
        stats = busy.execute("FUNCTION", "STATS")
        running = dict(zip(stats[1][::2], stats[1][1::2]))
        assert running[b"name"] == b"spin"
        assert running[b"command"] == [b"FCALL_RO", b"spin", b"1", b"w", b"loop"]
        assert running[b"duration_ms"] >= 100
        assert busy.execute("SCRIPT", "KILL") == RespError(
            "BUSY Redis is busy running a script. You can only call FUNCTION KILL or SHUTDOWN NOSAVE.")
        assert busy.execute("FUNCTION", "KILL") == "OK"
        reply = runner.read_reply()
        assert isinstance(reply, RespError) and "Script killed by user" in reply.message
        assert wait_until(lambda: busy.execute("PING") == "PONG", 5)
        assert busy.execute("FUNCTION", "KILL") == RespError("NOTBUSY No scripts in execution right now.")
        assert busy.execute("FUNCTION", "STATS")[1] is None
    finally:
        for c in others + [admin, runner]:
            c.close()


def _listing(port):
    with RespClient(port=port, timeout=TIMEOUT) as c:
        return normalized(c.execute("FUNCTION", "LIST", "WITHCODE"))


@pytest.mark.ember_only("restarts of ember with its own files")
def test_functions_survive_an_rdb_restart(make_server, tmp_path):
    args = ["--data-dir", str(tmp_path)]
    srv = make_server(shards=4, extra_args=args)
    with RespClient(port=srv.port, timeout=TIMEOUT) as c:
        assert c.execute("FUNCTION", "LOAD", LIB) == b"mylib"
        assert c.execute("FUNCTION", "LOAD", lib("two", reg("t1", "return 'two'"))) == b"two"
        assert c.execute("SET", "k", "v") == "OK"
        assert c.execute("SAVE") == "OK"
    before = _listing(srv.port)
    srv.stop()
    again = make_server(shards=2, extra_args=args)
    assert _listing(again.port) == before
    with RespClient(port=again.port, timeout=TIMEOUT) as c:
        assert c.execute("FCALL_RO", "ro_get", "1", "k") == b"v"
        assert c.execute("FCALL", "t1", "0") == b"two"
        assert c.execute("BGSAVE") in ("Background saving started", b"Background saving started")
        assert wait_until(lambda: b"rdb_bgsave_in_progress:0" in c.execute("INFO", "persistence"), 10)
    again.stop()
    third = make_server(shards=1, extra_args=args)
    assert _listing(third.port) == before


@pytest.mark.ember_only("restarts of ember with its own files")
def test_functions_replay_from_the_aof(make_server, tmp_path):
    args = ["--data-dir", str(tmp_path), "--appendonly", "yes", "--appendfsync", "always"]
    srv = make_server(shards=4, extra_args=args)
    with RespClient(port=srv.port, timeout=TIMEOUT) as c:
        assert c.execute("FUNCTION", "LOAD", lib("gone", reg("g1"))) == b"gone"
        assert c.execute("FUNCTION", "FLUSH") == "OK"
        assert c.execute("FUNCTION", "LOAD", LIB) == b"mylib"
        assert c.execute("FUNCTION", "LOAD", lib("two", reg("t1"))) == b"two"
        assert c.execute("FUNCTION", "DELETE", "two") == "OK"
        assert c.execute("FUNCTION", "LOAD", "REPLACE", lib("two", reg("t2"))) == b"two"
        assert c.execute("FCALL", "setget", "1", "k", "v") == b"v"
    log = b"".join(p.read_bytes() for p in (tmp_path / "appendonlydir").glob("*.incr.aof*"))
    assert b"fcall" not in log.lower() and log.lower().count(b"$8\r\nfunction\r\n") == 6
    before = _listing(srv.port)
    srv.stop()
    again = make_server(shards=2, extra_args=args)
    assert _listing(again.port) == before
    with RespClient(port=again.port, timeout=TIMEOUT) as c:
        assert c.execute("GET", "k") == b"v"
        assert c.execute("FCALL", "t2", "0") == 1
        assert c.execute("BGREWRITEAOF") is not None
        assert wait_until(lambda: b"aof_rewrite_in_progress:0" in c.execute("INFO", "persistence"), 10)
    again.stop()
    third = make_server(shards=1, extra_args=args)
    assert _listing(third.port) == before


def _redis_with_dir(data_dir):
    return harness.ServerProcess(harness.REDIS_CONFIG, ["--dir", data_dir, "--dbfilename", "dump.rdb"]).start()


@pytest.mark.ember_only("RDB files exchanged between ember and redis-server")
def test_rdb_functions_move_between_ember_and_redis(make_server, tmp_path):
    to_ember, to_redis = tmp_path / "from_redis", tmp_path / "from_ember"
    to_ember.mkdir()
    to_redis.mkdir()
    red = _redis_with_dir(str(to_ember))
    try:
        with RespClient(port=red.port, timeout=TIMEOUT) as c:
            assert c.execute("FUNCTION", "LOAD", LIB) == b"mylib"
            assert c.execute("SET", "k", "from-redis") == "OK"
            assert c.execute("SAVE") == "OK"
        reference = _listing(red.port)
    finally:
        red.stop()
    srv = make_server(shards=4, extra_args=["--data-dir", str(to_ember)])
    assert _listing(srv.port) == reference
    with RespClient(port=srv.port, timeout=TIMEOUT) as c:
        assert c.execute("FCALL_RO", "ro_get", "1", "k") == b"from-redis"
        assert c.execute("FUNCTION", "LOAD", lib("ours", reg("o1", "return 'ember'"))) == b"ours"
        assert c.execute("SAVE") == "OK"
    ember_listing = _listing(srv.port)
    srv.stop()
    shutil.copy(to_ember / "dump.rdb", to_redis / "dump.rdb")
    red = _redis_with_dir(str(to_redis))
    try:
        assert _listing(red.port) == ember_listing
        with RespClient(port=red.port, timeout=TIMEOUT) as c:
            assert c.execute("FCALL", "o1", "0") == b"ember"
            assert c.execute("FCALL_RO", "ro_get", "1", "k") == b"from-redis"
    finally:
        red.stop()
