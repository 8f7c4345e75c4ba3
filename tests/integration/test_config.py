"""CONFIG GET / SET as Redis 7 answers them: the old ziplist names as aliases, the parameters
client test suites set during setup (save, appendonly, notify-keyspace-events ...), Redis's
validation and error texts, all-or-nothing multi-pair SET, and GET of several patterns."""

import contextlib

import pytest

from helpers import SYNTAX, err


def _get(raw, *patterns):
    reply = raw.execute("CONFIG", "GET", *patterns)
    assert isinstance(reply, list) and len(reply) % 2 == 0, reply
    pairs = [(reply[i].decode(), reply[i + 1].decode()) for i in range(0, len(reply), 2)]
    return pairs


def _value(raw, name):
    pairs = dict(_get(raw, name))
    assert name in pairs, (name, pairs)
    return pairs[name]


def _failed(arg, why):
    return err("ERR CONFIG SET failed (possibly related to argument '%s') - %s" % (arg, why))


@contextlib.contextmanager
def restored(raw, *names):
    """Puts the named parameters back as they were (the server is shared between tests)."""
    saved = [(name, _value(raw, name)) for name in names]
    try:
        yield
    finally:
        for name, value in saved:
            assert raw.execute("CONFIG", "SET", name, value) == "OK", name


ALIASES = {
    "hash-max-ziplist-entries": "hash-max-listpack-entries",
    "hash-max-ziplist-value": "hash-max-listpack-value",
    "zset-max-ziplist-entries": "zset-max-listpack-entries",
    "zset-max-ziplist-value": "zset-max-listpack-value",
    "list-max-ziplist-size": "list-max-listpack-size",
    "lua-time-limit": "busy-reply-threshold",
}


def test_alias_names_read_and_write_the_same_parameter(raw):
    for alias, name in ALIASES.items():
        # The alias is answered under the name asked for, as Redis 7.0 does.
        assert _get(raw, alias) == [(alias, _value(raw, name))], alias
    assert set(dict(_get(raw, "*ziplist*"))) == {a for a in ALIASES if "ziplist" in a}
    both = dict(_get(raw, "hash-max-ziplist-entries", "hash-max-listpack-entries"))
    assert set(both) == {"hash-max-ziplist-entries", "hash-max-listpack-entries"}
    with restored(raw, *ALIASES.values()):
        for i, (alias, name) in enumerate(ALIASES.items()):
            value = str(100 + i)
            assert raw.execute("CONFIG", "SET", alias, value) == "OK", alias
            assert _value(raw, name) == value
            assert _value(raw, alias) == value
        # An alias and its name are two spellings, not a duplicate.
        assert raw.execute("CONFIG", "SET", "hash-max-ziplist-entries", "7",
                           "hash-max-listpack-entries", "8") == "OK"
        assert _value(raw, "hash-max-ziplist-entries") == "8"
    assert raw.execute("CONFIG", "SET", "hash-max-ziplist-value", "-1") == \
        _failed("hash-max-ziplist-value", "argument must be a memory value")


def test_set_intset_entries(raw):
    with restored(raw, "set-max-intset-entries"):
        assert raw.execute("CONFIG", "SET", "set-max-intset-entries", "100") == "OK"
        assert _get(raw, "set-max-intset-entries") == [("set-max-intset-entries", "100")]
        assert raw.execute("CONFIG", "SET", "set-max-intset-entries", "-1") == _failed(
            "set-max-intset-entries", "argument must be between 0 and 9223372036854775807 inclusive")


@pytest.mark.ember_only("set-max-listpack-* are Redis 7.2's names; 7.0 has no listpack sets")
def test_set_listpack_parameters(raw):
    with restored(raw, "set-max-listpack-entries", "set-max-listpack-value",
                  "hash-max-listpack-value", "zset-max-listpack-value"):
        assert raw.execute("CONFIG", "SET", "set-max-listpack-entries", "5",
                           "set-max-listpack-value", "10") == "OK"
        assert dict(_get(raw, "set-max-listpack-*")) == {"set-max-listpack-entries": "5",
                                                         "set-max-listpack-value": "10"}
        # The *-value limits are memory values, as in Redis (hash-, zset- and set- alike).
        for name in ("set-max-listpack-value", "hash-max-listpack-value", "zset-max-listpack-value"):
            assert raw.execute("CONFIG", "SET", name, "1kb") == "OK", name
            assert _value(raw, name) == "1024"


def test_get_of_several_patterns_answers_each_match_once(raw):
    pairs = _get(raw, "maxmemory", "maxmemory*", "MAXMEMORY", "timeout", "nosuch",
                 "hash-max-ziplist-entries", "*-ziplist-entries", "busy-reply-threshold", "lua-*")
    names = [name for name, _ in pairs]
    assert len(names) == len(set(names)), names
    assert "hash-max-listpack-entries" not in names  # only the spelling a pattern matched
    assert set(names) >= {"maxmemory", "maxmemory-policy", "maxmemory-samples", "timeout",
                          "hash-max-ziplist-entries", "zset-max-ziplist-entries",
                          "busy-reply-threshold", "lua-time-limit"}


def test_list_compress_depth(raw):
    assert _value(raw, "list-compress-depth") == "0"
    with restored(raw, "list-compress-depth"):
        assert raw.execute("CONFIG", "SET", "list-compress-depth", "2") == "OK"
        assert _value(raw, "list-compress-depth") == "2"
        assert raw.execute("CONFIG", "SET", "list-compress-depth", "-1") == _failed(
            "list-compress-depth", "argument must be between 0 and 2147483647 inclusive")
        assert raw.execute("CONFIG", "SET", "list-compress-depth", "abc") == _failed(
            "list-compress-depth", "argument couldn't be parsed into an integer")
        assert _value(raw, "list-compress-depth") == "2"


def test_save_points(raw):
    with restored(raw, "save"):
        assert raw.execute("CONFIG", "SET", "save", "") == "OK"
        assert _value(raw, "save") == ""
        assert raw.execute("CONFIG", "SET", "save", "3600 1 300 100") == "OK"
        assert _value(raw, "save") == "3600 1 300 100"
        assert raw.execute("CONFIG", "SET", "save", "03600 01 +5 0") == "OK"
        assert _value(raw, "save") == "3600 1 5 0"  # stored normalised
        for bad in ("3600", "3600 1 300", "a b", "3600a 1", "-1 5", "0 5", "3600 -1",
                    " ", "1 1 ", "  3600   1  "):
            assert raw.execute("CONFIG", "SET", "save", bad) == \
                _failed("save", "Invalid save parameters"), bad
        assert _value(raw, "save") == "3600 1 5 0"
        assert raw.execute("CONFIG", "SET", "save", "3600", "1") == SYNTAX  # an odd count


def test_appendonly_and_appendfsync(raw):
    assert _value(raw, "appendonly") == "no"
    assert raw.execute("CONFIG", "SET", "appendonly", "no") == "OK"
    assert raw.execute("CONFIG", "SET", "appendonly", "maybe") == \
        _failed("appendonly", "argument must be 'yes' or 'no'")
    assert _value(raw, "appendfsync") == "everysec"
    with restored(raw, "appendfsync"):
        assert raw.execute("CONFIG", "SET", "appendfsync", "always") == "OK"
        assert _value(raw, "appendfsync") == "always"
        assert raw.execute("CONFIG", "SET", "appendfsync", "never") == _failed(
            "appendfsync", "argument(s) must be one of the following: everysec, always, no")


def test_lua_time_limit_is_busy_reply_threshold(raw):
    assert _value(raw, "lua-time-limit") == "5000"
    with restored(raw, "busy-reply-threshold"):
        assert raw.execute("CONFIG", "SET", "lua-time-limit", "100") == "OK"
        assert dict(_get(raw, "busy*")) == {"busy-reply-threshold": "100"}
        assert raw.execute("CONFIG", "SET", "lua-time-limit", "-5") == _failed(
            "lua-time-limit", "argument must be between 0 and 9223372036854775807 inclusive")


def test_notify_keyspace_events(raw):
    assert _value(raw, "notify-keyspace-events") == ""
    with restored(raw, "notify-keyspace-events"):
        for given, canonical in (("KEA", "AKE"), ("Kzx", "zxK"), ("An", "A"), ("gnmKE", "gnKEm"),
                                 ("g$lshzxetd", "A"), ("x", "x"), ("", "")):
            assert raw.execute("CONFIG", "SET", "notify-keyspace-events", given) == "OK", given
            assert _value(raw, "notify-keyspace-events") == canonical, given
        assert raw.execute("CONFIG", "SET", "notify-keyspace-events", "KQ") == _failed(
            "notify-keyspace-events", "Invalid event class character. Use 'Ag$lshzxeKEtmdn'.")


def test_duplicate_unknown_and_immutable_parameters(raw):
    assert raw.execute("CONFIG", "SET", "maxmemory", "1", "MAXMEMORY", "2") == \
        _failed("MAXMEMORY", "duplicate parameter")
    assert raw.execute("CONFIG", "SET", "maxmemory", "abc", "maxmemory", "5") == \
        _failed("maxmemory", "duplicate parameter")  # names are checked before values
    assert raw.execute("CONFIG", "SET", "a", "1", "a", "1") == \
        err("ERR Unknown option or number of arguments for CONFIG SET - 'a'")
    for name, value in (("daemonize", "yes"), ("DAEMONIZE", "no"), ("databases", "5"),
                        ("io-threads", "2"), ("cluster-enabled", "no"), ("logfile", "x"),
                        ("pidfile", "x"), ("supervised", "no"), ("unixsocket", "x")):
        assert raw.execute("CONFIG", "SET", name, value) == \
            _failed(name, "can't set immutable config"), name
    for name in ("dir", "dbfilename"):
        assert raw.execute("CONFIG", "SET", name, "x") == _failed(name, "can't set protected config")
    assert raw.execute("CONFIG", "SET", "HZ", "abc") == \
        _failed("hz", "argument couldn't be parsed into an integer")
    assert raw.execute("CONFIG", "SET", "maxmemory", "1", "hz") == SYNTAX
    assert _value(raw, "maxmemory") == "0"


def test_port_is_mutable(server, raw):
    assert raw.execute("CONFIG", "SET", "port", str(server.port)) == "OK"
    assert raw.execute("CONFIG", "SET", "port", "70000") == \
        _failed("port", "argument must be between 0 and 65535 inclusive")


def test_set_of_several_pairs_is_all_or_nothing(raw):
    with restored(raw, "hz", "maxmemory", "timeout"):
        assert raw.execute("CONFIG", "SET", "timeout", "7", "maxmemory", "10mb", "hz", "abc") == \
            _failed("hz", "argument couldn't be parsed into an integer")
        assert raw.execute("CONFIG", "SET", "hz", "20", "daemonize", "yes") == \
            _failed("daemonize", "can't set immutable config")
        assert raw.execute("CONFIG", "SET", "hz", "20", "nosuch", "1") == \
            err("ERR Unknown option or number of arguments for CONFIG SET - 'nosuch'")
        assert dict(_get(raw, "timeout", "maxmemory", "hz")) == \
            {"timeout": "0", "maxmemory": "0", "hz": "10"}
        assert raw.execute("CONFIG", "SET", "timeout", "7", "maxmemory", "10mb", "hz", "20") == "OK"
        assert dict(_get(raw, "timeout", "maxmemory", "hz")) == \
            {"timeout": "7", "maxmemory": "10485760", "hz": "20"}


def test_parameters_client_libraries_read_during_setup(server, raw):
    wanted = ["maxmemory", "databases", "appendonly", "save", "timeout", "port", "bind", "dir",
              "dbfilename", "maxclients", "hz", "notify-keyspace-events", "slowlog-log-slower-than",
              "slowlog-max-len", "lua-time-limit", "cluster-enabled", "protected-mode",
              "latency-tracking", "latency-tracking-info-percentiles", "maxmemory-policy"]
    got = dict(_get(raw, *wanted))
    assert set(got) == set(wanted), set(wanted) - set(got)
    assert got["databases"] == "16" and got["cluster-enabled"] == "no"
    assert got["appendonly"] == "no" and got["port"] == str(server.port)
    assert got["timeout"] == "0" and got["hz"] == "10" and got["maxmemory"] == "0"
    assert got["dbfilename"] == "dump.rdb" and got["dir"].startswith("/")
    assert "127.0.0.1" in got["bind"].split()
    assert int(got["maxclients"]) > 0 and int(got["slowlog-max-len"]) >= 0
    assert got["latency-tracking"] == "yes"
    assert got["latency-tracking-info-percentiles"] == "50 99 99.9"
    assert got["maxmemory-policy"] == "noeviction" and got["lua-time-limit"] == "5000"


def test_latency_tracking_parameters(raw):
    with restored(raw, "latency-tracking", "latency-tracking-info-percentiles"):
        name = "latency-tracking-info-percentiles"
        assert raw.execute("CONFIG", "SET", name, "99.9 50 0.5") == "OK"
        assert _value(raw, name) == "99.9 50 0.5"
        assert raw.execute("CONFIG", "SET", name, "50.0 99.90 100 0") == "OK"
        assert _value(raw, name) == "50 99.9 100 0"
        assert raw.execute("CONFIG", "SET", name, "") == "OK"
        assert _value(raw, name) == ""
        assert raw.execute("CONFIG", "SET", name, "50 101") == \
            _failed(name, "latency-tracking-info-percentiles parameters should sit between [0.0,100.0]")
        assert raw.execute("CONFIG", "SET", name, "abc") == \
            _failed(name, "Invalid latency-tracking-info-percentiles parameters")
        assert raw.execute("CONFIG", "SET", "latency-tracking", "no") == "OK"
        assert _value(raw, "latency-tracking") == "no"
        assert raw.execute("CONFIG", "SET", "latency-tracking", "maybe") == \
            _failed("latency-tracking", "argument must be 'yes' or 'no'")
