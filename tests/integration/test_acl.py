"""ACL as Redis 7: the same ACL SETUSER rules on ember and on redis-server, then the same commands
run as that user on both must get the same replies (NOPERM texts included), the same ACL LOG
entries and the same ACL DRYRUN answers. Then rule errors, AUTH / HELLO AUTH, users changed or
deleted under a connected client, requirepass, MULTI and scripts, RESP3 shapes, and --aclfile
with ACL SAVE / LOAD."""

import os

import pytest

import harness
from helpers import wait_until
from resp_client import RespClient, RespError

TIMEOUT = 10.0 * harness.SLOWDOWN


def decode(value):
    if isinstance(value, bytes):
        return value.decode()
    if isinstance(value, list):
        return [decode(v) for v in value]
    if isinstance(value, dict):
        return {decode(k): decode(v) for k, v in value.items()}
    return value


class Client(RespClient):
    """Replies with text as str (ACL's replies are all text)."""

    def execute(self, *args):
        return decode(super().execute(*args))


def clean(c):
    for name in c.execute("ACL", "USERS"):
        if name != "default":
            c.execute("ACL", "DELUSER", name)
    assert c.execute("ACL", "SETUSER", "default", "reset", "on", "nopass", "~*", "&*", "+@all") == "OK"
    c.execute("ACL", "LOG", "RESET")


@pytest.fixture
def ours(server):
    c = Client(port=server.port, timeout=TIMEOUT)
    clean(c)
    yield c
    clean(c)
    c.close()


@pytest.fixture
def theirs(redis_ref):
    c = Client(port=redis_ref.port, timeout=TIMEOUT)
    clean(c)
    c.execute("FLUSHALL")
    yield c
    clean(c)
    c.close()


def as_user(port, user, password="pw"):
    c = Client(port=port, timeout=TIMEOUT)
    assert c.execute("AUTH", user, password) == "OK"
    return c


def log_fields(entries):
    """ACL LOG entries without the fields that differ by nature (age, the client's line)."""
    out = []
    for e in entries:
        e = dict(zip(e[::2], e[1::2])) if isinstance(e, list) else dict(e)
        out.append((e["count"], e["reason"], e["context"], e["object"], e["username"]))
    return out


def run_both(ours, theirs, server, redis_ref, rules, commands):
    """Creates user u with `rules` on both servers, runs `commands` as u on each and asserts the
    replies, the ACL LOG and DRYRUN's answers are the same."""
    for c in (ours, theirs):
        assert c.execute("ACL", "SETUSER", "u", "on", ">pw", *rules) == "OK"
        c.execute("ACL", "LOG", "RESET")
    mine, ref = as_user(server.port, "u"), as_user(redis_ref.port, "u")
    try:
        for cmd in commands:
            got, want = mine.execute(*cmd), ref.execute(*cmd)
            assert got == want, "%r with rules %r" % (cmd, rules)
            assert ours.execute("ACL", "DRYRUN", "u", *cmd) == theirs.execute(
                "ACL", "DRYRUN", "u", *cmd), cmd
    finally:
        mine.close()
        ref.close()
    assert log_fields(ours.execute("ACL", "LOG")) == log_fields(theirs.execute("ACL", "LOG"))


KEY_COMMANDS = [
    ("GET", "foo1"), ("GET", "bar1"), ("GET", "w1"), ("GET", "other"),
    ("SET", "w1", "x"), ("SET", "bar1", "x"), ("SET", "foo1", "v"), ("SET", "w2", "x", "GET"),
    ("EXISTS", "w1"), ("TYPE", "w1"), ("TTL", "w1"), ("EXPIRE", "w1", "100"), ("DEL", "bar1"),
    ("COPY", "bar1", "w3"), ("COPY", "w1", "bar2"), ("LMOVE", "bar1", "w1", "LEFT", "LEFT"),
    ("LPUSH", "w4", "a"), ("INCR", "w5"), ("MSET", "foo2", "1", "w6", "2"), ("MGET", "foo1", "w1"),
    ("RENAME", "w1", "w7"), ("HSET", "foo3", "f", "v"), ("HDEL", "foo3", "f"), ("SORT", "bar1"),
    ("SORT", "bar1", "STORE", "w8"), ("CONFIG", "GET", "maxmemory"), ("CONFIG", "SET", "hz", "10"),
    ("PING",), ("ACL", "WHOAMI"), ("SELECT", "0"), ("SELECT", "1"),
]


@pytest.mark.parametrize("rules", [
    ["~foo*", "%R~bar*", "%W~w*", "+@all"],
    ["allkeys", "-@all", "+get", "+set", "+@hash", "-hdel", "+config|get", "+select|0"],
    ["~*", "+@all", "-@dangerous", "+sort"],
    ["~foo*", "-@all", "+@read", "(~w* +@write)", "(%R~bar* +@list)"],
    ["%RW~*", "+@string", "+@keyspace", "-del", "+acl|whoami"],
    ["resetkeys", "+@all"],
], ids=["key-permissions", "commands-and-first-args", "categories", "selectors", "rw-star", "no-keys"])
def test_same_replies_log_and_dryrun_as_redis(ours, theirs, server, redis_ref, rules):
    for c in (ours, theirs):
        c.execute("SET", "bar1", "v")
        c.execute("SET", "w1", "v")
    run_both(ours, theirs, server, redis_ref, rules, KEY_COMMANDS)


CHANNEL_COMMANDS = [
    ("PUBLISH", "chan1", "m"), ("PUBLISH", "other", "m"), ("SPUBLISH", "chan2", "m"),
    ("SPUBLISH", "zz", "m"), ("PUBSUB", "NUMSUB", "zz"),
]


@pytest.mark.parametrize("rules", [["+@all", "&chan*"], ["+@all", "resetchannels"],
                                   ["+@all", "allchannels"]])
def test_channel_permissions_as_redis(ours, theirs, server, redis_ref, rules):
    run_both(ours, theirs, server, redis_ref, rules, CHANNEL_COMMANDS)
    for c in (ours, theirs):
        for cmd in (("SUBSCRIBE", "chan1", "x"), ("PSUBSCRIBE", "chan*"), ("PSUBSCRIBE", "chan1*"),
                    ("SSUBSCRIBE", "chan3"), ("UNSUBSCRIBE", "nothing")):
            assert ours.execute("ACL", "DRYRUN", "u", *cmd) == theirs.execute(
                "ACL", "DRYRUN", "u", *cmd), (rules, cmd)


def test_subscribe_refused_by_channel_rules(ours, server):
    ours.execute("ACL", "SETUSER", "u", "on", ">pw", "+@all", "resetchannels", "&news.*")
    c = as_user(server.port, "u")
    try:
        assert c.execute("SUBSCRIBE", "sports") == RespError(
            "NOPERM this user has no permissions to access one of the channels used as arguments")
        assert c.execute("SUBSCRIBE", "news.a")[0] == "subscribe"
    finally:
        c.close()


BAD_RULES = [["+bogus"], ["garbage"], ["+@nope"], ["#abc"], ["%X~a"], ["%~a"], ["%RR~a"], ["(+get"],
             ["+config|bogus"], ["-select|0"], ["+acl|setuser|x"], ["+get|x|y"], ["<nope"],
             ["!" + "b" * 64], ["(on)"], ["~*", "~a"], ["allkeys", "%R~a"], ["&*", "&a"],
             ["resetpass>x"], ["on", "+get", "+nope"]]


@pytest.mark.parametrize("rules", BAD_RULES, ids=[" ".join(r) for r in BAD_RULES])
def test_setuser_errors_as_redis(ours, theirs, rules):
    assert ours.execute("ACL", "SETUSER", "e", *rules) == theirs.execute("ACL", "SETUSER", "e", *rules)
    # All or nothing: a refused SETUSER creates no user.
    assert ours.execute("ACL", "GETUSER", "e") is None


def test_user_descriptions_as_redis(ours, theirs):
    cases = [
        ["on", ">p1", ">p2", "<p1", "~a", "~b", "~a", "%R~a", "%RW~c", "%W~d", "&x", "resetchannels",
         "&y", "-@all", "+get", "(+set ~z)", "(~q &ch -@all)"],
        ["on", "nopass", "allkeys", "allchannels", "allcommands"],
        ["reset"],
        [],
        ["skip-sanitize-payload", "~", "&", ">", "()"],
    ]
    for rules in cases:
        for c in (ours, theirs):
            c.execute("ACL", "DELUSER", "d")
            assert c.execute("ACL", "SETUSER", "d", *rules) == "OK"
        mine, ref = ours.execute("ACL", "GETUSER", "d"), theirs.execute("ACL", "GETUSER", "d")
        assert mine == ref, rules
        line = [l for l in ours.execute("ACL", "LIST") if l.startswith("user d ")]
        ref_line = [l for l in theirs.execute("ACL", "LIST") if l.startswith("user d ")]
        assert line == ref_line, rules


def test_described_rules_rebuild_the_same_permissions(ours, theirs):
    """ember keeps the command rules as given (Redis 7.2 does too; 7.0 rewrites them): whatever the
    text, applying it again must give the same permissions, on ember and on redis-server."""
    rules = ["+@all", "-@dangerous", "+flushdb", "-@write", "+set", "-config|set", "+select|0"]
    probes = [("FLUSHDB",), ("KEYS", "*"), ("SET", "k", "v"), ("DEL", "k"), ("GET", "k"),
              ("CONFIG", "SET", "hz", "5"), ("CONFIG", "GET", "hz"), ("SELECT", "0"), ("SELECT", "2"),
              ("DEBUG", "SLEEP", "0"), ("INFO",), ("LPUSH", "l", "a")]
    ours.execute("ACL", "SETUSER", "a", *rules)
    theirs.execute("ACL", "SETUSER", "a", *rules)
    commands = ours.execute("ACL", "GETUSER", "a")[5]
    ours.execute("ACL", "SETUSER", "b", "reset", *commands.split())
    for probe in probes:
        want = theirs.execute("ACL", "DRYRUN", "a", *probe)
        assert ours.execute("ACL", "DRYRUN", "a", *probe) == want, probe
        assert ours.execute("ACL", "DRYRUN", "b", *probe) == want, probe


def test_acl_subcommand_errors_and_replies_as_redis(ours, theirs):
    calls = [("ACL", "DRYRUN", "nobody", "get", "x"), ("ACL", "DRYRUN", "default", "nocmd"),
             ("ACL", "DRYRUN", "default", "get"), ("ACL", "DRYRUN", "default", "get", "x"),
             ("ACL", "GETUSER", "nobody"), ("ACL", "DELUSER", "default"), ("ACL", "DELUSER", "nobody"),
             ("ACL", "GENPASS", "0"), ("ACL", "GENPASS", "5000"), ("ACL", "GENPASS", "x"),
             ("ACL", "SAVE"), ("ACL", "LOAD"), ("ACL", "CAT", "nope"), ("ACL", "LOG", "x"),
             ("ACL", "LOG", "1", "2"), ("ACL", "LOG", "-1"), ("ACL", "WHOAMI", "x"),
             ("ACL", "SETUSER", "x y"), ("ACL", "nosuch"), ("ACL", "USERS"), ("ACL", "WHOAMI"),
             ("AUTH", "a", "b", "c"), ("ACL", "SETUSER")]
    for call in calls:
        assert ours.execute(*call) == theirs.execute(*call), call
    assert sorted(ours.execute("ACL", "CAT")) == sorted(theirs.execute("ACL", "CAT"))
    for category in ("geo", "string", "connection", "dangerous", "pubsub"):
        mine = set(ours.execute("ACL", "CAT", category))
        ref = set(theirs.execute("ACL", "CAT", category))
        # ember has a few commands Redis does not (and not every Redis one): compare the shared.
        known = {n for n in ref if ours.execute("COMMAND", "INFO", n.split("|")[0])[0] is not None}
        assert mine & known == known, category
    assert len(ours.execute("ACL", "GENPASS")) == 64
    assert len(ours.execute("ACL", "GENPASS", "5")) == 2


def test_auth_whoami_client_list_and_wrongpass(ours, server):
    ours.execute("ACL", "SETUSER", "alice", "on", ">secret", "+@all", "~*")
    ours.execute("ACL", "SETUSER", "off-user", "off", ">pw", "+@all")
    c = Client(port=server.port, timeout=TIMEOUT)
    try:
        wrong = RespError("WRONGPASS invalid username-password pair or user is disabled.")
        assert c.execute("AUTH", "alice", "bad") == wrong
        assert c.execute("AUTH", "nobody", "x") == wrong
        assert c.execute("AUTH", "off-user", "pw") == wrong
        assert c.execute("AUTH", "alice", "secret") == "OK"
        assert c.execute("ACL", "WHOAMI") == "alice"
        assert " user=alice " in c.execute("CLIENT", "INFO")
        assert c.execute("CLIENT", "KILL", "USER", "nobody") == RespError("ERR No such user 'nobody'")
        hello = c.execute("HELLO", "3", "AUTH", "default", "anything")
        assert hello["proto"] == 3
        assert c.execute("ACL", "WHOAMI") == "default"
        assert c.execute("HELLO", "2", "AUTH", "alice", "bad") == wrong
        log = log_fields(ours.execute("ACL", "LOG"))
        assert log[0] == (1, "auth", "toplevel", "HELLO", "alice")
        assert (1, "auth", "toplevel", "AUTH", "alice") in log
        assert (1, "auth", "toplevel", "AUTH", "nobody") in log
    finally:
        c.close()


def test_changes_apply_to_connected_clients_and_deluser_disconnects(ours, server):
    ours.execute("ACL", "SETUSER", "bob", "on", ">pw", "+@all", "~*")
    c = as_user(server.port, "bob")
    other = as_user(server.port, "bob")
    try:
        assert c.execute("SET", "k", "v") == "OK"
        ours.execute("ACL", "SETUSER", "bob", "-set")
        assert c.execute("SET", "k", "v") == RespError(
            "NOPERM this user has no permissions to run the 'set' command")
        assert c.execute("GET", "k") == "v"
        assert c.execute("RESET") == "RESET"
        assert c.execute("ACL", "WHOAMI") == "default"
        assert ours.execute("ACL", "DELUSER", "bob") == 1
        with pytest.raises((ConnectionError, OSError, EOFError)):
            for _ in range(3):
                other.execute("PING")
    finally:
        c.close()
        other.close()


def test_multi_and_scripts_checked(ours, theirs, server, redis_ref):
    for c in (ours, theirs):
        c.execute("ACL", "SETUSER", "s", "on", ">pw", "-@all", "+multi", "+exec", "+set", "+eval",
                  "+get", "~foo*")
        c.execute("ACL", "LOG", "RESET")
    results = []
    for port in (server.port, redis_ref.port):
        c = as_user(port, "s", "pw")
        try:
            out = [c.execute("MULTI"), c.execute("SET", "foo", "1"), c.execute("DEL", "foo"),
                   c.execute("EXEC"),
                   c.execute("EVAL", "return redis.pcall('get', 'other')", "0"),
                   c.execute("EVAL", "return redis.pcall('del', 'foo')", "0"),
                   c.execute("EVAL", "return redis.call('set', 'foo2', 'x')", "0"),
                   c.execute("GET", "foo2")]
            results.append(out)
        finally:
            c.close()
    assert results[0] == results[1]
    assert log_fields(ours.execute("ACL", "LOG")) == log_fields(theirs.execute("ACL", "LOG"))


def test_exec_checks_again_what_changed_since_queueing(ours, theirs, server, redis_ref):
    results = []
    for admin, port in ((ours, server.port), (theirs, redis_ref.port)):
        admin.execute("ACL", "SETUSER", "q", "on", ">pw", "+@all", "~*")
        c = as_user(port, "q")
        try:
            out = [c.execute("MULTI"), c.execute("SET", "k", "1"), c.execute("GET", "k")]
            admin.execute("ACL", "SETUSER", "q", "-set")
            out += [c.execute("EXEC"), c.execute("GET", "k")]
            results.append(out)
        finally:
            c.close()
    assert results[0] == results[1]
    assert results[0][3][0].message.startswith("NOPERM ACLs rules changed between")
    assert log_fields(ours.execute("ACL", "LOG")) == log_fields(theirs.execute("ACL", "LOG"))


def test_resp3_shapes(ours, server):
    ours.execute("ACL", "SETUSER", "r3", "on", ">pw", "~k*", "(+get ~z*)")
    c = Client(port=server.port, timeout=TIMEOUT)
    try:
        c.execute("HELLO", "3")
        user = c.execute("ACL", "GETUSER", "r3")
        assert isinstance(user, dict)
        assert user["keys"] == "~k*"
        assert user["selectors"] == [{"commands": "-@all +get", "keys": "~z*", "channels": ""}]
        c.execute("AUTH", "r3", "bad")
        entry = c.execute("ACL", "LOG", "1")[0]
        assert isinstance(entry, dict) and entry["reason"] == "auth"
        assert isinstance(entry["age-seconds"], float)
        assert entry["client-info"].startswith("id=")
        assert c.execute("ACL", "GETUSER", "nobody") is None
    finally:
        c.close()


def test_requirepass_is_the_default_users_password(make_server):
    srv = make_server(extra_args=("--requirepass", "s3cret"))
    c = Client(port=srv.port, timeout=TIMEOUT)
    try:
        assert c.execute("PING") == RespError("NOAUTH Authentication required.")
        assert c.execute("AUTH", "s3cret") == "OK"
        line = c.execute("ACL", "LIST")[0]
        assert line.startswith("user default on #") and "nopass" not in line
        assert c.execute("CONFIG", "SET", "requirepass", "") == "OK"
        assert c.execute("ACL", "LIST") == ["user default on nopass ~* &* +@all"]
        fresh = Client(port=srv.port, timeout=TIMEOUT)
        assert fresh.execute("PING") == "PONG"
        fresh.close()
        # A default user that needs a password makes new clients AUTH, as requirepass does.
        assert c.execute("ACL", "SETUSER", "default", "resetpass", ">other") == "OK"
        fresh = Client(port=srv.port, timeout=TIMEOUT)
        assert fresh.execute("GET", "x") == RespError("NOAUTH Authentication required.")
        assert fresh.execute("AUTH", "other") == "OK"
        fresh.close()
    finally:
        c.close()


def test_aclfile_load_save_and_bad_files(make_server, tmp_path):
    path = tmp_path / "users.acl"
    path.write_text("user default on nopass ~* &* +@all\nuser x on >a ~x* +@read\n")
    srv = make_server(extra_args=("--aclfile", str(path)))
    c = Client(port=srv.port, timeout=TIMEOUT)
    try:
        assert c.execute("ACL", "USERS") == ["default", "x"]
        x = as_user(srv.port, "x", "a")
        assert x.execute("GET", "x1") is None
        assert x.execute("SET", "x1", "v") == RespError(
            "NOPERM this user has no permissions to run the 'set' command")
        assert c.execute("ACL", "SETUSER", "y", "on", ">b", "+get") == "OK"
        assert c.execute("ACL", "SAVE") == "OK"
        saved = path.read_text().splitlines()
        assert saved[2].startswith("user y on #") and saved[2].endswith("resetchannels -@all +get")
        path.write_text("user default on nopass ~* &* +@all\nuser bad on +nosuch\nfoo bar\n")
        error = c.execute("ACL", "LOAD")
        assert isinstance(error, RespError)
        assert "%s:2: Error in applying operation '+nosuch': Unknown command or category name in ACL" % path in error.message
        assert "%s:3 should start with user keyword followed by the username" % path in error.message
        assert c.execute("ACL", "USERS") == ["default", "x", "y"]  # nothing changed
        path.write_text("user default on nopass ~* &* +@all\nuser y on >b +get\n")
        assert c.execute("ACL", "LOAD") == "OK"
        assert c.execute("ACL", "USERS") == ["default", "y"]
        # x is gone: its connection is closed, as Redis does.
        with pytest.raises((ConnectionError, OSError, EOFError)):
            for _ in range(3):
                x.execute("PING")
        x.close()
    finally:
        c.close()


def test_bad_aclfile_stops_the_server_at_start(tmp_path):
    if harness.IS_REDIS:
        pytest.skip("ember's start-up message")
    path = tmp_path / "bad.acl"
    path.write_text("user default on nopass ~* &* +@all\nuser bad on +nosuch\n")
    import subprocess
    proc = subprocess.run([harness.EMBER_SERVER, "--port", "0", "--aclfile", str(path)],
                          capture_output=True, text=True, timeout=TIMEOUT)
    assert proc.returncode != 0
    assert "Unknown command or category name in ACL" in proc.stderr
    missing = subprocess.run([harness.EMBER_SERVER, "--port", "0", "--aclfile",
                              str(tmp_path / "none.acl")], capture_output=True, text=True,
                             timeout=TIMEOUT)
    assert missing.returncode != 0 and "opening file" in missing.stderr


def test_acl_log_groups_repeats_and_honours_max_len(ours, server):
    ours.execute("ACL", "SETUSER", "g", "on", ">pw", "-@all", "+get", "~a*")
    c = as_user(server.port, "g")
    try:
        for _ in range(3):
            c.execute("GET", "b")  # a repeat within 60 s counts on the same entry
        for i in range(5):
            c.execute("GET", "b%d" % i)
        log = log_fields(ours.execute("ACL", "LOG"))
        assert log[-1] == (3, "key", "toplevel", "b", "g")
        assert len(log) == 6
        assert len(ours.execute("ACL", "LOG", "2")) == 2
        assert ours.execute("CONFIG", "SET", "acllog-max-len", "3") == "OK"
        c.execute("GET", "c")
        assert len(ours.execute("ACL", "LOG")) == 3
    finally:
        ours.execute("CONFIG", "SET", "acllog-max-len", "128")
        c.close()
