"""ioredis and node-redis, the Node.js clients most apps use, against the server: every case of
tests/clients/*.mjs runs as one test in a node process of its own, bounded in time, and passes
when node exits 0 (the scripts assert with node's `assert`). `make test` installs node and the
pinned packages (scripts/install-deps.sh runs `npm ci` in tests/clients); without them these
tests skip. The pub/sub cases skip while the server does not know SUBSCRIBE, so they start
running by themselves once it does."""

import os
import shutil
import subprocess

import pytest

import harness
from resp_client import RespClient

CLIENTS_DIR = os.path.join(harness.REPO, "tests", "clients")
NODE = shutil.which("node")
MIN_NODE_MAJOR = 18  # Debian 12's nodejs
# pytest's limit on one node process; the script stops itself a little earlier, with a message.
CASE_TIMEOUT = 40.0 * harness.SLOWDOWN
SCRIPT_TIMEOUT_MS = int((CASE_TIMEOUT - 10.0) * 1000)

# Every case of every script (test_case_lists_match keeps this in step with the scripts).
CASES = {
    "ioredis_cases.mjs": [
        "strings", "hashes", "lists", "pipeline", "multi_exec", "multi_command_error",
        "multi_queue_error_execabort", "watch_conflict", "watch_optimistic_increment",
        "multi_without_pipeline"],
    "node_redis_cases.mjs": [
        "basics", "resp2_replies", "pipeline", "multi_exec", "multi_command_error", "multi_queue_error",
        "watch_conflict"],
    "ioredis_pubsub.mjs": [
        "subscribe_publish", "psubscribe", "channel_and_pattern_both", "message_order", "many_subscribers"],
    "node_redis_pubsub.mjs": [
        "subscribe_publish", "psubscribe", "buffer_listener", "message_order", "many_listeners"],
}
PUBSUB_SCRIPTS = {"ioredis_pubsub.mjs", "node_redis_pubsub.mjs"}
PACKAGES = ("ioredis", "redis")


def _node_missing():
    """Why the node tests cannot run here, or None when they can."""
    if NODE is None:
        return "node is not installed (`make test` installs Debian's nodejs via scripts/install-deps.sh)"
    version = subprocess.run([NODE, "--version"], capture_output=True, text=True, timeout=30).stdout.strip()
    major = int(version.lstrip("v").split(".")[0]) if version.startswith("v") else 0
    if major < MIN_NODE_MAJOR:
        return "node %s is older than %d" % (version or "?", MIN_NODE_MAJOR)
    for package in PACKAGES:
        if not os.path.isfile(os.path.join(CLIENTS_DIR, "node_modules", package, "package.json")):
            return ("tests/clients/node_modules/%s is missing (`make test` runs `npm ci` there via "
                    "scripts/install-deps.sh)" % package)
    return None


NODE_MISSING = _node_missing()
pytestmark = pytest.mark.skipif(NODE_MISSING is not None, reason=NODE_MISSING or "")


def run_script(script, *args, timeout=CASE_TIMEOUT):
    """Runs `node tests/clients/<script> args...`; subprocess.run kills it by PID on timeout."""
    env = dict(os.environ, EMBER_NODE_CASE_TIMEOUT_MS=str(SCRIPT_TIMEOUT_MS),
               EMBER_NODE_SLOWDOWN=str(harness.SLOWDOWN))
    return subprocess.run([NODE, os.path.join(CLIENTS_DIR, script), *map(str, args)], cwd=CLIENTS_DIR,
                          env=env, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=timeout)


_knows_subscribe = {}  # server port -> whether COMMAND INFO knows SUBSCRIBE


def server_knows_subscribe(server):
    if server.port not in _knows_subscribe:
        with RespClient(port=server.port, timeout=10.0 * harness.SLOWDOWN) as client:
            reply = client.execute("COMMAND", "INFO", "subscribe")
        _knows_subscribe[server.port] = isinstance(reply, list) and len(reply) == 1 and reply[0] is not None
    return _knows_subscribe[server.port]


@pytest.mark.parametrize("script", sorted(CASES))
def test_case_lists_match(script):
    listed = run_script(script, "--list", timeout=30)
    assert listed.returncode == 0, listed.stderr
    assert listed.stdout.split() == CASES[script], "update CASES in %s" % os.path.basename(__file__)


@pytest.mark.parametrize("script,case",
                         [(script, case) for script in sorted(CASES) for case in CASES[script]],
                         ids=lambda value: value.removesuffix(".mjs"))
def test_node_client(server, script, case):
    if script in PUBSUB_SCRIPTS and not server_knows_subscribe(server):
        pytest.skip("the server does not know SUBSCRIBE yet (COMMAND INFO subscribe is nil): pub/sub pending")
    try:
        result = run_script(script, server.port, case)
    except subprocess.TimeoutExpired as e:
        pytest.fail("node %s %s ran past %.0f s; its output:\n%s\n%s"
                    % (script, case, CASE_TIMEOUT, e.stdout or "", e.stderr or ""), pytrace=False)
    if result.returncode != 0:
        pytest.fail("node %s %s exited with %d:\n%s%s"
                    % (script, case, result.returncode, result.stdout, result.stderr), pytrace=False)


def test_failed_case_fails_the_test():
    """The runner's exit codes carry failures to pytest: a case against a port where nothing
    listens fails (1), an unknown case is a usage error (2)."""
    refused = run_script("ioredis_cases.mjs", harness.free_port(), "strings", timeout=30)
    assert refused.returncode == 1, (refused.stdout, refused.stderr)
    assert "case strings failed" in refused.stderr
    unknown = run_script("node_redis_cases.mjs", 1, "no_such_case", timeout=30)
    assert unknown.returncode == 2, (unknown.stdout, unknown.stderr)
