import os
import sys

import pytest

sys.path.insert(0, os.path.dirname(__file__))
from e2e_server import TARGET, Server  # noqa: E402

# The server configurations every test runs against: both io backends, one and four shards.
CONFIGS = [(1, "epoll"), (4, "uring"), (4, "epoll"), (1, "uring")] if TARGET == "ember" else [(1, "redis")]


@pytest.fixture(scope="module", params=CONFIGS, ids=lambda c: "shards%d-%s" % c)
def server(request):
    shards, backend = request.param
    srv = Server(shards=shards, backend=backend)
    yield srv
    code = srv.stop()
    assert code == 0, "server exited with %s" % code


@pytest.fixture
def r(server):
    import redis
    client = redis.Redis(port=server.port, socket_timeout=10)
    client.flushall()
    yield client
    client.close()


@pytest.fixture
def raw(server):
    from wire_client import RawClient
    c = RawClient(server.port)
    c.call("FLUSHALL")
    yield c
    c.close()


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "ember_only" in item.keywords and TARGET != "ember":
            item.add_marker(pytest.mark.skip(reason="ember-specific"))


def pytest_configure(config):
    config.addinivalue_line("markers", "ember_only: runs against ember only")
