import subprocess

import pytest


def cli(port, *args, resp3=False):
    cmd = ["redis-cli", "-p", str(port)] + (["-3"] if resp3 else []) + list(args)
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=20)
    assert out.returncode == 0, out.stderr
    return out.stdout.strip()


def test_readme_examples(server):
    p = server.port
    cli(p, "FLUSHALL")
    assert cli(p, "SET", "hello", "world") == "OK"
    assert cli(p, "GET", "hello") == "world"
    assert cli(p, "MSET", "a", "1", "b", "2", "c", "3") == "OK"
    assert cli(p, "MGET", "a", "b", "c").split("\n") == ["1", "2", "3"]
    assert cli(p, "SET", "temp", "data", "EX", "60") == "OK"
    assert int(cli(p, "TTL", "temp")) in (59, 60)
    assert 59000 <= int(cli(p, "PTTL", "temp")) <= 60000
    assert cli(p, "PERSIST", "temp") == "1"
    assert cli(p, "SET", "counter", "10") == "OK"
    assert cli(p, "INCR", "counter") == "11"
    assert cli(p, "DECR", "counter") == "10"
    assert cli(p, "DBSIZE") == "6"
    scan = cli(p, "SCAN", "0", "MATCH", "*", "COUNT", "100").split("\n")
    assert scan[0] == "0" and sorted(scan[1:]) == sorted(["hello", "a", "b", "c", "temp", "counter"])
    assert cli(p, "FLUSHDB") == "OK"
    assert cli(p, "DBSIZE") == "0"


def test_resp3_hello(server):
    out = cli(server.port, "HELLO", "3", resp3=True)
    assert "proto" in out and "3" in out


def test_redis_benchmark_runs_clean(server, request):
    if "shards4-uring" not in request.node.nodeid and "redis" not in request.node.nodeid:
        pytest.skip("benchmark smoke runs in one configuration")
    out = subprocess.run(["redis-benchmark", "-p", str(server.port), "-t", "ping,set,get,incr,mset",
                          "-P", "16", "-n", "20000", "-q"], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    text = out.stdout.replace("\r", "\n")
    assert "ERR" not in text and "rror" not in text, text
    for test in ["PING_INLINE", "PING_MBULK", "SET", "GET", "INCR", "MSET"]:
        lines = [line for line in text.split("\n") if line.startswith(test) and "requests per second" in line]
        assert lines, (test, text)
        assert float(lines[-1].split(":")[1].split()[0]) > 0
