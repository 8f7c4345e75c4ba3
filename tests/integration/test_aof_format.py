"""Our AOF reader against the real thing: Debian's redis-server 7.0 writes a multi-part AOF
directory (manifest + base + increment), and ember-aof-check (src/tools/aof_check.cc, built on
src/persistence) must read the manifest byte for byte and every command in order, and must
report a torn or corrupt file with its offset without changing it.

Skipped when redis-server is absent; needs build/release/ember-aof-check (EMBER_AOF_CHECK).
"""

import os
import shutil
import subprocess
import time

import pytest
import redis

import harness

AOF_CHECK = os.environ.get("EMBER_AOF_CHECK") or os.path.join(harness.REPO, "build", "release",
                                                               "ember-aof-check")
TOOL_TIMEOUT = 30 * harness.SLOWDOWN
# A name with a space: Redis writes it quoted in the manifest, and so must we.
APPENDFILENAME = "my aof.aof"

pytestmark = [
    pytest.mark.skipif(not os.access(harness.REDIS_SERVER, os.X_OK),
                       reason="redis-server is not installed"),
    pytest.mark.ember_only("checks ember's AOF reader against redis-server's files"),
]


def redis_repr(arg):
    """How ember-aof-check prints an argument: as is, or quoted like Redis's sdscatrepr."""
    if not any(c in b'\\"' or c <= 0x20 or c >= 0x7f for c in arg):
        return arg.decode()
    escapes = {0x5c: "\\\\", 0x22: '\\"', 0x0a: "\\n", 0x0d: "\\r", 0x09: "\\t", 0x07: "\\a",
               0x08: "\\b"}
    out = '"'
    for c in arg:
        if c in escapes:
            out += escapes[c]
        elif 0x20 <= c < 0x7f:
            out += chr(c)
        else:
            out += "\\x%02x" % c
    return out + '"'


def line(*args):
    return " ".join(redis_repr(a if isinstance(a, bytes) else str(a).encode()) for a in args)


def run_check(*args):
    if not os.access(AOF_CHECK, os.X_OK):
        pytest.fail("ember-aof-check not found at %s (build it, or set EMBER_AOF_CHECK)" % AOF_CHECK,
                    pytrace=False)
    return subprocess.run([AOF_CHECK, *args], capture_output=True, timeout=TOOL_TIMEOUT)


@pytest.fixture(scope="module")
def redis_aof(tmp_path_factory):
    """Runs redis-server with a plain-RESP multi-part AOF, writes a known workload, stops it
    (SIGTERM: Redis flushes and fsyncs the AOF), and returns (directory, expected lines)."""
    data_dir = str(tmp_path_factory.mktemp("redis-aof"))
    srv = harness.ServerProcess(harness.REDIS_CONFIG, [
        "--appendonly", "yes", "--aof-use-rdb-preamble", "no", "--appendfsync", "always",
        "--dir", data_dir, "--appendfilename", APPENDFILENAME])
    try:
        srv.start()
    except harness.ServerStartError as e:
        srv.remove_log()
        pytest.fail(str(e), pytrace=False)
    try:
        r = redis.Redis(port=srv.port, socket_timeout=10)
        binary = b"line1\r\nline2 \x00\xff\"quoted\"\\"
        r.set("plain", "1")
        r.rpush("list", "a", "b", "c")
        r.set(b"key with space", binary)
        r.hset("h", mapping={"f1": "v1"})
        r.expire("plain", 1000)
        before_ms = int(time.time() * 1000)
        pipe = r.pipeline(transaction=True)
        pipe.incr("counter")
        pipe.sadd("s", "m1", "m2")
        pipe.execute()
        r.delete("list")
        expected = [
            line("SELECT", "0"),
            line("SET", "plain", "1"),
            line("RPUSH", "list", "a", "b", "c"),
            line("SET", b"key with space", binary),
            line("HSET", "h", "f1", "v1"),
            None,  # PEXPIREAT plain <absolute ms>, checked apart
            "MULTI",
            line("INCRBY", "counter", "1"),  # redis-py sends INCR as INCRBY 1
            line("SADD", "s", "m1", "m2"),
            "EXEC",
            line("DEL", "list"),
        ]
    finally:
        code = srv.stop()
        log = srv.log()
        srv.remove_log()
    assert code == 0, "redis-server exit code %s:\n%s" % (code, log)
    return os.path.join(data_dir, "appendonlydir"), expected, before_ms


def commands_of(stdout):
    return [l for l in stdout.decode().splitlines() if not l.startswith("#")]


def test_reads_redis_aof_directory(redis_aof):
    aof_dir, expected, before_ms = redis_aof
    result = run_check(aof_dir)
    assert result.returncode == 0, result.stderr.decode()
    got = commands_of(result.stdout)
    assert len(got) == len(expected), got
    for i, (g, e) in enumerate(zip(got, expected)):
        if e is None:
            # Redis journals EXPIRE as an absolute PEXPIREAT, as ember's journal will.
            name, key, when = g.split(" ")
            assert (name, key) == ("PEXPIREAT", "plain")
            assert before_ms + 900_000 < int(when) < before_ms + 1_100_000
        else:
            assert g == e, "command %d" % i
    summary = result.stdout.decode().splitlines()[-1]
    assert summary == "# ok: 9 commands, 1 transactions"


def test_manifest_is_parsed_and_serialised_byte_for_byte(redis_aof):
    aof_dir = redis_aof[0]
    with open(os.path.join(aof_dir, APPENDFILENAME + ".manifest"), "rb") as f:
        manifest = f.read().decode()
    assert manifest == ('file "my aof.aof.1.base.aof" seq 1 type b\n'
                        'file "my aof.aof.1.incr.aof" seq 1 type i\n')
    result = run_check(os.path.join(aof_dir, APPENDFILENAME + ".manifest"))
    assert result.returncode == 0, result.stderr.decode()
    printed = [l[2:] for l in result.stdout.decode().splitlines()
               if l.startswith("# file ")]
    assert "\n".join(printed) + "\n" == manifest


def _copy(redis_aof, tmp_path):
    target = tmp_path / "appendonlydir"
    shutil.copytree(redis_aof[0], target)
    return str(target), os.path.join(str(target), APPENDFILENAME + ".1.incr.aof")


def test_torn_tail_is_reported_and_left_alone(redis_aof, tmp_path):
    aof_dir, incr = _copy(redis_aof, tmp_path)
    with open(incr, "rb") as f:
        data = f.read()
    last = data.rfind(b"*")  # the final DEL list
    with open(incr, "wb") as f:
        f.write(data[:-3])

    result = run_check(aof_dir)
    assert result.returncode == 1
    err = result.stderr.decode()
    assert ("Unexpected end of file reading the append only file %s.1.incr.aof at offset %d"
            % (APPENDFILENAME, last)) in err, err

    result = run_check("--allow-truncated", aof_dir)
    assert result.returncode == 0, result.stderr.decode()
    assert "!!! Warning: short read while loading the AOF file" in result.stderr.decode()
    assert "DEL" not in result.stdout.decode()
    with open(incr, "rb") as f:
        assert f.read() == data[:-3], "the checker must not modify the file"


def test_corruption_is_an_error_with_the_offset(redis_aof, tmp_path):
    aof_dir, incr = _copy(redis_aof, tmp_path)
    with open(incr, "rb") as f:
        data = bytearray(f.read())
    at = data.find(b"*", 1)  # the second command
    data[at] = ord("+")
    with open(incr, "wb") as f:
        f.write(data)
    result = run_check("--allow-truncated", aof_dir)
    assert result.returncode == 1
    err = result.stderr.decode()
    assert ("Bad file format reading the append only file %s.1.incr.aof at offset %d"
            % (APPENDFILENAME, at)) in err, err


def test_multi_without_exec_at_the_end_is_a_torn_tail(redis_aof, tmp_path):
    aof_dir, incr = _copy(redis_aof, tmp_path)
    with open(incr, "rb") as f:
        data = f.read()
    cut = data.find(b"EXEC")
    cut = data.rfind(b"*", 0, cut)  # drop EXEC and everything after it
    with open(incr, "wb") as f:
        f.write(data[:cut])
    result = run_check("--allow-truncated", aof_dir)
    assert result.returncode == 0, result.stderr.decode()
    assert "Revert incomplete MULTI/EXEC transaction" in result.stderr.decode()
    out = result.stdout.decode()
    assert "INCR" not in out and "MULTI" not in out
    assert "# ok: 6 commands, 0 transactions" in out
