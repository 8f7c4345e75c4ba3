#!/usr/bin/env python3
"""How long KEYS * over a big keyspace stalls other clients: the worst PING latency seen by a
client pinging in a loop while another runs KEYS *, for ember and redis-server side by side.

  /usr/bin/python3 bench/keys_stall.py [--keys N] [--shards S] [--ember BIN]

Each server is started on a free loopback port, loaded with N keys (pipelined SETs), measured
(three KEYS * calls) and stopped by PID.
"""
import argparse
import os
import socket
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "integration"))
from resp_client import RespClient, encode_command  # noqa: E402


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_up(port):
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            with RespClient(port=port, timeout=1) as c:
                if c.execute("PING") == "PONG":
                    return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError("server on %d did not start" % port)


def load(port, keys):
    with RespClient(port=port, timeout=60) as c:
        batch = 1000
        for start in range(0, keys, batch):
            c.send_raw(b"".join(encode_command("SET", "key:%d" % i, "v") for i in range(start, min(keys, start + batch))))
            for _ in range(min(keys, start + batch) - start):
                c.read_reply()


def measure(port):
    worst = [0.0]
    stop = threading.Event()

    def pinger():
        with RespClient(port=port, timeout=60) as c:
            while not stop.is_set():
                t = time.perf_counter()
                c.execute("PING")
                worst[0] = max(worst[0], time.perf_counter() - t)

    results = []
    for _ in range(3):
        worst[0] = 0.0
        stop.clear()
        t = threading.Thread(target=pinger)
        t.start()
        time.sleep(0.2)
        with RespClient(port=port, timeout=120) as c:
            start = time.perf_counter()
            n = len(c.execute("KEYS", "*"))
            took = time.perf_counter() - start
        time.sleep(0.2)
        stop.set()
        t.join()
        results.append((n, took, worst[0]))
    return results


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--keys", type=int, default=1000000)
    ap.add_argument("--shards", type=int, default=4)
    ap.add_argument("--ember", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "build", "release", "ember-server"))
    args = ap.parse_args()
    servers = [("ember --shards %d" % args.shards, lambda p: [args.ember, "--port", str(p), "--shards", str(args.shards)]),
               ("redis", lambda p: ["redis-server", "--port", str(p), "--save", "", "--appendonly", "no"])]
    for name, cmd in servers:
        port = free_port()
        proc = subprocess.Popen(cmd(port), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            wait_up(port)
            load(port, args.keys)
            for n, took, worst in measure(port):
                print("%-18s KEYS * -> %d keys in %.0f ms; worst PING meanwhile %.1f ms" % (name, n, took * 1000, worst * 1000))
        finally:
            proc.terminate()
            proc.wait(timeout=30)


if __name__ == "__main__":
    main()
