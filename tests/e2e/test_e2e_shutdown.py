import signal
import socket
import time

import pytest
import redis

from e2e_server import Server, TARGET
from wire_client import RawClient, encode


@pytest.mark.parametrize("backend", ["epoll", "uring"])
def test_sigterm_delivers_replies_in_flight_then_exits_zero(backend):
    srv = Server(shards=2, backend=backend)
    c = RawClient(srv.port)
    n = 20000
    c.send_raw(b"".join(encode("SET", "k%d" % i, "v") for i in range(n)))
    srv.proc.send_signal(signal.SIGTERM)
    got = 0
    try:
        while got < n:
            assert c.read() == "OK"
            got += 1
    except (ConnectionError, OSError):
        pass
    assert srv.proc.wait(timeout=10) == 0
    # Whatever was read from the socket before the shutdown got its reply.
    assert got > 0
    srv.stop()


@pytest.mark.ember_only
def test_shutdown_command_exits_zero():
    srv = Server(shards=2)
    client = redis.Redis(port=srv.port)
    client.set("k", "v")
    client.shutdown()  # redis-py treats the closed connection as success, as with Redis
    assert srv.proc.wait(timeout=10) == 0
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", srv.port), timeout=1)
    srv.stop()


def test_shutdown_abort_without_shutdown(server):
    c = RawClient(server.port)
    reply = c.call("SHUTDOWN", "ABORT")
    assert str(reply) == "ERR No shutdown in progress."
