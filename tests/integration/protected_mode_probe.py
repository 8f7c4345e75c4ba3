"""Runs inside a network namespace of its own (test_protected_mode.py starts it with unshare):
gives the namespace's loopback device a second, non-loopback address, starts servers bound to
all interfaces, and reports as JSON what a client connecting from that address and one from
127.0.0.1 receive. Every server it starts it stops by PID."""

import json
import os
import shutil
import socket
import subprocess
import sys
import time

EXTERNAL = "10.77.0.1"
TIMEOUT = 5.0


def read_reply(host, port, send=b"*1\r\n$4\r\nPING\r\n", pause=0.2):
    """Everything the server sends before it closes (or stays quiet for TIMEOUT)."""
    with socket.create_connection((host, port), timeout=TIMEOUT) as s:
        time.sleep(pause)  # a refusal is written at accept, before any command
        try:
            s.sendall(send)
        except OSError:
            pass
        data = b""
        while True:
            try:
                chunk = s.recv(65536)
            except socket.timeout:
                break
            except ConnectionError:
                break
            if not chunk:
                break
            data += chunk
            if data.endswith(b"\r\n") and not data.startswith(b"-DENIED"):
                break  # one reply is enough
        return data.decode("latin-1")


def command(port, *args):
    parts = [b"*%d\r\n" % len(args)] + [b"$%d\r\n%s\r\n" % (len(a), a.encode()) for a in args]
    return read_reply("127.0.0.1", port, b"".join(parts), pause=0)


# The kernel stops a server whose probe died before stopping it.
PDEATHSIG = ["setpriv", "--pdeathsig", "TERM"] if shutil.which("setpriv") else []


def start(cmd, port, ready_host):
    proc = subprocess.Popen(PDEATHSIG + cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            if read_reply(ready_host, port, pause=0).startswith(("+PONG", "-NOAUTH", "-DENIED")):
                return proc
        except OSError:
            time.sleep(0.05)
    proc.kill()
    proc.wait()
    raise RuntimeError("server did not start: %r" % cmd)


def server_command(target, port, extra):
    if target == "redis":
        return [os.environ["PROBE_REDIS_SERVER"], "--port", str(port), "--save", "",
                "--appendonly", "no", *extra]
    shards, backend = target.split(":")
    return [os.environ["PROBE_EMBER_SERVER"], "--port", str(port), "--shards", shards,
            "--io-backend", backend, *extra]


def probe(target, port, extra, before=(), bound=None):
    proc = start(server_command(target, port, extra), port, bound or "127.0.0.1")
    try:
        for args in before:
            command(port, *args)
        if bound:  # bound to the external address only: no loopback client can reach it
            return {"external": read_reply(EXTERNAL, port)}
        return {"external": read_reply(EXTERNAL, port), "loopback": read_reply("127.0.0.1", port)}
    finally:
        proc.terminate()
        proc.wait(10)


def main():
    subprocess.run(["ip", "link", "set", "lo", "up"], check=True)
    subprocess.run(["ip", "addr", "add", EXTERNAL + "/24", "dev", "lo"], check=True)
    port = 7000 + os.getpid() % 1000
    ember_all = ["--host", "0.0.0.0"]
    results = {}
    for target in sys.argv[1:]:
        all_interfaces = [] if target == "redis" else ember_all
        results[target] = {
            "default": probe(target, port, all_interfaces),
            "bound_to_the_address": probe(target, port, ["--bind", EXTERNAL], bound=EXTERNAL),
            "protected_mode_no": probe(target, port, all_interfaces + ["--protected-mode", "no"]),
            "password": probe(target, port, all_interfaces + ["--requirepass", "secret"]),
            "config_set_no": probe(target, port, all_interfaces,
                                   before=[("CONFIG", "SET", "protected-mode", "no")]),
        }
    print(json.dumps(results))


if __name__ == "__main__":
    main()
