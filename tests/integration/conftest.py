"""Fixtures for the integration tests.

Run:  /usr/bin/python3 -m pytest -q tests/integration
  EMBER_SERVER=path          ember-server binary (default build/release/ember-server)
  EMBER_TEST_TARGET=redis    run against Debian's redis-server instead (checks the tests themselves)
  EMBER_TEST_CONFIGS=1:epoll,4:uring   narrow the server configurations
  EMBER_SANITIZED=1          sanitizer build: stretch time budgets

`server` is session-scoped and parametrized over the configurations, so pytest runs every test
against one server at a time. Heavy tests use `heavy_server` (one configuration only). Tests that
need a server of their own (shutdown) use `make_server`.
"""

import os
import sys

import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import harness  # noqa: E402
from harness import (HEAVY_CONFIG, HEAVY_FALLBACK, IS_REDIS, BackendUnavailable,  # noqa: E402
                     ServerProcess, selected_configs)
from resp_client import RespClient  # noqa: E402

try:
    import redis
except ImportError as e:  # the suite needs Debian's python3-redis
    raise ImportError("tests/integration needs python3-redis: run it with /usr/bin/python3 -m pytest") from e

CLIENT_TIMEOUT = 10.0 * harness.SLOWDOWN


def pytest_configure(config):
    config.addinivalue_line("markers", "ember_only(reason): ember-specific; skipped against redis-server")


HERE = os.path.dirname(os.path.abspath(__file__))


def pytest_collection_modifyitems(config, items):
    if not IS_REDIS:
        return
    for item in items:
        if not str(item.fspath).startswith(HERE + os.sep):
            continue  # another suite's tests (this hook sees every collected item)
        marker = item.get_closest_marker("ember_only")
        if marker is not None:
            reason = marker.args[0] if marker.args else "ember-specific behaviour"
            item.add_marker(pytest.mark.skip(reason="ember only: %s" % reason))


def pytest_report_header(config):
    target = "redis-server (%s)" % harness.REDIS_SERVER if IS_REDIS else "ember (%s)" % harness.EMBER_SERVER
    return ["integration target: %s; configs: %s" % (target, ", ".join(c.name for c in selected_configs()))]


def _start(config, extra_args=()):
    server = ServerProcess(config, extra_args)
    try:
        server.start()
    except BackendUnavailable as e:
        server.remove_log()
        pytest.skip("%s: %s" % (config.name, str(e).splitlines()[-1] if str(e) else "backend unavailable"))
    except harness.ServerStartError as e:
        server.remove_log()
        pytest.fail(str(e), pytrace=False)
    return server


def _finish(server):
    """Stops a server; fails when it had crashed or did not exit cleanly (code 0)."""
    was_alive = server.alive()
    code = server.stop()
    log = server.log()
    server.remove_log()
    if not was_alive:
        pytest.fail("server %r had died (exit code %s) before the end; its output:\n%s"
                    % (server, code, log), pytrace=False)
    if code != 0:
        pytest.fail("server %r exited with code %s on SIGTERM; its output:\n%s" % (server, code, log),
                    pytrace=False)


@pytest.fixture(scope="session", params=selected_configs(), ids=lambda c: c.name)
def server(request):
    srv = _start(request.param)
    yield srv
    _finish(srv)


@pytest.fixture(scope="session")
def heavy_server():
    """One server for the heavy tests (many keys, benchmarks): shards 4 with io_uring (epoll
    where io_uring is blocked), or redis-server."""
    try:
        srv = ServerProcess(HEAVY_CONFIG).start()
    except BackendUnavailable:
        srv = _start(HEAVY_FALLBACK)
    except harness.ServerStartError as e:
        pytest.fail(str(e), pytrace=False)
    yield srv
    _finish(srv)


@pytest.fixture(scope="module")
def redis_ref():
    """The differential tests' reference: a real redis-server on a free port, stopped by PID
    after the module."""
    yield from harness.module_server(harness.REDIS_CONFIG)


@pytest.fixture
def make_server():
    """Starts dedicated servers for one test (e.g. shutdown tests); stops whatever is left."""
    started = []

    def make(shards=1, backend="epoll", extra_args=()):
        config = harness.REDIS_CONFIG if IS_REDIS else harness.ServerConfig(shards, backend)
        srv = _start(config, extra_args)
        started.append(srv)
        return srv

    yield make
    for srv in started:
        srv.stop()
        srv.remove_log()


def _check_alive(srv):
    if not srv.alive():
        pytest.fail("server %r died (exit code %s); its output:\n%s" % (srv, srv.proc.poll(), srv.log()),
                    pytrace=False)


@pytest.fixture(autouse=True)
def _fresh_and_alive(request):
    """Every test that uses a shared server starts on an empty keyspace (FLUSHALL) and ends with
    the server alive and answering PING on a new connection."""
    shared = [request.getfixturevalue(name) for name in ("server", "heavy_server")
              if name in request.fixturenames]
    for srv in shared:
        _check_alive(srv)
        with RespClient(port=srv.port, timeout=CLIENT_TIMEOUT) as c:
            assert c.execute("FLUSHALL") == "OK"
    yield
    for srv in shared:
        _check_alive(srv)
        with RespClient(port=srv.port, timeout=CLIENT_TIMEOUT) as c:
            assert c.execute("PING") == "PONG", "server stopped answering PING after the test"


@pytest.fixture
def r(server):
    """redis-py client, RESP2, str replies."""
    client = redis.Redis(host="127.0.0.1", port=server.port, decode_responses=True,
                         socket_timeout=CLIENT_TIMEOUT, socket_connect_timeout=CLIENT_TIMEOUT)
    yield client
    client.close()


@pytest.fixture
def rb(server):
    """redis-py client, RESP2, bytes replies."""
    client = redis.Redis(host="127.0.0.1", port=server.port, decode_responses=False,
                         socket_timeout=CLIENT_TIMEOUT, socket_connect_timeout=CLIENT_TIMEOUT)
    yield client
    client.close()


@pytest.fixture
def connect(server):
    """Factory of raw RESP connections to `server`; all are closed after the test."""
    clients = []

    def make(port=None, timeout=CLIENT_TIMEOUT):
        c = RespClient(port=port or server.port, timeout=timeout)
        clients.append(c)
        return c

    yield make
    for c in clients:
        c.close()


@pytest.fixture
def raw(connect):
    """A raw RESP2 connection."""
    return connect()


@pytest.fixture
def resp3(connect):
    """A raw connection switched to RESP3 with HELLO 3."""
    c = connect()
    hello = c.execute("HELLO", "3")
    assert isinstance(hello, dict), "HELLO 3 did not return a map: %r" % (hello,)
    return c

