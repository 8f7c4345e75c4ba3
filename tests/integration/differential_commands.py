"""Random command sequences for the differential test (test_differential.py): value pools with
common and rare (edge-case) values, one generator per command shape, and the seed's sequence."""

import random
import time

# ---------------------------------------------------------------------------------------------
# Value pools: (common, rare). Rare values are edge cases: overflow, non-numbers, binary.

KEYS = ["{t}a", "{t}b", "{t}c", "{t}d", "k1", "k2", "k3", "k4"]
VALUES = (["", "0", "1", "-1", "7", "42", "abc", "hello", "1.5", "10"],
          ["9223372036854775807", "-9223372036854775808", "9223372036854775806", "-13",
           "18446744073709551616", "-2.5", "0.1", "1e3", "3.0", "inf", "-inf", "nan", "01", " 1",
           "1 ", "+5", "0x10", "5.", ".5", "1e400", "hello world", b"\x00\xff\r\n", b"\xc3\xa9",
           "v" * 80, "-1e308", "1e-400", "5e-324"])
INTS = (["0", "1", "-1", "2", "3", "5", "-3", "10"],
        ["100", "-100", "9223372036854775807", "-9223372036854775808", "9223372036854775808",
         "-9223372036854775809", "abc", "1.5", "", " 2", "2 ", "+2", "007", "1e2"])
FLOATS = (["0", "1", "1.5", "-2.5", "0.1", "3", "10", "-1"],
          ["1e3", "1e308", "-1e308", "inf", "-inf", "+inf", "nan", "abc", "-0", "0.25", "1e-5",
           "", "5e-324", "1.1", "17", " 1", "0x1p3", "1e", "2.2250738585072014e-308"])
INDICES = (["0", "1", "2", "-1", "-2", "3"],
           ["-3", "5", "10", "100", "-100", "9223372036854775807", "-9223372036854775808", "x",
            "1.0", ""])
MEMBERS = (["a", "b", "c", "d", "e", "1", "2", "10"],
           ["aa", "-1", "", "\x00", "B", "1.5", "inf", "zz", b"\xff", "m" * 70, "12345678901"])
SCORES = (["0", "1", "2", "1.5", "-1", "3", "10", "-2.5"],
          ["inf", "-inf", "+inf", "nan", "1e3", "0.1", "abc", "", "1e308", "-0", "5e-324", "(1"])
SCORE_BOUNDS = (["-inf", "+inf", "0", "1", "2", "(1", "(2", "1.5", "-1", "3"],
                ["inf", "(inf", "(-inf", "abc", "((1", "(", "nan", "10", "(0", " 1"])
LEX_BOUNDS = (["-", "+", "[a", "[b", "(a", "(c", "[c", "(b"],
              ["a", "[", "(", "[aa", "(zz", "[10", "", "+a", "-a"])


class Gen:
    """Random arguments for one seed. Expiry values grow with the command index so that two
    EXPIRE ... GT/LT never compare equal deadlines set a few microseconds apart (whose outcome
    depends on the millisecond each server saw)."""

    def __init__(self, seed):
        self.rng = random.Random(seed)
        self.index = 0
        self.base = int(time.time())
        self.home = KEYS  # the current burst's favourite keys (see _sequence)

    def pick(self, pool, rare=0.15):
        common, rare_values = pool
        return self.rng.choice(rare_values if self.rng.random() < rare else common)

    def key(self):
        return self.rng.choice(self.home if self.rng.random() < 0.85 else KEYS)

    def keys(self, lo=1, hi=3):
        return [self.key() for _ in range(self.rng.randint(lo, hi))]

    def val(self):
        return self.pick(VALUES)

    def int_(self):
        return self.pick(INTS)

    def flt(self):
        return self.pick(FLOATS)

    def idx(self):
        return self.pick(INDICES)

    def mem(self):
        return self.pick(MEMBERS, rare=0.1)

    def mems(self, lo=1, hi=4):
        return [self.mem() for _ in range(self.rng.randint(lo, hi))]

    def score(self):
        return self.pick(SCORES)

    def chance(self, p):
        return self.rng.random() < p

    def secs(self):
        """A relative expiry in seconds: mostly far future, sometimes <= 0 (deletes) or bad."""
        r = self.rng.random()
        if r < 0.1:
            return self.rng.choice(["0", "-1", "-100"])
        if r < 0.17:
            return self.rng.choice(["abc", "1.5", "9223372036854775807", "-9223372036854775808",
                                    "9223372036854775", ""])
        return str(self.rng.choice([1000, 5000, 50000]) + self.index)

    def msecs(self):
        r = self.rng.random()
        if r < 0.1:
            return self.rng.choice(["0", "-1", "-5000"])
        if r < 0.15:
            return self.rng.choice(["abc", "9223372036854775807", "-9223372036854775808"])
        return str((self.rng.choice([1000, 5000, 50000]) + self.index) * 1000)

    def at_secs(self):
        r = self.rng.random()
        if r < 0.1:
            return self.rng.choice(["1", "0", "-1"])  # in the past: deletes
        if r < 0.15:
            return self.rng.choice(["abc", "9223372036854775807"])
        return str(self.base + self.rng.choice([2000, 20000, 200000]) + self.index)

    def at_msecs(self):
        r = self.rng.random()
        if r < 0.1:
            return self.rng.choice(["1", "0"])
        if r < 0.15:
            return self.rng.choice(["abc", "9223372036854775807"])
        return str((self.base + self.rng.choice([2000, 20000, 200000]) + self.index) * 1000)

    def rand_count(self):
        """A count for SRANDMEMBER/HRANDFIELD/ZRANDMEMBER (never a huge negative one: that
        asks for that many picks)."""
        return self.rng.choice(["0", "1", "3", "-3", "20", "x", "9223372036854775807",
                                "-9223372036854775808", "4611686018427387904", "-0"])

    def expire_flags(self):
        r = self.rng.random()
        if r < 0.55:
            return []
        if r < 0.97:
            return [self.rng.choice(["NX", "XX", "GT", "LT", "nx", "gt"])]
        return self.rng.sample(["NX", "XX", "GT", "LT", "FOO", b"F\x00O"], 2)  # conflicts, junk


def _set(g):
    args = ["SET", g.key(), g.val()]
    opts = []
    if g.chance(0.3):
        opts.append(g.rng.choice(["NX", "XX"]))
    if g.chance(0.25):
        opts.append("GET")
    r = g.rng.random()
    if r < 0.15:
        opts += ["EX", g.secs()]
    elif r < 0.25:
        opts += ["PX", g.msecs()]
    elif r < 0.3:
        opts += [g.rng.choice(["EXAT", "PXAT"]), g.at_secs() if g.chance(0.5) else g.at_msecs()]
    elif r < 0.4:
        opts.append("KEEPTTL")
    if g.chance(0.05):  # conflicts and junk
        opts.append(g.rng.choice(["NX", "XX", "EX", "KEEPTTL", "PX", "FOO", "GET"]))
    if g.chance(0.2):
        g.rng.shuffle(opts)  # options in any order (may split EX from its value: an error)
    return args + opts


def _getex(g):
    args = ["GETEX", g.key()]
    r = g.rng.random()
    if r < 0.25:
        args += ["EX", g.secs()]
    elif r < 0.4:
        args += ["PX", g.msecs()]
    elif r < 0.5:
        args += ["EXAT", g.at_secs()]
    elif r < 0.6:
        args.append("PERSIST")
    elif r < 0.65:
        args += g.rng.choice([["EX"], ["PERSIST", "EX", "100"], ["FOO"], ["EX", "100", "PX", "5"]])
    return args


def _expire(g):
    cmd, arg = g.rng.choice([("EXPIRE", g.secs), ("PEXPIRE", g.msecs), ("EXPIREAT", g.at_secs),
                             ("PEXPIREAT", g.at_msecs)])
    return [cmd, g.key(), arg()] + g.expire_flags()


def _lpos(g):
    args = ["LPOS", g.key(), g.mem()]
    for _ in range(g.rng.randint(0, 3)):
        opt = g.rng.choice(["RANK", "COUNT", "MAXLEN"])
        value = g.rng.choice(["1", "2", "-1", "-2", "0", "3", "10", "abc",
                              "-9223372036854775808"])
        args += [opt, value]
    if g.chance(0.03):
        args.append(g.rng.choice(["RANK", "FOO"]))
    return args


def _zadd(g):
    args = ["ZADD", g.key()]
    for flag in ("NX", "XX", "GT", "LT", "CH", "INCR"):
        if g.chance(0.12):
            args.append(flag)
    n = 1 if "INCR" in args and g.chance(0.8) else g.rng.randint(1, 3)
    for _ in range(n):
        args += [g.score(), g.mem()]
    if g.chance(0.03):
        args.append(g.score())  # odd number of score/member arguments
    return args


def _zrange(g):
    by = g.rng.choice([None, None, "BYSCORE", "BYLEX"])
    if by == "BYSCORE":
        lo, hi = g.pick(SCORE_BOUNDS), g.pick(SCORE_BOUNDS)
    elif by == "BYLEX":
        lo, hi = g.pick(LEX_BOUNDS), g.pick(LEX_BOUNDS)
    else:
        lo, hi = g.idx(), g.idx()
    rev = g.chance(0.3)
    if rev and g.chance(0.7):
        lo, hi = hi, lo
    args = ["ZRANGE", g.key(), lo, hi] + ([by] if by else []) + (["REV"] if rev else [])
    if g.chance(0.3):
        args += ["LIMIT", g.rng.choice(["0", "1", "-1", "2"]),
                 g.rng.choice(["1", "2", "-1", "0", "x"])]
    if g.chance(0.4):
        args.append("WITHSCORES")
    if g.chance(0.03):
        args.append("FOO")
    return args


def _zrange_old_form(g, name, bounds, with_scores):
    """ZRANGEBYSCORE/ZRANGEBYLEX and their REV forms; ZRANGE's own options are errors there."""
    rev = g.chance(0.3)
    args = [name.replace("ZRANGE", "ZREVRANGE") if rev else name, g.key(), g.pick(bounds),
            g.pick(bounds)]
    if with_scores and g.chance(0.4):
        args.append("WITHSCORES")
    if g.chance(0.3):
        args += ["LIMIT", g.rng.choice(["0", "1", "-1"]), g.rng.choice(["1", "2", "-1", "0"])]
    if g.chance(0.05):
        foreign = ["REV", "BYSCORE", "BYLEX"] + ([] if with_scores else ["WITHSCORES"])
        args.append(g.rng.choice(foreign))
    return args


def _zrangebyscore(g):
    return _zrange_old_form(g, "ZRANGEBYSCORE", SCORE_BOUNDS, with_scores=True)


def _zrangebylex(g):
    return _zrange_old_form(g, "ZRANGEBYLEX", LEX_BOUNDS, with_scores=False)


def _zstore(g):
    cmd = g.rng.choice(["ZUNIONSTORE", "ZINTERSTORE", "ZDIFFSTORE"])
    keys = g.keys(1, 3)
    numkeys = str(len(keys)) if g.chance(0.93) else g.rng.choice(["0", "-1", "5", "x"])
    args = [cmd, g.key(), numkeys] + keys
    if cmd != "ZDIFFSTORE":
        if g.chance(0.4):
            args += ["WEIGHTS"] + [g.rng.choice(["1", "2", "0", "-1", "1.5", "inf", "x"])
                                   for _ in range(len(keys) if g.chance(0.9) else len(keys) + 1)]
        if g.chance(0.4):
            args += ["AGGREGATE", g.rng.choice(["SUM", "MIN", "MAX", "max", "AVG"])]
    return args


def _zalgebra(g):
    cmd = g.rng.choice(["ZUNION", "ZINTER", "ZDIFF"])
    keys = g.keys(1, 3)
    args = [cmd, str(len(keys))] + keys
    if cmd != "ZDIFF" and g.chance(0.3):
        args += ["WEIGHTS"] + [g.rng.choice(["1", "2", "0.5"]) for _ in keys]
    if cmd != "ZDIFF" and g.chance(0.3):
        args += ["AGGREGATE", g.rng.choice(["SUM", "MIN", "MAX"])]
    if g.chance(0.4):
        args.append("WITHSCORES")
    return args


def _zrangestore(g):
    args = ["ZRANGESTORE", g.key(), g.key()]
    by = g.rng.choice([None, "BYSCORE", "BYLEX"])
    if by == "BYSCORE":
        args += [g.pick(SCORE_BOUNDS), g.pick(SCORE_BOUNDS), by]
    elif by == "BYLEX":
        args += [g.pick(LEX_BOUNDS), g.pick(LEX_BOUNDS), by]
    else:
        args += [g.idx(), g.idx()]
    if g.chance(0.2):
        args.append("REV")
    return args


# (name, weight, generator): families of commands, picked in bursts (see _sequence).
STRING_CMDS = [
    ("SET", 6, _set),
    ("GET", 4, lambda g: ["GET", g.key()]),
    ("GETSET", 1, lambda g: ["GETSET", g.key(), g.val()]),
    ("GETDEL", 1, lambda g: ["GETDEL", g.key()]),
    ("GETEX", 2, _getex),
    ("APPEND", 2, lambda g: ["APPEND", g.key(), g.val()]),
    ("STRLEN", 1, lambda g: ["STRLEN", g.key()]),
    ("GETRANGE", 2, lambda g: ["GETRANGE", g.key(), g.idx(), g.idx()]),
    ("SETRANGE", 2, lambda g: ["SETRANGE", g.key(),
                               g.rng.choice(["0", "1", "3", "10", "-1", "x", "536870912"]),
                               g.val()]),
    ("INCR", 2, lambda g: [g.rng.choice(["INCR", "DECR"]), g.key()]),
    ("INCRBY", 3, lambda g: [g.rng.choice(["INCRBY", "DECRBY"]), g.key(), g.int_()]),
    ("INCRBYFLOAT", 3, lambda g: ["INCRBYFLOAT", g.key(), g.flt()]),
    ("MSET", 1, lambda g: ["MSET"] + [x for k in g.keys(1, 3) for x in (k, g.val())]
                          + (["odd"] if g.chance(0.05) else [])),
    ("MSETNX", 1, lambda g: ["MSETNX"] + [x for k in g.keys(1, 3) for x in (k, g.val())]),
    ("MGET", 2, lambda g: ["MGET"] + g.keys(1, 4)),
    ("SUBSTR", 1, lambda g: ["SUBSTR", g.key(), g.idx(), g.idx()]),
    ("SETNX", 1, lambda g: ["SETNX", g.key(), g.val()]),
    ("SETEX", 1, lambda g: [g.rng.choice(["SETEX", "PSETEX"]), g.key(), g.secs(), g.val()]),
]
KEY_CMDS = [
    ("DEL", 3, lambda g: [g.rng.choice(["DEL", "UNLINK"])] + g.keys(1, 3)),
    ("EXISTS", 2, lambda g: ["EXISTS"] + g.keys(1, 3)),
    ("TYPE", 2, lambda g: ["TYPE", g.key()]),
    ("RENAME", 2, lambda g: [g.rng.choice(["RENAME", "RENAMENX"]), g.key(), g.key()]),
    ("COPY", 2, lambda g: ["COPY", g.key(), g.key()] + (["REPLACE"] if g.chance(0.4) else [])
                          + (g.rng.choice([["DB", "0"], ["DB", "1"], ["FOO"], ["DB", "x"],
                                           ["DB", "16"], ["DB", "-1"]]) if g.chance(0.1)
                             else [])),
    ("SWAPDB", 0.3, lambda g: ["SWAPDB", g.rng.choice(["0", "1", "x"]),
                               g.rng.choice(["1", "0", "16"])]),
    ("FLUSHDB", 0.2, lambda g: ["FLUSHDB"] + g.rng.choice([[], ["ASYNC"], ["SYNC"], ["FOO"]])),
    ("UNKNOWN", 0.3, lambda g: [g.rng.choice(["SETT", "zadd2", "Hgett", "LPUSHH"]), g.key()]
                               + g.mems(0, 2)),
    ("SELECT", 1, lambda g: ["SELECT", g.rng.choice(["0", "0", "0", "1", "15", "16", "-1", "x"])]),
    ("PERSIST", 2, lambda g: ["PERSIST", g.key()]),
    ("EXPIRE", 6, _expire),
    ("TTL", 4, lambda g: [g.rng.choice(["TTL", "PTTL"]), g.key()]),
    ("EXPIRETIME", 1, lambda g: [g.rng.choice(["EXPIRETIME", "PEXPIRETIME"]), g.key()]),
    ("TOUCH", 1, lambda g: ["TOUCH"] + g.keys(1, 3)),
    ("DBSIZE", 1, lambda g: ["DBSIZE"]),
    ("KEYS", 1, lambda g: ["KEYS", g.rng.choice(["*", "{t}*", "k?", "*[ab]*", "nomatch", "k[1-3]",
                                                 "[^k]*", "\\{t\\}?", "*[", "k[!2]", "?"])]),
]
LIST_CMDS = [
    ("PUSH", 6, lambda g: [g.rng.choice(["LPUSH", "RPUSH"]), g.key()] + g.mems(1, 4)),
    ("PUSHX", 1, lambda g: [g.rng.choice(["LPUSHX", "RPUSHX"]), g.key()] + g.mems(1, 2)),
    ("POP", 3, lambda g: [g.rng.choice(["LPOP", "RPOP"]), g.key()]
                         + ([g.rng.choice(["0", "1", "2", "5", "-1", "x"])]
                            if g.chance(0.4) else [])),
    ("LRANGE", 4, lambda g: ["LRANGE", g.key(), g.idx(), g.idx()]),
    ("LINDEX", 2, lambda g: ["LINDEX", g.key(), g.idx()]),
    ("LSET", 2, lambda g: ["LSET", g.key(), g.idx(), g.mem()]),
    ("LINSERT", 2, lambda g: ["LINSERT", g.key(), g.rng.choice(["BEFORE", "AFTER", "after", "X"]),
                              g.mem(), g.mem()]),
    ("LREM", 2, lambda g: ["LREM", g.key(), g.rng.choice(["0", "1", "-1", "2", "-2", "x"]),
                           g.mem()]),
    ("LTRIM", 2, lambda g: ["LTRIM", g.key(), g.idx(), g.idx()]),
    ("LLEN", 2, lambda g: ["LLEN", g.key()]),
    ("LPOS", 3, _lpos),
    ("LMOVE", 2, lambda g: ["LMOVE", g.key(), g.key(), g.rng.choice(["LEFT", "RIGHT", "UP"]),
                            g.rng.choice(["LEFT", "RIGHT", "right"])]),
    ("RPOPLPUSH", 1, lambda g: ["RPOPLPUSH", g.key(), g.key()]),
    ("BULKPUSH", 1, lambda g: ["RPUSH", g.key()]
                              + [g.mem() for _ in range(g.rng.choice([20, 70]))]),
    ("LMPOP", 1, lambda g: (lambda ks: ["LMPOP", str(len(ks))] + ks
                            + [g.rng.choice(["LEFT", "RIGHT", "MIDDLE"])]
                            + (["COUNT", g.rng.choice(["1", "2", "5", "0", "-1"])]
                               if g.chance(0.5) else []))(g.keys(1, 3))),
]
HASH_CMDS = [
    ("HSET", 6, lambda g: ["HSET", g.key()] + [x for f in g.mems(1, 3) for x in (f, g.val())]
                          + (["odd"] if g.chance(0.04) else [])),
    ("HMSET", 1, lambda g: ["HMSET", g.key()] + [x for f in g.mems(1, 2) for x in (f, g.val())]),
    ("HGET", 3, lambda g: ["HGET", g.key(), g.mem()]),
    ("HMGET", 2, lambda g: ["HMGET", g.key()] + g.mems(1, 3)),
    ("HDEL", 2, lambda g: ["HDEL", g.key()] + g.mems(1, 3)),
    ("HLEN", 1, lambda g: ["HLEN", g.key()]),
    ("HEXISTS", 1, lambda g: ["HEXISTS", g.key(), g.mem()]),
    ("HINCRBY", 3, lambda g: ["HINCRBY", g.key(), g.mem(), g.int_()]),
    ("HINCRBYFLOAT", 3, lambda g: ["HINCRBYFLOAT", g.key(), g.mem(), g.flt()]),
    ("HSETNX", 1, lambda g: ["HSETNX", g.key(), g.mem(), g.val()]),
    ("HSTRLEN", 1, lambda g: ["HSTRLEN", g.key(), g.mem()]),
    ("HKEYS", 1, lambda g: ["HKEYS", g.key()]),
    ("HVALS", 1, lambda g: ["HVALS", g.key()]),
    ("HGETALL", 2, lambda g: ["HGETALL", g.key()]),
    ("HRANDFIELD", 1, lambda g: ["HRANDFIELD", g.key()]
                                + ([g.rand_count()]
                                   + (["WITHVALUES"] if g.chance(0.5) else [])
                                   if g.chance(0.7) else [])),
    ("BULKHSET", 1, lambda g: ["HSET", g.key()] + [x for i in range(g.rng.choice([20, 140]))
                                                   for x in ("f%d" % i, g.val())]),
]
SET_CMDS = [
    ("SADD", 6, lambda g: ["SADD", g.key()] + g.mems(1, 4)),
    ("SREM", 2, lambda g: ["SREM", g.key()] + g.mems(1, 3)),
    ("SISMEMBER", 2, lambda g: ["SISMEMBER", g.key(), g.mem()]),
    ("SMISMEMBER", 1, lambda g: ["SMISMEMBER", g.key()] + g.mems(1, 3)),
    ("SCARD", 1, lambda g: ["SCARD", g.key()]),
    ("SMEMBERS", 2, lambda g: ["SMEMBERS", g.key()]),
    ("SALGEBRA", 3, lambda g: [g.rng.choice(["SINTER", "SUNION", "SDIFF"])] + g.keys(1, 3)),
    ("SSTORE", 2, lambda g: [g.rng.choice(["SINTERSTORE", "SUNIONSTORE", "SDIFFSTORE"])]
                            + g.keys(2, 4)),
    ("SMOVE", 2, lambda g: ["SMOVE", g.key(), g.key(), g.mem()]),
    ("SRANDMEMBER", 1, lambda g: ["SRANDMEMBER", g.key()]
                                 + ([g.rand_count()]
                                    if g.chance(0.7) else [])),
    ("BULKSADD", 1, lambda g: ["SADD", g.key()] + [str(g.rng.randint(-50, 600))
                                                   for _ in range(g.rng.choice([20, 140]))]),
    ("SINTERCARD", 1, lambda g: (lambda ks: ["SINTERCARD", str(len(ks)) if g.chance(0.93) else
                                             g.rng.choice(["0", "-1", "9", "x"])] + ks
                                 + (["LIMIT", g.rng.choice(["0", "1", "2", "-1", "x"])]
                                    if g.chance(0.4) else []))(g.keys(1, 3))),
]
ZSET_CMDS = [
    ("ZADD", 8, _zadd),
    ("ZSCORE", 2, lambda g: ["ZSCORE", g.key(), g.mem()]),
    ("ZMSCORE", 1, lambda g: ["ZMSCORE", g.key()] + g.mems(1, 3)),
    ("ZINCRBY", 3, lambda g: ["ZINCRBY", g.key(), g.score(), g.mem()]),
    ("ZRANGE", 5, _zrange),
    ("ZRANGEBYSCORE", 3, _zrangebyscore),
    ("ZRANGEBYLEX", 2, _zrangebylex),
    ("ZREVRANGE", 1, lambda g: ["ZREVRANGE", g.key(), g.idx(), g.idx()]
                               + (["WITHSCORES"] if g.chance(0.4) else [])),
    ("ZRANK", 2, lambda g: [g.rng.choice(["ZRANK", "ZREVRANK"]), g.key(), g.mem()]),
    ("ZREM", 2, lambda g: ["ZREM", g.key()] + g.mems(1, 3)),
    ("ZCARD", 1, lambda g: ["ZCARD", g.key()]),
    ("ZCOUNT", 2, lambda g: ["ZCOUNT", g.key(), g.pick(SCORE_BOUNDS), g.pick(SCORE_BOUNDS)]),
    ("ZLEXCOUNT", 1, lambda g: ["ZLEXCOUNT", g.key(), g.pick(LEX_BOUNDS), g.pick(LEX_BOUNDS)]),
    ("ZPOP", 2, lambda g: [g.rng.choice(["ZPOPMIN", "ZPOPMAX"]), g.key()]
                          + ([g.rng.choice(["0", "1", "2", "10", "-1", "x"])] if g.chance(0.4)
                             else [])),
    ("ZSTORE", 2, _zstore),
    ("ZALGEBRA", 1, _zalgebra),
    ("ZRANGESTORE", 1, _zrangestore),
    ("ZREMRANGE", 1, lambda g: g.rng.choice([
        ["ZREMRANGEBYRANK", g.key(), g.idx(), g.idx()],
        ["ZREMRANGEBYSCORE", g.key(), g.pick(SCORE_BOUNDS), g.pick(SCORE_BOUNDS)],
        ["ZREMRANGEBYLEX", g.key(), g.pick(LEX_BOUNDS), g.pick(LEX_BOUNDS)]])),
    ("ZINTERCARD", 1, lambda g: (lambda ks: ["ZINTERCARD", str(len(ks))] + ks
                                 + (["LIMIT", g.rng.choice(["0", "1", "-1"])]
                                    if g.chance(0.3) else []))(g.keys(1, 3))),
    ("ZMPOP", 1, lambda g: (lambda ks: ["ZMPOP", str(len(ks))] + ks
                            + [g.rng.choice(["MIN", "MAX", "min", "MID"])]
                            + (["COUNT", g.rng.choice(["1", "2", "5", "0", "-1"])]
                               if g.chance(0.5) else []))(g.keys(1, 3))),
    ("ZRANDMEMBER", 1, lambda g: ["ZRANDMEMBER", g.key()]
                                 + ([g.rand_count()]
                                    + (["WITHSCORES"] if g.chance(0.5) else [])
                                    if g.chance(0.7) else [])),
    ("BULKZADD", 1, lambda g: ["ZADD", g.key()] + [x for i in range(g.rng.choice([20, 140]))
                                                   for x in (str(g.rng.randint(-5, 5)),
                                                             "m%d" % g.rng.randint(0, 200))]),
]
FAMILIES = [STRING_CMDS, KEY_CMDS, LIST_CMDS, HASH_CMDS, SET_CMDS, ZSET_CMDS]
ALL_CMDS = [c for family in FAMILIES for c in family]


def _mangle_arity(g, args):
    """Drops or adds trailing arguments, for arity and syntax errors."""
    if g.chance(0.5) and len(args) > 1:
        return args[:g.rng.randint(1, len(args) - 1)]
    return args + [g.rng.choice(["extra", "1", "NX", "WITHSCORES", b"x\x00y"])]


def sequence(seed, count):
    """The seed's commands: bursts of one family (so keys build up values of matching types),
    with other families' commands mixed in (wrong types on purpose)."""
    g = Gen(seed)
    out = []
    family = None
    while len(out) < count:
        if family is None or g.chance(0.06):
            # A new burst: a family, three favourite keys (one or two share the {t} tag), and
            # often a clean start for them (fewer WRONGTYPE replies than type-checked work).
            family = g.rng.choice(FAMILIES)
            g.home = g.rng.sample(KEYS[:4], 2) + g.rng.sample(KEYS[4:], 1)
            if g.chance(0.7):
                out.append(["DEL"] + g.home)
                continue
        pool = family if g.chance(0.85) else ALL_CMDS
        _, _, make = g.rng.choices(pool, weights=[w for _, w, _ in pool])[0]
        g.index = len(out)
        args = make(g)
        if g.chance(0.03):
            args = _mangle_arity(g, args)
        if g.chance(0.05):
            args[0] = g.rng.choice([args[0].lower(), args[0].capitalize()])
        out.append(args)
    return out
