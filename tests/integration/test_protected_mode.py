"""Protected mode, as Redis 7, checked in a network namespace the test makes itself (its
loopback device gets a second, non-loopback address that clients connect from), against
redis-server's own replies."""

import json
import os
import subprocess
import sys

import pytest

from harness import EMBER_SERVER, IS_REDIS, REDIS_SERVER

HERE = os.path.dirname(os.path.abspath(__file__))


def _namespace_prefix():
    """unshare -rn (a user namespace, so no privilege is needed), or unshare -n as root."""
    for prefix in (["unshare", "-rn"], ["unshare", "-n"]):
        try:
            ok = subprocess.run(prefix + ["ip", "link", "set", "lo", "up"], capture_output=True,
                                timeout=10).returncode == 0
        except (OSError, subprocess.TimeoutExpired):
            ok = False
        if ok:
            return prefix
    return None


@pytest.fixture(scope="module")
def results():
    prefix = _namespace_prefix()
    if prefix is None:
        pytest.skip("cannot make a network namespace here (unshare -rn and unshare -n both fail)")
    targets = ["redis"] if IS_REDIS else ["redis", "1:epoll", "2:uring"]
    env = dict(os.environ, PROBE_EMBER_SERVER=EMBER_SERVER, PROBE_REDIS_SERVER=REDIS_SERVER)
    probe = os.path.join(HERE, "protected_mode_probe.py")
    out = subprocess.run(prefix + [sys.executable, probe, *targets], capture_output=True, text=True,
                         timeout=60, env=env)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


def _ember_targets(results):
    return [t for t in results if t != "redis"]


def test_redis_refuses_external_clients_without_a_password(results):
    redis_result = results["redis"]["default"]
    assert redis_result["external"].startswith("-DENIED Redis is running in protected mode")
    assert redis_result["external"].endswith("\r\n")
    assert redis_result["loopback"] == "+PONG\r\n"


@pytest.mark.parametrize("case", ["default", "bound_to_the_address", "protected_mode_no",
                                  "password", "config_set_no", "tls"])
def test_ember_answers_as_redis(results, case):
    if case not in results["redis"]:
        pytest.skip("needs the openssl tool")
    for target in _ember_targets(results):
        assert results[target][case] == results["redis"][case], (target, case)


def test_what_each_case_means(results):
    for target in results:
        r = results[target]
        assert r["default"]["external"].startswith("-DENIED")
        assert r["bound_to_the_address"]["external"].startswith("-DENIED")
        assert r["protected_mode_no"]["external"] == "+PONG\r\n"
        assert r["password"]["external"].startswith("-NOAUTH")
        assert r["config_set_no"]["external"] == "+PONG\r\n"
