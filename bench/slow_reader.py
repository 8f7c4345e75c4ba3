"""A client that never reads, ember and Debian's redis-server side by side: one connection
pipelines `GET big` (a 1 MB value) for S seconds without reading a byte while another client
PINGs every 10 ms; a hog that is cut off connects again at once. Prints a markdown table: the
servers' RSS growth (peak over the start), the other client's PING p50 / p99 / worst, and how
many times the hog was cut off.

  python3 bench/slow_reader.py [--seconds 8] [--limits "normal 64mb 32mb 10"]

Both servers get the same client-output-buffer-limit. Servers on core 0, the clients on core 1.
Only the standard library; every server is started on a free port and stopped by its PID."""

import argparse
import os
import socket
import subprocess
import tempfile
import threading
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
EMBER = os.environ.get("EMBER_SERVER", os.path.join(REPO, "build", "release", "ember-server"))
REDIS = os.environ.get("REDIS_SERVER", "/usr/bin/redis-server")
MB = 1 << 20


def command(*args):
    out = b"*%d\r\n" % len(args)
    for a in args:
        a = a if isinstance(a, bytes) else str(a).encode()
        out += b"$%d\r\n%s\r\n" % (len(a), a)
    return out


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def rss(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    return 0


def ask(sock, *args):
    """Sends one command and reads one simple reply line (enough for SET, PING, CONFIG SET)."""
    sock.sendall(command(*args))
    buf = b""
    while not buf.endswith(b"\r\n"):
        chunk = sock.recv(4096)
        if not chunk:
            raise ConnectionError("closed")
        buf += chunk
    return buf


def start(name, port, limits, workdir):
    if name == "ember":
        argv = [EMBER, "--port", str(port), "--shards", "1", "--client-output-buffer-limit", limits]
    else:
        argv = [REDIS, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly",
                "no", "--dir", workdir, "--client-output-buffer-limit", limits]
    proc = subprocess.Popen(["taskset", "-c", "0"] + argv, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            return proc, socket.create_connection(("127.0.0.1", port), timeout=5)
        except OSError:
            time.sleep(0.05)
    proc.kill()
    raise RuntimeError("%s did not start" % name)


def hog_once(port, deadline):
    """One connection pipelining GET big without reading, until the server closes it (True) or
    the deadline passes (False)."""
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    s.connect(("127.0.0.1", port))
    s.setblocking(False)
    chunk = command("GET", "big") * 64
    try:
        while time.monotonic() < deadline:
            try:
                s.send(chunk)
            except BlockingIOError:
                time.sleep(0.01)
            except (BrokenPipeError, ConnectionResetError):
                return True
        return False
    finally:
        s.close()


def hog(port, seconds):
    """A client that never reads and comes back when cut off, for `seconds`: the times it was
    cut off."""
    deadline = time.monotonic() + seconds
    cuts = 0
    while time.monotonic() < deadline:
        cuts += hog_once(port, deadline)
    return cuts


def measure(name, seconds, limits, workdir):
    port = free_port()
    proc, admin = start(name, port, limits, workdir)
    try:
        assert ask(admin, "SET", "big", b"v" * MB).startswith(b"+OK")
        base = rss(proc.pid)
        peak = [base]
        pings = []
        stop = threading.Event()

        def sample():
            while not stop.is_set():
                peak[0] = max(peak[0], rss(proc.pid))
                time.sleep(0.02)

        def probe():
            c = socket.create_connection(("127.0.0.1", port), timeout=30)
            while not stop.is_set():
                t0 = time.monotonic()
                ask(c, "PING")
                pings.append(time.monotonic() - t0)
                time.sleep(0.01)
            c.close()

        threads = [threading.Thread(target=sample), threading.Thread(target=probe)]
        for t in threads:
            t.start()
        cut = hog(port, seconds)
        stop.set()
        for t in threads:
            t.join(30)
        pings.sort()
        pct = lambda q: pings[min(len(pings) - 1, int(q * len(pings)))] * 1000 if pings else 0
        return {"rss_mb": (peak[0] - base) / MB, "p50": pct(0.5), "p99": pct(0.99),
                "worst": pings[-1] * 1000 if pings else 0, "pings": len(pings), "cuts": cut}
    finally:
        admin.close()
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=8)
    parser.add_argument("--limits", default="normal 64mb 32mb 10")
    args = parser.parse_args()
    os.sched_setaffinity(0, {1})
    with tempfile.TemporaryDirectory() as workdir:
        results = {name: measure(name, args.seconds, args.limits, workdir)
                   for name in ("redis", "ember")}
    print("## A client that never reads, 1 MB GETs for %gs, client-output-buffer-limit \"%s\" (%s)"
          % (args.seconds, args.limits, time.strftime("%Y-%m-%d", time.gmtime())))
    print()
    print("| server | RSS growth MB | other client's PING p50 ms | p99 ms | worst ms | PINGs | hog cut off (times) |")
    print("|---|---:|---:|---:|---:|---:|---|")
    for name in ("ember", "redis"):
        r = results[name]
        print("| %s | %.1f | %.2f | %.2f | %.2f | %d | %d |" % (
            name, r["rss_mb"], r["p50"], r["p99"], r["worst"], r["pings"], r["cuts"]))


if __name__ == "__main__":
    main()
