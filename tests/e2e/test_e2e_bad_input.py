import socket
import time

import pytest

from wire_client import RawClient, RespError


def expect_error_then_close(port, data, prefix):
    c = RawClient(port)
    c.send_raw(data)
    reply = c.read()
    assert isinstance(reply, RespError) and str(reply).startswith(prefix), reply
    with pytest.raises((ConnectionError, OSError)):
        c.read()
    c.close()


@pytest.mark.parametrize("data,prefix", [
    (b"*abc\r\n", "ERR Protocol error: invalid multibulk length"),
    (b"*1\r\n$-5\r\n", "ERR Protocol error: invalid bulk length"),
    (b"*1\r\n$1073741824\r\n", "ERR Protocol error: invalid bulk length"),
    (b"*1\r\n$1000000000000\r\n", "ERR Protocol error: invalid bulk length"),
    (b"*1\r\nfoo\r\n", "ERR Protocol error: expected '$', got 'f'"),
    (b"SET \"a b\r\n", "ERR Protocol error: unbalanced quotes in request"),
])
def test_malformed_input_gets_error_and_close(server, data, prefix):
    expect_error_then_close(server.port, data, prefix)
    assert RawClient(server.port).call("PING") == "PONG"


def test_huge_multibulk_count_does_not_allocate(server):
    c = RawClient(server.port)
    c.send_raw(b"*2000000000\r\n$4\r\nPING\r\n")
    other = RawClient(server.port)
    assert other.call("PING") == "PONG"
    c.close()
    other.close()


def test_inline_commands(raw):
    raw.send_raw(b"PING\r\n")
    assert raw.read() == "PONG"
    raw.send_raw(b"SET inline \"a b\"\r\nGET inline\n")
    assert raw.read() == "OK"
    assert raw.read() == b"a b"


def test_half_command_then_close_keeps_server_alive(server):
    c = socket.create_connection(("127.0.0.1", server.port))
    c.sendall(b"*3\r\n$3\r\nSET\r\n$1\r\nk")
    c.close()
    assert RawClient(server.port).call("PING") == "PONG"


def test_garbage_bytes(server):
    c = socket.create_connection(("127.0.0.1", server.port), timeout=5)
    c.sendall(bytes(range(256)) * 4)
    time.sleep(0.1)
    c.close()
    assert RawClient(server.port).call("PING") == "PONG"


def test_slow_client_dribbling_bytes(server):
    c = RawClient(server.port)
    other = RawClient(server.port)
    payload = b"*3\r\n$3\r\nSET\r\n$4\r\nslow\r\n$5\r\nvalue\r\n"
    for i, byte in enumerate(payload):
        c.send_raw(bytes([byte]))
        if i % 8 == 0:
            assert other.call("PING") == "PONG"  # everyone else is still served
        time.sleep(0.002)
    assert c.read() == "OK"
    assert other.call("GET", "slow") == b"value"


def test_many_clients(server):
    clients = [RawClient(server.port) for _ in range(200)]
    for i, c in enumerate(clients):
        c.send("SET", "c%d" % i, i)
    for c in clients:
        assert c.read() == "OK"
    for c in clients:
        c.close()
    assert RawClient(server.port).call("PING") == "PONG"
