"""maxmemory-clients (Redis 7's client eviction): when all clients' buffers together pass the
limit, the clients holding the most are closed, biggest first, never a CLIENT NO-EVICT one; the
limit's CONFIG forms; INFO's client memory fields. Runs against redis-server too
(EMBER_TEST_TARGET=redis), which is how the expectations were checked."""

import socket
import time

import pytest

from harness import SLOWDOWN
from helpers import info_field, wait_until
from resp_client import RespClient, RespError, encode_command

CLIENT_TIMEOUT = 10 * SLOWDOWN
MB = 1 << 20


def partial_set(port, value_bytes, sent_bytes):
    """A client in the middle of sending a big SET: its query buffer holds the argument so far
    (both servers size it for the announced length)."""
    s = socket.create_connection(("127.0.0.1", port), timeout=CLIENT_TIMEOUT)
    try:
        s.sendall(b"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$%d\r\n" % value_bytes + b"x" * sent_bytes)
    except (BrokenPipeError, ConnectionResetError):
        pass  # evicted before it finished sending: the caller finds it closed
    return s


def is_closed(s, seconds):
    """True once the server closed `s` (within `seconds`), False if it is still open."""
    s.settimeout(0.1)
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if not s.recv(4096):
                return True
        except socket.timeout:
            continue
        except (ConnectionResetError, BrokenPipeError):
            return True
    return False


@pytest.fixture
def srv(make_server):
    return make_server(shards=2, backend="epoll")


@pytest.fixture
def admin(srv):
    c = RespClient(port=srv.port, timeout=CLIENT_TIMEOUT)
    assert c.execute("CLIENT", "NO-EVICT", "on") == "OK"
    yield c
    c.close()


def test_config_forms_and_errors(admin):
    assert admin.execute("CONFIG", "GET", "maxmemory-clients") == [b"maxmemory-clients", b"0"]
    assert admin.execute("CONFIG", "SET", "maxmemory-clients", "10mb") == "OK"
    assert admin.execute("CONFIG", "GET", "maxmemory-clients")[1] == str(10 * MB).encode()
    assert admin.execute("CONFIG", "SET", "maxmemory-clients", "7%") == "OK"
    assert admin.execute("CONFIG", "GET", "maxmemory-clients")[1] == b"7%"
    for bad, why in (("200%", "percentage argument must be less or equal to 100"),
                     ("abc", "argument must be a memory or percent value"),
                     ("-5", "argument must be a memory or percent value")):
        assert admin.execute("CONFIG", "SET", "maxmemory-clients", bad) == RespError(
            "ERR CONFIG SET failed (possibly related to argument 'maxmemory-clients') - " + why)
    assert admin.execute("CONFIG", "GET", "maxmemory-clients")[1] == b"7%"
    assert admin.execute("CONFIG", "SET", "maxmemory-clients", "0") == "OK"


def test_no_evict_flag_and_its_syntax(admin):
    flags = admin.execute("CLIENT", "INFO").decode().split(" flags=", 1)[1].split(" ", 1)[0]
    assert "e" in flags
    assert admin.execute("CLIENT", "NO-EVICT", "OFF") == "OK"
    flags = admin.execute("CLIENT", "INFO").decode().split(" flags=", 1)[1].split(" ", 1)[0]
    assert flags == "N"
    assert admin.execute("CLIENT", "NO-EVICT", "maybe") == RespError("ERR syntax error")
    assert admin.execute("CLIENT", "NO-EVICT") == RespError(
        "ERR wrong number of arguments for 'client|no-evict' command")


def test_a_big_query_buffer_gets_its_client_evicted(srv, admin):
    assert admin.execute("CONFIG", "SET", "maxmemory-clients", "3mb") == "OK"
    before = info_field(admin, "stats", "evicted_clients")
    small = RespClient(port=srv.port, timeout=CLIENT_TIMEOUT)
    hog = partial_set(srv.port, 8 * MB, 4 * MB)
    assert is_closed(hog, 5 * SLOWDOWN), "the client over maxmemory-clients stayed connected"
    assert info_field(admin, "stats", "evicted_clients") == before + 1
    # Everyone else is served as before; the small client was not touched.
    assert small.execute("PING") == "PONG"
    assert admin.execute("SET", "after", "1") == "OK"
    small.close()


def test_a_client_that_does_not_read_is_evicted_for_its_output(srv, admin):
    assert admin.execute("SET", "big", "v" * MB) == "OK"
    assert admin.execute("CONFIG", "SET", "maxmemory-clients", "3mb") == "OK"
    before = info_field(admin, "stats", "evicted_clients")
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    s.connect(("127.0.0.1", srv.port))
    s.sendall(encode_command("GET", "big") * 16)  # 16 MB of replies it does not read
    # Judged without reading: draining the replies would free the output the test is about.
    assert wait_until(lambda: info_field(admin, "stats", "evicted_clients") == before + 1,
                    5 * SLOWDOWN), "the client holding 16 MB of output was not evicted"
    assert admin.execute("CLIENT", "LIST").count(b"\n") == 1  # only the admin is left
    assert is_closed(s, 5 * SLOWDOWN)
    assert admin.execute("PING") == "PONG"
    s.close()


def test_no_evict_clients_are_spared_and_the_biggest_goes_first(srv, admin):
    # The biggest buffer of all is on a NO-EVICT client, in the middle of a 6 MB SET.
    exempt = RespClient(port=srv.port, timeout=CLIENT_TIMEOUT)
    assert exempt.execute("CLIENT", "NO-EVICT", "on") == "OK"
    exempt.sock.sendall(b"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$%d\r\n" % (6 * MB) + b"x" * (3 * MB))
    medium = partial_set(srv.port, 2 * MB, MB)
    large = partial_set(srv.port, 4 * MB, 2 * MB)
    small = partial_set(srv.port, MB, MB // 2)
    assert wait_until(lambda: info_field(admin, "memory", "mem_clients_normal") > 12 * MB,
                    5 * SLOWDOWN)
    # Over by a little: closing the biggest evictable client (4 MB) is enough.
    assert admin.execute("CONFIG", "SET", "maxmemory-clients", "11mb") == "OK"
    assert is_closed(large, 5 * SLOWDOWN)
    assert not is_closed(medium, 0.5) and not is_closed(small, 0.2)
    # Lowering the limit closes the next biggest ones; the exempt client stays.
    assert admin.execute("CONFIG", "SET", "maxmemory-clients", "1mb") == "OK"
    assert is_closed(medium, 5 * SLOWDOWN) and is_closed(small, 5 * SLOWDOWN)
    exempt.sock.sendall(b"x" * (3 * MB) + b"\r\n")
    assert exempt.read_reply() == "OK"
    assert exempt.execute("CONFIG", "SET", "maxmemory-clients", "0") == "OK"
    assert exempt.execute("STRLEN", "k") == 6 * MB
    for s in (medium, large, small):
        s.close()
    exempt.close()


def test_a_percentage_of_maxmemory(srv, admin):
    assert admin.execute("CONFIG", "SET", "maxmemory", "100mb") == "OK"
    assert admin.execute("CONFIG", "SET", "maxmemory-clients", "3%") == "OK"
    gone = partial_set(srv.port, 4 * MB, 2 * MB)  # 4 MB of buffer: over 3% of 100 MB
    assert is_closed(gone, 5 * SLOWDOWN)
    assert admin.execute("CONFIG", "SET", "maxmemory-clients", "10%") == "OK"
    kept = partial_set(srv.port, 4 * MB, 2 * MB)
    assert not is_closed(kept, 1.0)
    kept.close()
    assert admin.execute("CONFIG", "SET", "maxmemory", "0") == "OK"


def test_info_reports_recent_peaks_of_input_and_output(srv, admin):
    assert info_field(admin, "clients", "client_recent_max_input_buffer") < MB
    s = partial_set(srv.port, 4 * MB, 3 * MB)
    assert wait_until(lambda: info_field(admin, "clients", "client_recent_max_input_buffer")
                    >= 3 * MB, 5 * SLOWDOWN)
    assert info_field(admin, "memory", "mem_clients_normal") >= 3 * MB
    s.close()
    assert admin.execute("SET", "big", "v" * (2 * MB)) == "OK"
    r = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    r.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    r.connect(("127.0.0.1", srv.port))
    r.sendall(encode_command("GET", "big") * 2)
    assert wait_until(lambda: info_field(admin, "clients", "client_recent_max_output_buffer")
                    >= MB, 5 * SLOWDOWN)
    r.close()
