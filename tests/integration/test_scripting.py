"""EVAL / EVALSHA / SCRIPT: the same scripts go to ember and to a real redis-server and every
reply's bytes must match (RESP2 and RESP3): conversions both ways, errors and their messages,
pcall, the sandbox, the shebang, read-only scripts; plus generated scripts over every reply type.
redis-py's register_script works; a script's writes are journaled as one MULTI/EXEC unit."""

import random

import pytest
import redis

import harness
from helpers import DIFFERENTIAL
from resp_client import RespClient

TIMEOUT = 10.0 * harness.SLOWDOWN


def differential(test):
    for mark in DIFFERENTIAL:
        test = mark(test)
    return test


def ev(body, *keys_and_args, numkeys=0):
    return ("EVAL", body, str(numkeys)) + tuple(keys_and_args)


# Each case: commands run in order on one connection. Keys a, b, c live on different shards in
# the 4-shard configurations; scripts declare them.
CASES = {
    "returns": [ev("return {1,2,3.7,'x',nil,4}"), ev("return {ok='fine'}"), ev("return {err='bad'}"),
                ev("return {err='bad', ok='x'}"), ev("return true"), ev("return false"), ev("return nil"),
                ev("return {true,false,{1,{2}}}"), ev("return 3.99"), ev("return -3.99"),
                ev("return {1.9, -0.5, 2^53}"), ev("return {map={a=1}}"), ev("return {double=3.5}"),
                ev("return {big_number='123'}"), ev("return {set={a=true}}"),
                ev("return {1, 'a', {ok='x'}, {err='y'}, false, true}"), ev("return 'a\\0b'")],
    "helpers": [ev("return redis.error_reply('E x')"), ev("return redis.error_reply('-E x')"),
                ev("return redis.status_reply('S')"), ev("return redis.error_reply()"),
                ev("return redis.status_reply()"), ev("return redis.error_reply(1)"),
                ev("return redis.sha1hex('')"), ev("return redis.sha1hex(1)"), ev("return redis.sha1hex()"),
                ev("return redis.REDIS_VERSION"), ev("return redis.log(redis.LOG_WARNING, 'hi')"),
                ev("return redis.log(1)"), ev("return redis.log(99, 'x')"),
                ev("return {redis.LOG_DEBUG,redis.LOG_VERBOSE,redis.LOG_NOTICE,redis.LOG_WARNING}"),
                ev("return {redis.REPL_ALL, redis.REPL_NONE, redis.REPL_AOF, redis.REPL_REPLICA, redis.REPL_SLAVE}"),
                ev("return redis.set_repl(redis.REPL_ALL)"), ev("return redis.set_repl(99)"),
                ev("return redis.set_repl()"), ev("return redis.setresp()"), ev("redis.setresp(4)"),
                ev("return redis.breakpoint"), ev("return type(redis.debug)")],
    "calls": [ev("redis.call('set',KEYS[1],'v'); return redis.call('get',KEYS[1])", "a", numkeys=1),
              ev("return redis.call('get','nokey')"), ev("return type(redis.call('get','nokey'))"),
              ev("return redis.call('hgetall','nokey')"),
              ev("redis.call('rpush',KEYS[1],'a','b'); return redis.call('lrange',KEYS[1],0,-1)", "b", numkeys=1),
              ev("return redis.call('ping')"), ev("return type(redis.call('ping'))"),
              ev("return redis.call('ping')['ok']"), ev("return redis.call('ping', 'x')"),
              ev("return redis.call('echo', 1.5)"), ev("return redis.call('echo', 0.1)"),
              ev("return redis.call('echo', 1e20)"), ev("return redis.call('echo', 3)"),
              ev("return redis.call('echo', -0.0)"), ev("return redis.call('echo', 1/3)"),
              ev("return redis.call('set', KEYS[1], 1.5)", "c", numkeys=1),
              ev("return {KEYS[1], ARGV[1], #KEYS, #ARGV}", "k1", "a1", numkeys=1),
              ev("return redis.call('select', 2)"),
              ev("redis.call('select', 3); redis.call('set', KEYS[1], 'in3'); return redis.call('get', KEYS[1])",
                 "a", numkeys=1),
              ("GET", "a"),
              ev("redis.call('zadd', KEYS[1], 1, 'm', 2.5, 'n'); return redis.call('zrange', KEYS[1], 0, -1, 'withscores')",
                 "z", numkeys=1),
              ev("redis.call('hset', KEYS[1], 'f', 'v'); return redis.call('hgetall', KEYS[1])", "h", numkeys=1)],
    "errors": [ev("return x"), ev("x=1"), ev("error('boom')"), ev("error({err='MY thing'})"),
               ev("return redis.call('nosuch')"), ev("return redis.call('get')"), ev("return redis.pcall('nosuch')"),
               ev("return redis.call('set','a','b','c')"),
               ev("redis.call('rpush',KEYS[1],'x'); return redis.pcall('incr',KEYS[1])", "l", numkeys=1),
               ev("return redis.pcall('incr',KEYS[1])['err']", "l", numkeys=1),
               ev("return redis.call('incr',KEYS[1])", "l", numkeys=1),
               ev("local ok, e = pcall(redis.call, 'incr', KEYS[1]); return e", "l", numkeys=1),
               ev("local ok, e = pcall(redis.call, 'incr', KEYS[1]); return type(e)", "l", numkeys=1),
               ev("local ok, e = pcall(redis.call, 'nosuch'); return e"),
               ev("local ok, e = pcall(redis.call, 'nosuch'); error(e)"),
               ev("local a = 1\nlocal b = redis.call('incr', KEYS[1])\nreturn b", "l", numkeys=1),
               ev("\n\nerror('WRONGTYPE x')"), ev("return 'x' .. nil"), ev("return ("),
               ev("local function f() return f() + 1 end return f()"),
               ev("return redis.call('get', KEYS[1])"), ev("return redis.call('set','a', nil)"),
               ev("return redis.call('set', {}, 'x')"), ev("return redis.call()"), ev("return redis.pcall()"),
               ev("return redis.pcall('set','a')"), ev("return redis.call('subscribe', 'x')"),
               ev("return redis.call('multi')"), ev("return redis.call('blpop', 'zz', 0)"),
               ev("return redis.call('eval', 'return 1', 0)"), ev("return redis.pcall('subscribe','a')"),
               ev("return 1", numkeys=-1), ev("return 1", "a", numkeys=5), ("EVAL", "return 1", "x"),
               ev("return math.random(0)"), ev("return math.random(1,2,3)"), ("EVAL", "return 1")],
    "sandbox": [ev("return type(rawget(_G, '%s'))" % name) for name in (
        "print", "loadstring", "os", "io", "require", "dofile", "loadfile", "getfenv", "setfenv",
        "unpack", "module", "newproxy", "gcinfo", "collectgarbage", "rawset", "setmetatable",
        "coroutine", "debug", "string", "table", "math", "select", "pcall", "xpcall", "redis",
        "load", "tostring", "tonumber")] + [
        ev("redis.x = 1"), ev("string.x = 1"), ev("KEYS = 1"), ev("_G.x = 1"), ev("return _G.KEYS[1]", "z", numkeys=1),
        ev("return loadstring('return 1')()"), ev("return tostring(loadstring('x y'))"),
        ev("return {pcall(error, 'x')}"), ev("return {pcall(error, {err='x'})}"),
        ev("return string.rep('x', 3)"), ev("return #KEYS")],
    "read_only": [("EVAL_RO", "return redis.call('set', KEYS[1], 'v')", "1", "a"),
                  ("EVAL_RO", "return redis.pcall('set', KEYS[1], 'v')", "1", "a"),
                  ("EVAL_RO", "return redis.call('get', KEYS[1])", "1", "a"),
                  ev("#!lua flags=no-writes\nreturn redis.call('set', KEYS[1], 'v')", "a", numkeys=1),
                  ev("#!lua flags=no-writes\nreturn redis.call('get', KEYS[1])", "a", numkeys=1),
                  ev("#!lua\nreturn 1"), ev("#!lua\nreturn x"), ev("#!lua\n\nerror('x')"),
                  ev("#!lua flags=bogus\nreturn 1"), ev("#!lua name=foo\nreturn 1"), ev("#!luax\nreturn 1"),
                  ev("#!lua flags=allow-oom,no-writes,allow-stale,no-cluster,allow-cross-slot-keys\nreturn 1"),
                  ev("#!lua flags=\nreturn 1"), ev("#!lua flags=no-writes")],
    "script_cache": [("SCRIPT", "LOAD", "return 1"),
                     ("EVALSHA", "e0e1f9fabfc9d4800c877a703b823ac0578ff8db", "0"),
                     ("EVALSHA", "E0E1F9FABFC9D4800C877A703B823AC0578FF8DB", "0"),
                     ("EVALSHA_RO", "e0e1f9fabfc9d4800c877a703b823ac0578ff8db", "0"),
                     ("SCRIPT", "EXISTS", "e0e1f9fabfc9d4800c877a703b823ac0578ff8db", "ffffffffffffffffffffffffffffffffffffffff"),
                     ("EVALSHA", "ffffffffffffffffffffffffffffffffffffffff", "0"), ("EVALSHA", "abc", "0"),
                     ("SCRIPT", "LOAD", "return ("), ("SCRIPT", "EXISTS"), ("SCRIPT", "LOAD"),
                     ("SCRIPT", "FLUSH", "bad"), ("SCRIPT", "FLUSH", "sync", "x"), ("SCRIPT", "KILL"),
                     ("SCRIPT", "HELP"), ("SCRIPT", "NOSUCH"), ("SCRIPT", "FLUSH", "ASYNC"),
                     ("EVALSHA", "e0e1f9fabfc9d4800c877a703b823ac0578ff8db", "0"), ("SCRIPT", "FLUSH"),
                     ev("return 2"), ("SCRIPT", "EXISTS", "7f923f79fe76194c868d7e1d0820de36700eb649")],
    "resp3": [ev("redis.setresp(3); return redis.call('hgetall','nokey')"),
              ev("redis.call('hset', KEYS[1], 'f', 'v'); redis.setresp(3); return redis.call('hgetall', KEYS[1])", "h", numkeys=1),
              ev("redis.setresp(3); local t = redis.call('hgetall', KEYS[1]); return t.map.f", "h", numkeys=1),
              ev("redis.setresp(3); return redis.call('get', 'nokey')"),
              ev("redis.setresp(3); return type(redis.call('get', 'nokey'))"),
              ev("redis.call('sadd', KEYS[1], 'm'); redis.setresp(3); return redis.call('smembers', KEYS[1])", "s", numkeys=1),
              ev("redis.setresp(3); return redis.call('smembers', KEYS[1]).set.m", "s", numkeys=1),
              ev("redis.call('zadd', KEYS[1], 1.5, 'm'); redis.setresp(3); return redis.call('zscore', KEYS[1], 'm')", "z", numkeys=1),
              ev("redis.setresp(3); return redis.call('zscore', KEYS[1], 'm').double", "z", numkeys=1),
              ev("redis.setresp(3); return true"), ev("redis.setresp(3); return false"),
              ev("redis.setresp(3); return {map={x=1}}"), ev("redis.setresp(3); return {set={x=true}}"),
              ev("redis.setresp(3); return {double=1.25}"), ev("redis.setresp(3); return {big_number='99'}"),
              ev("return {map={x={1,2}}}"), ev("return {set={x=true}}"), ev("return {double=0.5}")],
}


def _run(port, commands, resp3):
    with RespClient(port=port, timeout=TIMEOUT) as c:
        if resp3:
            c.execute("HELLO", "3")
        return [(command, c.execute_raw(*command)) for command in commands]


def _compare(server, redis_ref, commands, resp3):
    for port in (redis_ref.port, server.port):
        with RespClient(port=port, timeout=TIMEOUT) as c:
            c.execute("FLUSHALL")
            c.execute("SCRIPT", "FLUSH")
    expected = _run(redis_ref.port, commands, resp3)
    got = _run(server.port, commands, resp3)
    for (command, want), (_, have) in zip(expected, got):
        assert have == want, "%r: redis %r, ember %r" % (command, want, have)


@differential
@pytest.mark.parametrize("resp3", [False, True], ids=["resp2", "resp3"])
@pytest.mark.parametrize("name", sorted(CASES))
def test_same_replies_as_redis(server, redis_ref, name, resp3):
    _compare(server, redis_ref, CASES[name], resp3)


# Generated scripts: a random mix of data commands whose replies cover every reply type, each
# returned as it is, through pcall, through a table, and round-tripped by type.
GEN_COMMANDS = [
    "redis.call('set', KEYS[1], ARGV[1])", "redis.call('get', KEYS[1])", "redis.call('incr', KEYS[2])",
    "redis.call('del', KEYS[1])", "redis.call('rpush', KEYS[3], ARGV[1], ARGV[2])",
    "redis.call('lrange', KEYS[3], 0, -1)", "redis.call('hset', KEYS[2], 'f', ARGV[1])",
    "redis.pcall('hgetall', KEYS[2])", "redis.pcall('incr', KEYS[3])", "redis.call('exists', KEYS[1], KEYS[2])",
    "redis.call('type', KEYS[3])", "redis.pcall('lpop', KEYS[1])", "redis.call('ping')",
    "redis.call('zadd', KEYS[1] .. 'z', 1, ARGV[1])", "redis.call('zrange', KEYS[1] .. 'z', 0, -1, 'withscores')",
    "redis.call('zscore', KEYS[1] .. 'z', ARGV[1])", "redis.call('smembers', 'nokey')",
    "redis.call('getdel', KEYS[1])", "redis.pcall('nosuchcommand')", "redis.call('mget', KEYS[1], KEYS[2])",
]
WRAPPERS = ["return %s", "return {%s}", "local v = %s; return type(v)", "return {pcall(function() return %s end)}",
            "local v = %s; if type(v) == 'table' then return v else return {v} end"]


def _generated(seed, count=12):
    rng = random.Random(seed)
    commands = []
    for _ in range(count):
        body = "; ".join("local _ = " + rng.choice(GEN_COMMANDS) for _ in range(rng.randint(0, 3)))
        body += ("\n" if body else "") + rng.choice(WRAPPERS) % rng.choice(GEN_COMMANDS)
        if rng.random() < 0.5:
            body = "redis.setresp(3)\n" + body
        commands.append(ev(body, "{t}a", "{t}b", "{t}c", rng.choice(["x", "1", "2.5"]), "y", numkeys=3))
    return commands


@differential
@pytest.mark.parametrize("resp3", [False, True], ids=["resp2", "resp3"])
@pytest.mark.parametrize("seed", range(4))
def test_generated_scripts_same_as_redis(server, redis_ref, seed, resp3):
    _compare(server, redis_ref, _generated(seed), resp3)


def test_redis_py_register_script(r):
    incr_by = r.register_script("return redis.call('incrby', KEYS[1], ARGV[1])")
    assert incr_by(keys=["counter"], args=[5]) == 5
    r.script_flush()
    assert incr_by(keys=["counter"], args=[2]) == 7  # NOSCRIPT, then redis-py loads it again
    pipe = r.pipeline()
    incr_by(keys=["counter"], args=[1], client=pipe)
    incr_by(keys=["counter"], args=[1], client=pipe)
    assert pipe.execute() == [8, 9]


def test_script_load_works_on_every_thread(server):
    # SCRIPT LOAD on one connection, EVALSHA on many (they land on different threads).
    with RespClient(port=server.port, timeout=TIMEOUT) as c:
        sha = c.execute("SCRIPT", "LOAD", "return ARGV[1] .. '!'")
    for i in range(8):
        with RespClient(port=server.port, timeout=TIMEOUT) as c:
            assert c.execute("EVALSHA", sha, "0", str(i)) == b"%d!" % i


def test_script_is_atomic_across_shards_and_undeclared_keys_work(server):
    # Keys a..h spread over the shards; one script declares them all, another touches
    # undeclared ones (it runs again with every shard held).
    keys = [c for c in "abcdefgh"]
    with RespClient(port=server.port, timeout=TIMEOUT) as c:
        assert c.execute("EVAL", "for i, k in ipairs(KEYS) do redis.call('set', k, i) end return #KEYS",
                         str(len(keys)), *keys) == 8
        assert c.execute("MGET", *keys) == [b"%d" % (i + 1) for i in range(8)]
        undeclared = "local n = 0 for _, k in ipairs(ARGV) do n = n + redis.call('get', k) end return n"
        assert c.execute("EVAL", undeclared, "0", *keys) == 36
        assert c.execute("EVAL", undeclared, "0", *keys) == 36  # now known: all shards at once
        assert c.execute("EVAL", "redis.call('set', 'u1', 'x'); return redis.call('get', 'u2')", "0") is None
        assert c.execute("GET", "u1") == b"x"


def test_memory_bombs_get_an_error_and_the_server_lives(r):
    with pytest.raises(redis.ResponseError, match="memory"):
        r.eval("local t = {} for i = 1, 1e8 do t[i] = {} end return #t", 0)
    with pytest.raises(redis.ResponseError, match="memory"):
        r.eval("local t = {} for i = 1, 1e9 do t[i] = i end return #t", 0)
    with pytest.raises(redis.ResponseError, match="memory"):
        r.eval("local s = 'x' while true do s = s .. s end", 0)
    with pytest.raises(redis.ResponseError, match="memory"):  # a pcall cannot swallow it
        r.eval("local t = {} while true do pcall(function() for i = 1, 1e6 do t[#t + 1] = {} end end) end", 0)
    with pytest.raises(redis.ResponseError, match="stack overflow"):
        r.eval("local function f() return f() + 1 end return f()", 0)
    assert r.eval("return 1", 0) == 1
