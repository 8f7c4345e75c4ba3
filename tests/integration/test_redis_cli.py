"""The real redis-cli and redis-benchmark against the server: the README examples, RESP3 with -3,
and a pipelined benchmark (one configuration only)."""

import re
import shutil
import subprocess

import pytest

import harness

REDIS_CLI = shutil.which("redis-cli") or "/usr/bin/redis-cli"
REDIS_BENCHMARK = shutil.which("redis-benchmark") or "/usr/bin/redis-benchmark"
TIMEOUT = 30 * harness.SLOWDOWN


def _run(tool, *args, stdin=None, timeout=TIMEOUT):
    try:
        proc = subprocess.run([tool, *args], input=stdin, capture_output=True, timeout=timeout)
    except FileNotFoundError:
        pytest.skip("%s is not installed (Debian package redis-tools)" % tool)
    return proc


def cli(server, *args, stdin=None, raw=True):
    """redis-cli's stdout. Piped output is redis-cli's raw mode; raw=False forces the formatted
    mode a terminal would show ("(integer) 1", "1) ...")."""
    mode = [] if raw else ["--no-raw"]
    proc = _run(REDIS_CLI, "-h", "127.0.0.1", "-p", str(server.port), *mode, *args, stdin=stdin)
    assert proc.returncode == 0, (proc.returncode, proc.stdout, proc.stderr)
    return proc.stdout.decode()


def test_readme_examples(server):
    assert cli(server, "SET", "hello", "world") == "OK\n"
    assert cli(server, "GET", "hello") == "world\n"
    assert cli(server, "MSET", "a", "1", "b", "2", "c", "3") == "OK\n"
    assert cli(server, "MGET", "a", "b", "c") == "1\n2\n3\n"
    assert cli(server, "SET", "temp", "data", "EX", "60") == "OK\n"
    assert cli(server, "TTL", "temp") == "60\n"
    assert 59000 <= int(cli(server, "PTTL", "temp")) <= 60000
    assert cli(server, "PERSIST", "temp") == "1\n"
    assert cli(server, "TTL", "temp") == "-1\n"
    assert cli(server, "INCR", "counter") == "1\n"
    assert cli(server, "INCR", "counter") == "2\n"
    assert cli(server, "DECR", "counter") == "1\n"
    assert cli(server, "SCAN", "0", "MATCH", "a*", "COUNT", "100") == "0\na\n"
    assert cli(server, "DBSIZE") == "6\n"
    assert cli(server, "FLUSHDB") == "OK\n"
    assert cli(server, "DBSIZE") == "0\n"
    assert cli(server, "PING") == "PONG\n"


def test_formatted_output(server):
    assert cli(server, "MSET", "a", "1", "b", "2", "c", "3", raw=False) == "OK\n"
    assert cli(server, "MGET", "a", "b", "c", raw=False) == '1) "1"\n2) "2"\n3) "3"\n'
    assert cli(server, "MGET", "a", "nope", raw=False) == '1) "1"\n2) (nil)\n'
    assert cli(server, "GET", "nope", raw=False) == "(nil)\n"
    assert cli(server, "SET", "temp", "data", "EX", "60", raw=False) == "OK\n"
    assert cli(server, "TTL", "temp", raw=False) == "(integer) 60\n"
    assert cli(server, "INCR", "counter", raw=False) == "(integer) 1\n"
    assert cli(server, "SCAN", "0", "MATCH", "a*", "COUNT", "100", raw=False) == '1) "0"\n2) 1) "a"\n'
    assert cli(server, "GET", "a", "b", raw=False) == "(error) ERR wrong number of arguments for 'get' command\n"
    assert cli(server, "SET", "bin", "a\x01b", raw=False) == "OK\n"
    assert cli(server, "GET", "bin", raw=False) == '"a\\x01b"\n'


def test_resp3_hello(server):
    out = cli(server, "-3", "HELLO", "3", raw=False)
    lines = out.splitlines()
    assert len(lines) == 7, out
    assert re.fullmatch(r'1# "server" => ".+"', lines[0])
    assert re.fullmatch(r'2# "version" => "\d+\.\d+\.\d+"', lines[1])
    assert lines[2] == '3# "proto" => (integer) 3'
    assert re.fullmatch(r'4# "id" => \(integer\) \d+', lines[3])
    assert lines[4:] == ['5# "mode" => "standalone"', '6# "role" => "master"', '7# "modules" => (empty array)']
    raw_out = cli(server, "-3", "HELLO", "3").splitlines()
    assert raw_out[2] == "proto 3" and raw_out[4:6] == ["mode standalone", "role master"]


def test_resp3_replies(server):
    assert cli(server, "-3", "GET", "nope", raw=False) == "(nil)\n"
    assert cli(server, "-3", "CONFIG", "GET", "maxmemory", raw=False) == '1# "maxmemory" => "0"\n'
    assert cli(server, "-3", "INCRBYFLOAT", "f", "1.5", raw=False) == '"1.5"\n'
    assert cli(server, "-3", "SET", "k", "v") == "OK\n"
    assert cli(server, "-3", "GET", "k") == "v\n"


def test_commands_from_stdin(server):
    out = cli(server, stdin=b"SET x 1\nINCR x\nGET x\nECHO \"two words\"\n")
    assert out == "OK\n2\n2\ntwo words\n"


def test_select_with_n(server):
    assert cli(server, "-n", "3", "SET", "k", "in3") == "OK\n"
    assert cli(server, "GET", "k") == "\n"  # nil prints as an empty line in raw mode
    assert cli(server, "-n", "3", "GET", "k") == "in3\n"


def test_scan_helper(server):
    assert cli(server, "MSET", "a:1", "1", "a:2", "2", "b:1", "3") == "OK\n"
    out = cli(server, "--scan", "--pattern", "a:*")
    assert sorted(out.split()) == ["a:1", "a:2"]


_RESULT = re.compile(r"^(?P<name>[A-Z_0-9]+(?: \([^)]*\))?): (?P<rps>[\d.]+) requests per second")


def _benchmark(server, *args):
    proc = _run(REDIS_BENCHMARK, "-h", "127.0.0.1", "-p", str(server.port), *args, timeout=120 * harness.SLOWDOWN)
    out, errors = proc.stdout.decode(errors="replace"), proc.stderr.decode(errors="replace")
    assert proc.returncode == 0, (proc.returncode, out, errors)
    segments = [s.strip() for s in re.split(r"[\r\n]", out + "\n" + errors) if s.strip()]
    bad = [s for s in segments if re.search(r"error|ERR|WARN|unknown", s, re.I)]
    assert not bad, bad
    results = {}
    for s in segments:
        m = _RESULT.match(s)
        if m:
            results[m.group("name")] = float(m.group("rps"))
    return results, out


def test_benchmark_pipelined(heavy_server):
    results, out = _benchmark(heavy_server, "-t", "ping,set,get,incr,mset", "-P", "16", "-n", "20000", "-q")
    assert set(results) == {"PING_INLINE", "PING_MBULK", "SET", "GET", "INCR", "MSET (10 keys)"}, out
    assert all(rps > 0 for rps in results.values()), results


def test_benchmark_data_types(heavy_server):
    """Every data-type test the benchmark section runs, pipelined, with no error replies."""
    tests = "lpush,rpush,lpop,rpop,sadd,hset,spop,zadd,zpopmin,lrange_100"
    results, out = _benchmark(heavy_server, "-t", tests, "-P", "16", "-n", "20000", "-r", "1000", "-q")
    assert set(results) == {"LPUSH", "RPUSH", "LPOP", "RPOP", "SADD", "HSET", "SPOP", "ZADD", "ZPOPMIN",
                            "LPUSH (needed to benchmark LRANGE)", "LRANGE_100 (first 100 elements)"}, out
    assert all(rps > 0 for rps in results.values()), results
    port = str(heavy_server.port)
    assert _run("redis-cli", "-p", port, "TYPE", "mylist").stdout.strip() == b"list"
    assert _run("redis-cli", "-p", port, "LLEN", "mylist").stdout.strip() == b"20000"
    assert _run("redis-cli", "-p", port, "TYPE", "myhash").stdout.strip() == b"hash"
    assert 0 < int(_run("redis-cli", "-p", port, "HLEN", "myhash").stdout) <= 1000


def test_benchmark_many_clients(heavy_server):
    results, out = _benchmark(heavy_server, "-t", "set,get", "-c", "100", "-n", "20000", "-r", "10000", "-q")
    assert set(results) == {"SET", "GET"}, out
    assert all(rps > 0 for rps in results.values()), results
