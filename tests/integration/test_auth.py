"""requirepass: every command but AUTH, HELLO and QUIT needs authentication first."""

from helpers import err
from resp_client import RespClient, encode_command

NOAUTH = err("NOAUTH Authentication required.")
WRONGPASS = err("WRONGPASS invalid username-password pair or user is disabled.")


def test_requirepass_gates_commands(make_server):
    srv = make_server(shards=2, extra_args=["--requirepass", "s3cret"])
    with RespClient(port=srv.port) as c:
        assert c.execute("GET", "k") == NOAUTH
        assert c.execute("SET", "k", "v") == NOAUTH
        assert c.execute("PING") == NOAUTH
        assert c.execute("HELLO", "3").message.startswith("NOAUTH HELLO must be called")
        assert c.execute("AUTH", "wrong") == WRONGPASS
        assert c.execute("GET", "k") == NOAUTH  # a wrong password leaves it locked
        assert c.execute("AUTH", "s3cret") == "OK"
        assert c.execute("SET", "k", "v") == "OK"
        assert c.execute("GET", "k") == b"v"
    with RespClient(port=srv.port) as c:
        assert c.execute("AUTH", "default", "s3cret") == "OK"  # the two-argument form
        assert c.execute("GET", "k") == b"v"
    with RespClient(port=srv.port) as c:
        hello = c.execute("HELLO", "3", "AUTH", "default", "s3cret")
        assert isinstance(hello, dict) and hello[b"proto"] == 3
        assert c.execute("GET", "k") == b"v"
    with RespClient(port=srv.port) as c:
        assert c.execute("HELLO", "2", "AUTH", "default", "nope") == WRONGPASS
        assert c.execute("QUIT") == "OK"


def test_auth_without_password_configured(make_server):
    srv = make_server(shards=1)
    with RespClient(port=srv.port) as c:
        assert c.execute("AUTH", "x").message.startswith(
            "ERR AUTH <password> called without any password configured")
        assert c.execute("PING") == "PONG"


def test_unauthenticated_clients_cannot_send_big_commands(make_server):
    """As in Redis: before AUTH, a command of more than 10 arguments or a bulk over 16 KiB is a
    protocol error (a stranger cannot make the server buffer much); after AUTH both are fine,
    in the same pipeline."""
    srv = make_server(shards=1, extra_args=["--requirepass", "s3cret"])
    for header, error in [(b"*11\r\n", b"unauthenticated multibulk length"),
                          (b"*2\r\n$3\r\nGET\r\n$16385\r\n", b"unauthenticated bulk length")]:
        with RespClient(port=srv.port) as c:
            c.send_raw(header)
            assert c.read_until_closed(timeout=5) == (b"-ERR Protocol error: " + error + b"\r\n", True)
    with RespClient(port=srv.port) as c:
        c.send_raw(encode_command("AUTH", "s3cret") + encode_command("SET", "big", "x" * 20000)
                   + encode_command("MSET", *["k%d" % i for i in range(12)]))
        assert c.read_replies(3) == ["OK", "OK", "OK"]


def test_the_password_set_and_cleared_at_run_time(make_server):
    """As in Redis: a client that connected while no password was set stays authenticated; one
    that connected while it was set may run commands once it is cleared (but HELLO still wants
    it authenticated), and is locked out again when a password comes back. With no password the
    default user takes any password."""
    srv = make_server(shards=1)
    with RespClient(port=srv.port) as admin, RespClient(port=srv.port) as early:
        assert early.execute("PING") == "PONG"  # the server has accepted it
        assert admin.execute("CONFIG", "SET", "requirepass", "s3cret") == "OK"
        assert early.execute("GET", "k") is None
        with RespClient(port=srv.port) as late:
            assert late.execute("GET", "k") == NOAUTH
            assert admin.execute("CONFIG", "SET", "requirepass", "") == "OK"
            assert late.execute("GET", "k") is None
            assert late.execute("MSET", *["k%d" % i for i in range(12)]) == "OK"  # > 10 args
            assert late.execute("HELLO", "2").message.startswith("NOAUTH HELLO must be called")
            assert admin.execute("CONFIG", "SET", "requirepass", "again") == "OK"
            assert late.execute("GET", "k") == NOAUTH
            assert admin.execute("CONFIG", "SET", "requirepass", "") == "OK"
        with RespClient(port=srv.port) as c:
            assert c.execute("AUTH", "default", "anything") == "OK"
            assert c.execute("AUTH", "bob", "anything") == WRONGPASS
            assert isinstance(c.execute("HELLO", "2", "AUTH", "default", "x"), list)
