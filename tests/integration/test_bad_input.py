"""Malformed, partial, slow and numerous clients: the server answers as Redis does, closes only the
offending connection, and keeps serving everyone else. (After every test the autouse fixture also
checks that the process is alive and answers PING.)"""

import random
import socket
import time

import pytest

from resp_client import Parser, Incomplete, RespError, encode_command


def _protocol_error(connect, payload, expected_error):
    """Sends `payload` on a fresh connection: expects exactly `expected_error` then a close, while
    a bystander connection keeps working."""
    bystander = connect()
    assert bystander.execute("SET", "bystander", "ok") == "OK"
    c = connect()
    c.send_raw(payload)
    data, closed = c.read_until_closed(timeout=5)
    assert data == b"-" + expected_error.encode() + b"\r\n"
    assert closed, "the server must close a connection after a protocol error"
    assert bystander.execute("GET", "bystander") == b"ok"


@pytest.mark.parametrize("payload, error", [
    (b"*abc\r\n", "ERR Protocol error: invalid multibulk length"),
    (b"*\r\n", "ERR Protocol error: invalid multibulk length"),
    (b"*3000000000\r\n", "ERR Protocol error: invalid multibulk length"),
    (b"*1\r\n$1073741824\r\n", "ERR Protocol error: invalid bulk length"),
    (b"*1\r\n$1000000000000\r\n", "ERR Protocol error: invalid bulk length"),
    (b"*1\r\n$536870913\r\n", "ERR Protocol error: invalid bulk length"),  # proto-max-bulk-len + 1
    (b"*1\r\n$-5\r\n", "ERR Protocol error: invalid bulk length"),
    (b"*1\r\n$-1\r\n", "ERR Protocol error: invalid bulk length"),
    (b"*1\r\n$\r\n", "ERR Protocol error: invalid bulk length"),
    (b"*1\r\n$4x\r\n", "ERR Protocol error: invalid bulk length"),
    (b"*1\r\nfoo\r\n", "ERR Protocol error: expected '$', got 'f'"),
    (b"*1\r\n:5\r\n", "ERR Protocol error: expected '$', got ':'"),
    (b'SET a "b\r\n', "ERR Protocol error: unbalanced quotes in request"),
    (b"SET a 'b\r\n", "ERR Protocol error: unbalanced quotes in request"),
    (b'ECHO "abc"def\r\n', "ERR Protocol error: unbalanced quotes in request"),
])
def test_protocol_errors_close_the_connection(connect, payload, error):
    _protocol_error(connect, payload, error)


def test_valid_commands_before_a_protocol_error_are_answered(connect):
    c = connect()
    c.send_raw(b"*1\r\n$4\r\nPING\r\n*2\r\n$4\r\nECHO\r\n$2\r\nhi\r\n*2\r\nfoo\r\n")
    data, closed = c.read_until_closed(timeout=5)
    assert data == b"+PONG\r\n$2\r\nhi\r\n-ERR Protocol error: expected '$', got 'f'\r\n"
    assert closed


@pytest.mark.parametrize("ending, last_reply", [
    (b"*2\r\nfoo\r\n", b"-ERR Protocol error: expected '$', got 'f'\r\n"),
    (encode_command("QUIT"), b"+OK\r\n"),
], ids=["protocol-error", "quit"])
def test_replies_from_other_shards_go_out_before_the_close(connect, ending, last_reply):
    """With several shards, most of these keys live on another thread than the connection's:
    their replies arrive after the error (or QUIT) that ends the batch, and still go out first."""
    c = connect()
    gets = b"".join(encode_command("GET", "remote:%d" % i) for i in range(32))
    c.send_raw(gets + ending)
    data, closed = c.read_until_closed(timeout=5)
    assert data == b"$-1\r\n" * 32 + last_reply
    assert closed


def test_too_big_inline_request(connect):
    c = connect()
    c.send_raw(b"a" * 70000)  # no newline within Redis's 64 KiB inline limit
    data, closed = c.read_until_closed(timeout=5)
    assert data == b"-ERR Protocol error: too big inline request\r\n"
    assert closed


def test_negative_and_empty_multibulk_are_ignored(connect):
    c = connect()
    c.send_raw(b"*-5\r\n*0\r\n*-1\r\n*1\r\n$4\r\nPING\r\n")
    assert c.read_raw_reply() == b"+PONG\r\n"
    assert c.is_open(wait=0.2)


def test_empty_command_name(connect):
    c = connect()
    c.send_raw(b"*1\r\n$0\r\n\r\n")
    assert c.read_reply() == RespError("ERR unknown command '', with args beginning with: ")
    assert c.execute("PING") == "PONG"


def test_huge_multibulk_count_is_not_preallocated(connect, server):
    """*2000000000 is a legal count (Redis waits for the arguments); it must not make the server
    allocate for two billion arguments or stop serving others. Rejecting it with a protocol error
    is acceptable too."""
    c = connect()
    c.send_raw(b"*2000000000\r\n$4\r\nPING\r\n")
    data, closed = c.read_until_closed(timeout=0.5)
    assert (data, closed) in ((b"", False), (b"-ERR Protocol error: invalid multibulk length\r\n", True))
    other = connect()
    for _ in range(20):
        assert other.execute("PING") == "PONG"
    assert server.alive()


def test_half_a_command_then_close(connect, server):
    for cut in (1, 5, 12, 20, 30):
        c = connect()
        c.send_raw(encode_command("SET", "half", "never-written")[:cut])
        c.close()
    time.sleep(0.05)
    check = connect()
    assert check.execute("EXISTS", "half") == 0
    assert check.execute("PING") == "PONG"


def test_half_a_command_then_the_rest(connect):
    c = connect()
    payload = encode_command("SET", "k", "joined")
    c.send_raw(payload[:9])
    assert not c.read_until_closed(timeout=0.1)[0]  # nothing yet, and still open
    c.send_raw(payload[9:])
    assert c.read_reply() == "OK"
    assert c.execute("GET", "k") == b"joined"


def test_inline_commands(connect):
    c = connect()
    c.send_raw(b"PING\r\n")
    assert c.read_raw_reply() == b"+PONG\r\n"
    c.send_raw(b"SET a b\r\nGET a\r\n")
    assert c.read_replies(2) == ["OK", b"b"]
    c.send_raw(b'SET a "b c"\r\nGET a\r\n')
    assert c.read_replies(2) == ["OK", b"b c"]
    c.send_raw(b"SET q 'it\\'s'\r\nGET q\r\n")
    assert c.read_replies(2) == ["OK", b"it's"]
    c.send_raw(b'ECHO "a\\x41\\n"\r\n')
    assert c.read_reply() == b"aA\n"
    c.send_raw(b"PING\n")  # a bare LF ends an inline command too
    assert c.read_raw_reply() == b"+PONG\r\n"
    c.send_raw(b"\r\n\r\n   \r\nPING\r\n")  # blank lines are skipped
    assert c.read_raw_reply() == b"+PONG\r\n"
    c.send_raw(b"  set   spaced    value  \r\nget spaced\r\n")
    assert c.read_replies(2) == ["OK", b"value"]
    c.send_raw(b"ECHO \x0ba\x0bb\x0c\r\n")  # \v and \f separate nothing inside an argument
    assert c.read_reply() == b"a\x0bb\x0c"


def test_bulk_limit_set_at_run_time_applies_to_open_connections(connect):
    c, admin = connect(), connect()
    assert c.execute("PING") == "PONG"
    assert admin.execute("CONFIG", "SET", "proto-max-bulk-len", "1mb") == "OK"
    try:
        c.send_raw(b"*2\r\n$4\r\nECHO\r\n$1048577\r\n")
        assert c.read_until_closed(timeout=5) == (
            b"-ERR Protocol error: invalid bulk length\r\n", True)
    finally:
        assert admin.execute("CONFIG", "SET", "proto-max-bulk-len", "512mb") == "OK"


def test_inline_and_multibulk_mixed(connect):
    c = connect()
    c.send_raw(b"INCR n\r\n" + encode_command("INCR", "n") + b"INCR n\r\n" + encode_command("GET", "n"))
    assert c.read_replies(4) == [1, 2, 3, b"3"]


def test_slow_client_one_byte_at_a_time(connect):
    c = connect()
    payload = encode_command("SET", "slow", "dribbled value") + b"GET slow\r\n"
    deadline = time.monotonic() + 10
    for i in range(len(payload)):
        c.send_raw(payload[i:i + 1])
        time.sleep(0.001)
        assert time.monotonic() < deadline
    assert c.read_replies(2) == ["OK", b"dribbled value"]


def test_slow_client_does_not_block_others(connect):
    slow, fast = connect(), connect()
    payload = encode_command("SET", "slow2", "x" * 50)
    slow.send_raw(payload[:20])
    for _ in range(50):
        assert fast.execute("PING") == "PONG"
    slow.send_raw(payload[20:])
    assert slow.read_reply() == "OK"


def test_many_clients_at_once(connect):
    clients = [connect() for _ in range(200)]
    for i, c in enumerate(clients):
        c.send_command("SET", "client:%d" % i, i)
    for c in clients:
        assert c.read_reply() == "OK"
    for i, c in enumerate(clients):
        c.send_command("GET", "client:%d" % ((i + 1) % len(clients)))
    for i, c in enumerate(clients):
        assert c.read_reply() == str((i + 1) % len(clients)).encode()
    assert clients[0].execute("DBSIZE") == 200
    for c in clients[::2]:
        c.close()
    for c in clients[1::2]:
        assert c.execute("PING") == "PONG"


def test_abrupt_disconnects_with_pending_replies(connect, server):
    """Clients that vanish (RST) with replies still queued must not disturb the server."""
    big = encode_command("SET", "big", "x" * 200000) + encode_command("GET", "big") * 20
    for _ in range(10):
        c = connect()
        c.send_raw(big)
        c.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
        c.close()  # linger 0: reset
    check = connect()
    assert check.execute("STRLEN", "big") in (0, 200000)
    assert check.execute("PING") == "PONG"
    assert server.alive()


def test_random_garbage(connect, server):
    """Random bytes on 30 connections: whatever comes back must be well-formed RESP, and each
    connection must close once we close our side."""
    rng = random.Random(1234)
    alphabet = b"*$+-:\r\n0123456789abcPINGSET \"'\\\x00\xff"
    for _ in range(30):
        c = connect(timeout=5)
        garbage = bytes(rng.choice(alphabet) for _ in range(rng.randrange(1, 300)))
        try:
            c.send_raw(garbage)
            c.sock.shutdown(socket.SHUT_WR)
        except OSError:
            pass  # the server may already have closed on an early protocol error
        data, closed = c.read_until_closed(timeout=5)
        assert closed, "connection not closed after EOF; garbage %r" % garbage
        parser, pos = Parser(), 0
        while pos < len(data):
            try:
                _, pos = parser.parse(data, pos)
            except Incomplete:
                pytest.fail("truncated reply %r to garbage %r" % (data[pos:], garbage))
    assert server.alive()
    assert connect().execute("PING") == "PONG"
