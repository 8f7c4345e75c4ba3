"""COMMAND against redis-server's own answers: for every command ember has, COMMAND INFO's
name, arity, flags, key range and ACL categories, COMMAND DOCS's since and group, COMMAND
GETKEYS / GETKEYSANDFLAGS, COMMAND LIST with subcommands and filters. Against redis-server
itself (EMBER_TEST_TARGET=redis) the reference is a second redis-server, so these check the
test."""

import pytest

from helpers import arity, err
from resp_client import RespClient

# ember accepts Redis 7.2's ZRANK/ZREVRANK ... WITHSCORE, so its arity is Redis 7.2's (-3).
ARITY_7_2 = {"zrank", "zrevrank"}


@pytest.fixture
def ref(redis_ref):
    c = RespClient(port=redis_ref.port)
    yield c
    c.close()


def _text(value):
    return value.decode() if isinstance(value, bytes) else value


def _info_fields(entry):
    name, arity_, flags, first, last, step, acl = entry[:7]
    return {"name": _text(name), "arity": arity_, "flags": sorted(_text(f) for f in flags),
            "keys": (first, last, step), "acl": sorted(_text(a) for a in acl)}


def _all_names(c):
    return [_text(n) for n in c.execute("COMMAND", "LIST")]


def test_command_info_matches_redis_for_every_command(raw, ref):
    names = _all_names(raw)
    assert "get" in names and "config|get" in names and "client|list" in names
    compared = 0
    for name in names:
        theirs = ref.execute("COMMAND", "INFO", name)[0]
        if theirs is None:
            continue  # newer than Redis 7.0 (CLIENT NO-TOUCH ...)
        ours = raw.execute("COMMAND", "INFO", name)[0]
        assert ours is not None, name
        ours, theirs = _info_fields(ours), _info_fields(theirs)
        if name in ARITY_7_2:
            ours["arity"] = theirs["arity"]
        assert ours == theirs, name
        compared += 1
    assert compared > 150


def test_subcommands_are_nested_in_their_parent(raw, ref):
    for parent in ("client", "config", "command", "object", "memory"):
        ours = raw.execute("COMMAND", "INFO", parent)[0]
        theirs = ref.execute("COMMAND", "INFO", parent)[0]
        our_subs = {_text(s[0]) for s in ours[9]}
        their_subs = {_text(s[0]) for s in theirs[9]}
        assert our_subs and our_subs - {"client|setinfo", "client|no-touch"} <= their_subs, parent
        for sub in ours[9]:
            assert sub == raw.execute("COMMAND", "INFO", _text(sub[0]))[0]


def test_command_docs_since_and_group_match_redis(raw, ref):
    for name in _all_names(raw):
        theirs = ref.execute("COMMAND", "DOCS", name)
        if not theirs:
            continue
        ours = raw.execute("COMMAND", "DOCS", name)
        doc, their_doc = ours[1], theirs[1]
        doc = dict(zip(doc[::2], doc[1::2]))
        their_doc = dict(zip(their_doc[::2], their_doc[1::2]))
        assert _text(ours[0]) == name
        assert doc[b"since"] == their_doc[b"since"], name
        assert doc[b"group"] == their_doc[b"group"], name
        assert doc[b"summary"], name


def test_command_docs_nests_subcommands(raw):
    name, doc = raw.execute("COMMAND", "DOCS", "config")
    doc = dict(zip(doc[::2], doc[1::2]))
    subs = doc[b"subcommands"]
    assert b"config|get" in subs[::2]


@pytest.mark.parametrize("command", ["get", "incr", "zunionstore", "lmpop", "blpop", "rename",
                                     "config|get", "sintercard", "lcs", "move"])
def test_command_info_bytes_match_redis(connect, ref, command):
    for protocol in ("2", "3"):
        ours = connect()
        ours.execute("HELLO", protocol)
        ref.execute("HELLO", protocol)
        assert ours.execute_raw("COMMAND", "INFO", command) == \
            ref.execute_raw("COMMAND", "INFO", command), protocol


GETKEYS_CALLS = [
    ("get", "k"), ("set", "k", "v"), ("set", "k", "v", "get"), ("set", "k", "v", "nx", "get"), ("mset", "a", "1", "b", "2"), ("del", "a", "b"),
    ("rename", "a", "b"), ("copy", "a", "b"), ("lmove", "a", "b", "left", "right"),
    ("blpop", "a", "b", "0"), ("lmpop", "2", "a", "b", "left"), ("zunionstore", "d", "2", "a", "b"),
    ("zunion", "2", "a", "b"), ("sinterstore", "d", "a", "b"), ("smove", "a", "b", "m"),
    ("zrangestore", "d", "s", "0", "1"), ("bzmpop", "0", "2", "a", "b", "min"),
    ("sort", "abc", "store", "def"), ("sort", "abc", "by", "w_*", "get", "#", "limit", "0", "1"),
    ("sort", "abc", "limit", "0", "1", "store", "x", "store", "y"), ("sort_ro", "abc"),
    ("getdel", "k"), ("append", "k", "v"), ("expire", "k", "1"), ("hset", "h", "f", "v"),
    ("lpush", "l", "v"), ("sadd", "s", "m"), ("zadd", "z", "1", "m"), ("incr", "k"),
    ("object", "encoding", "k"), ("memory", "usage", "k"), ("lcs", "a", "b"), ("move", "k", "1"),
]


@pytest.mark.parametrize("call", GETKEYS_CALLS, ids=lambda c: "-".join(c))
def test_getkeys_and_flags_match_redis(raw, ref, call):
    assert raw.execute("COMMAND", "GETKEYS", *call) == ref.execute("COMMAND", "GETKEYS", *call)
    assert raw.execute("COMMAND", "GETKEYSANDFLAGS", *call) == \
        ref.execute("COMMAND", "GETKEYSANDFLAGS", *call)


def test_getkeys_errors(raw):
    assert raw.execute("COMMAND", "GETKEYSANDFLAGS", "nosuch", "a") == err("ERR Invalid command specified")
    assert raw.execute("COMMAND", "GETKEYSANDFLAGS", "ping", "x") == \
        err("ERR The command has no key arguments")
    assert raw.execute("COMMAND", "GETKEYSANDFLAGS", "get") == arity("command|getkeysandflags")


def test_command_list_filters(raw):
    names = _all_names(raw)
    count = raw.execute("COMMAND", "COUNT")
    assert count == len([n for n in names if "|" not in n])
    sortedset = _all_names_filtered(raw, "ACLCAT", "sortedset")
    assert "zadd" in sortedset and "bzpopmin" in sortedset and "get" not in sortedset
    dangerous = _all_names_filtered(raw, "ACLCAT", "dangerous")
    assert {"keys", "flushall", "config|set", "client|kill"} <= set(dangerous)
    assert "get" not in dangerous
    assert sorted(_all_names_filtered(raw, "PATTERN", "config|*")) == \
        ["config|get", "config|help", "config|resetstat", "config|rewrite", "config|set"]
    assert _all_names_filtered(raw, "MODULE", "nosuch") == []
    assert raw.execute("COMMAND", "LIST", "FILTERBY", "NOPE", "x") == err("ERR syntax error")


def _all_names_filtered(c, kind, value):
    return [_text(n) for n in c.execute("COMMAND", "LIST", "FILTERBY", kind, value)]


def test_subcommand_arity_comes_from_the_table(raw):
    assert raw.execute("OBJECT", "ENCODING") == arity("object|encoding")
    assert raw.execute("MEMORY", "USAGE") == arity("memory|usage")
    assert raw.execute("CONFIG", "RESETSTAT", "x") == arity("config|resetstat")
    assert raw.execute("CLIENT", "ID", "x") == arity("client|id")
    assert raw.execute("COMMAND", "COUNT", "x") == arity("command|count")
