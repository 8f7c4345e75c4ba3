#!/usr/bin/env python3
"""One connection, one GET at a time (about 1,500 a second), until SIGTERM/SIGINT or --seconds pass; then prints
the latency summary in ms (count avg p50 p99 p99.9 max). Used by growth_latency.sh to watch
a server's latency while another client loads it."""
import argparse
import gc
import signal
import socket
import time

stop = False


def on_signal(*_):
    global stop
    stop = True


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("port", type=int)
    ap.add_argument("--seconds", type=float, default=600)
    args = ap.parse_args()
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    gc.disable()  # a collection pause would be blamed on the server
    sock = socket.create_connection(("127.0.0.1", args.port))
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    request = b"*2\r\n$3\r\nGET\r\n$14\r\nkey:0000000001\r\n"
    samples = []
    deadline = time.monotonic() + args.seconds
    while not stop and time.monotonic() < deadline:
        t0 = time.perf_counter_ns()
        sock.sendall(request)
        data = sock.recv(65536)
        while not (data.endswith(b"\r\n") and (data.startswith(b"$-1") or data.count(b"\r\n") >= 2)):
            data += sock.recv(65536)
        samples.append(time.perf_counter_ns() - t0)
        time.sleep(0.0005)  # leave the shared core to the loader
    samples.sort()
    n = len(samples)

    def pct(p):
        return samples[min(n - 1, int(n * p))] / 1e6

    print("count=%d avg=%.3f p50=%.3f p99=%.3f p99.9=%.3f max=%.3f" % (
        n, sum(samples) / n / 1e6, pct(0.5), pct(0.99), pct(0.999), samples[-1] / 1e6))


if __name__ == "__main__":
    main()
