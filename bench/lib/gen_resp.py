#!/usr/bin/env python3
"""Writes N SET commands as a raw RESP stream to stdout, for `redis-cli --pipe`.

Keys are key:%010d (0 .. N-1), values are 16 bytes (%016d of the index; padded
with 'v' to --value-size), so every server under test stores exactly the same data. With --ttl S each
command is `SET key value EX S`.

    gen_resp.py 1000000 | redis-cli -p PORT --pipe
    gen_resp.py 1000000 --ttl 100000 | redis-cli -p PORT --pipe
"""
import argparse
import sys


def bulk(b: bytes) -> bytes:
    return b"$%d\r\n%s\r\n" % (len(b), b)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("keys", type=int, help="number of keys to SET")
    ap.add_argument("--ttl", type=int, default=0, help="EX seconds (0: no TTL)")
    ap.add_argument("--value-size", type=int, default=16, help="value bytes (default 16)")
    args = ap.parse_args()

    if args.ttl > 0:
        head = b"*5\r\n" + bulk(b"SET")
        tail = bulk(b"EX") + bulk(b"%d" % args.ttl)
    else:
        head = b"*3\r\n" + bulk(b"SET")
        tail = b""

    out = sys.stdout.buffer
    chunk = []
    for i in range(args.keys):
        value = (b"%016d" % i).ljust(args.value_size, b"v")[:args.value_size]
        chunk.append(head + bulk(b"key:%010d" % i) + bulk(value) + tail)
        if len(chunk) == 65536:
            out.write(b"".join(chunk))
            chunk.clear()
    out.write(b"".join(chunk))
    out.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
