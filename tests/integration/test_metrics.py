"""--metrics-port: Prometheus text on GET /metrics (scraped with urllib), values that move with
the traffic, `promtool check metrics` when Debian's prometheus package is installed (skipped
otherwise), and bad HTTP clients (other paths and methods, a 1 MB request, garbage, slowloris
connections, a connection flood) that must not hurt the server."""

import re
import shutil
import socket
import subprocess
import time
import urllib.error
import urllib.request

import pytest

import harness
from resp_client import RespClient

pytestmark = pytest.mark.ember_only("--metrics-port is ember's")
TIMEOUT = 10.0 * harness.SLOWDOWN
SAMPLE = re.compile(r'^(ember_[a-z_]+)(\{[^}]*\})? (\S+)$')


@pytest.fixture(scope="module")
def metrics_srv():
    port = harness.free_port()
    srv_gen = harness.module_server(harness.ServerConfig(4, "epoll"), ("--metrics-port", str(port)))
    srv = next(srv_gen)
    srv.metrics_port = port
    yield srv
    next(srv_gen, None)


def url(srv, path="/metrics"):
    return "http://127.0.0.1:%d%s" % (srv.metrics_port, path)


def scrape_text(srv):
    with urllib.request.urlopen(url(srv), timeout=TIMEOUT) as response:
        assert response.status == 200
        assert response.headers["Content-Type"].startswith("text/plain; version=0.0.4")
        return response.read().decode()


def scrape(srv):
    """{(name, labels): value} of every sample."""
    samples = {}
    for line in scrape_text(srv).splitlines():
        if line.startswith("#") or not line:
            continue
        m = SAMPLE.match(line)
        assert m, "not a sample line: %r" % line
        samples[(m.group(1), m.group(2) or "")] = float(m.group(3))
    return samples


def client(srv):
    return RespClient(port=srv.port, timeout=TIMEOUT)


def test_counters_move_with_traffic(metrics_srv):
    with client(metrics_srv) as c:
        c.execute("FLUSHALL")
        before = scrape(metrics_srv)
        for i in range(3):
            assert c.execute("SET", "key%d" % i, "v") == "OK"
        assert c.execute("GET", "key1") == b"v"
        assert c.execute("GET", "missing") is None
        assert c.execute("SET", "short", "v", "PX", "1") == "OK"
        time.sleep(0.05)
        assert c.execute("GET", "short") is None  # expires on access
        after = scrape(metrics_srv)
    set_calls = ("ember_command_calls_total", '{command="set"}')
    assert after[set_calls] - before.get(set_calls, 0) == 4
    assert after[("ember_commands_processed_total", "")] >= before[("ember_commands_processed_total", "")] + 7
    assert after[("ember_keyspace_hits_total", "")] == before[("ember_keyspace_hits_total", "")] + 1
    assert after[("ember_keyspace_misses_total", "")] >= before[("ember_keyspace_misses_total", "")] + 2
    assert after[("ember_expired_keys_total", "")] == before[("ember_expired_keys_total", "")] + 1
    assert after[("ember_db_keys", '{db="0"}')] == 3
    shard_keys = [v for (name, _), v in after.items() if name == "ember_shard_keys"]
    assert len(shard_keys) == 4 and sum(shard_keys) == 3
    shard_ops = sum(v for (name, _), v in after.items() if name == "ember_shard_commands_processed_total")
    assert shard_ops == after[("ember_commands_processed_total", "")]
    assert after[("ember_connected_clients", "")] >= 1
    assert after[("ember_memory_used_bytes", "")] > 0 and after[("ember_memory_rss_bytes", "")] > 0
    assert after[("ember_uptime_seconds", "")] >= 0
    assert after[("ember_aof_enabled", "")] == 0 and after[("ember_aof_last_write_ok", "")] == 1
    assert after[("ember_rdb_last_bgsave_ok", "")] == 1
    assert abs(after[("ember_rdb_last_save_timestamp_seconds", "")] - time.time()) < 3600


def test_latency_histogram_is_cumulative(metrics_srv):
    with client(metrics_srv) as c:
        for i in range(20):
            c.execute("SET", "h%d" % i, "v")
    samples = scrape(metrics_srv)
    buckets = [(labels, v) for (name, labels), v in samples.items()
               if name == "ember_command_latency_seconds_bucket" and 'command="set"' in labels]
    assert len(buckets) > 10
    counts = [v for _, v in buckets]
    assert counts == sorted(counts) and 'le="+Inf"' in buckets[-1][0]
    assert samples[("ember_command_latency_seconds_count", '{command="set"}')] == counts[-1] > 0


def test_promtool_accepts_the_exposition(metrics_srv):
    promtool = shutil.which("promtool")
    if promtool is None:
        pytest.skip("promtool not installed (Debian package prometheus)")
    with client(metrics_srv) as c:
        c.execute("SET", "k", "v")
        c.execute("CLIENT", "LIST")
    text = scrape_text(metrics_srv)
    check = subprocess.run([promtool, "check", "metrics"], input=text.encode(), capture_output=True,
                           timeout=30)
    assert check.returncode == 0, check.stdout.decode() + check.stderr.decode()


def http_status(srv, path="/metrics", method="GET", data=None):
    request = urllib.request.Request(url(srv, path), method=method, data=data)
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as response:
            return response.status
    except urllib.error.HTTPError as e:
        return e.code


def assert_server_fine(srv):
    with client(srv) as c:
        assert c.execute("PING") == "PONG"
    assert ("ember_uptime_seconds", "") in scrape(srv)


def test_other_paths_and_methods_are_refused(metrics_srv):
    assert http_status(metrics_srv, "/") == 404
    assert http_status(metrics_srv, "/metrics/x") == 404
    assert http_status(metrics_srv, "/metrics", "POST", b"x=1") == 405
    assert http_status(metrics_srv, "/metrics", "DELETE") == 405
    assert_server_fine(metrics_srv)


def raw_http(srv, payload, read_timeout=5.0):
    """Sends bytes, returns what came back until the server closed (or the timeout)."""
    s = socket.create_connection(("127.0.0.1", srv.metrics_port), timeout=TIMEOUT)
    try:
        try:
            s.sendall(payload)
        except (BrokenPipeError, ConnectionResetError):
            pass
        s.settimeout(read_timeout)
        data = b""
        try:
            while True:
                chunk = s.recv(65536)
                if not chunk:
                    break
                data += chunk
        except (socket.timeout, ConnectionResetError):
            pass
        return data
    finally:
        s.close()


def test_a_one_megabyte_request_is_refused(metrics_srv):
    huge_path = b"GET /metrics?" + b"a" * (1 << 20) + b" HTTP/1.1\r\nHost: x\r\n\r\n"
    reply = raw_http(metrics_srv, huge_path)
    assert reply == b"" or re.match(rb"HTTP/1\.[01] (4\d\d)", reply), reply[:100]
    huge_header = b"GET /metrics HTTP/1.1\r\nHost: x\r\nX-Big: " + b"b" * (1 << 20) + b"\r\n\r\n"
    reply = raw_http(metrics_srv, huge_header)
    assert reply == b"" or re.match(rb"HTTP/1\.[01] (4\d\d)", reply), reply[:100]
    huge_body = (b"GET /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n" % (1 << 20)
                 + b"c" * (1 << 20))
    raw_http(metrics_srv, huge_body)  # answered or closed: either way the server goes on
    assert_server_fine(metrics_srv)


def test_garbage_is_refused(metrics_srv):
    reply = raw_http(metrics_srv, bytes(range(256)) * 16 + b"\r\n\r\n")
    assert reply == b"" or reply.startswith(b"HTTP/1.1 400"), reply[:100]
    assert_server_fine(metrics_srv)


def test_slowloris_and_flood_leave_scrapes_and_clients_working(metrics_srv):
    slow = []
    try:
        for _ in range(8):  # headers that never end
            s = socket.create_connection(("127.0.0.1", metrics_srv.metrics_port), timeout=TIMEOUT)
            s.sendall(b"GET /metrics HTTP/1.1\r\nHost: x\r\n")
            slow.append(s)
        assert_server_fine(metrics_srv)
        for _ in range(60):  # past the connection limit: the extra ones are closed at once
            try:
                slow.append(socket.create_connection(("127.0.0.1", metrics_srv.metrics_port),
                                                     timeout=TIMEOUT))
            except OSError:
                pass
        with client(metrics_srv) as c:
            assert c.execute("PING") == "PONG"
    finally:
        for s in slow:
            s.close()
    deadline = time.monotonic() + TIMEOUT
    while True:  # the closed connections free their slots as the server notices
        try:
            assert_server_fine(metrics_srv)
            break
        except (OSError, urllib.error.URLError):
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


def test_idle_connections_are_closed(metrics_srv):
    s = socket.create_connection(("127.0.0.1", metrics_srv.metrics_port), timeout=TIMEOUT)
    try:
        s.sendall(b"GET /metrics HTTP/1.1\r\n")
        s.settimeout(15)
        started = time.monotonic()
        try:
            data = s.recv(1024)
        except ConnectionResetError:
            data = b""
        assert data == b"" or data.startswith(b"HTTP/1.1 4"), data[:100]
        assert time.monotonic() - started < 12
    finally:
        s.close()
