#!/usr/bin/env python3
"""Writes a RESP stream that builds one data-type scenario, for `redis-cli --pipe`.

    gen_types.py small-hashes N   N hashes hash:%08d of 10 fields (f0..f9 -> 8-byte values)
    gen_types.py big-hash N       one hash of N fields field:%08d -> value:%08d
    gen_types.py zset N           one sorted set of N members member:%08d, scores 0..N-1
    gen_types.py int-set N        one set of the N integers 0..N-1

Prints the number of commands it wrote to stderr (redis-cli --pipe reports replies)."""
import sys

BATCH = 100  # elements per command for the single big collections


def bulk(b: bytes) -> bytes:
    return b"$%d\r\n%s\r\n" % (len(b), b)


def command(*parts: bytes) -> bytes:
    return b"*%d\r\n" % len(parts) + b"".join(bulk(p) for p in parts)


def main() -> int:
    kind, n = sys.argv[1], int(sys.argv[2])
    out = sys.stdout.buffer
    count = 0
    chunk = []

    def emit(cmd):
        nonlocal count
        chunk.append(cmd)
        count += 1
        if len(chunk) >= 4096:
            out.write(b"".join(chunk))
            chunk.clear()

    if kind == "small-hashes":
        fields = []
        for f in range(10):
            fields += [b"f%d" % f, b"%08d" % f]
        for i in range(n):
            emit(command(b"HSET", b"hash:%08d" % i, *fields))
    else:
        verb, key = {"big-hash": (b"HSET", b"bighash"), "zset": (b"ZADD", b"zset"),
                     "int-set": (b"SADD", b"intset")}[kind]
        for start in range(0, n, BATCH):
            parts = [verb, key]
            for i in range(start, min(n, start + BATCH)):
                if kind == "big-hash":
                    parts += [b"field:%08d" % i, b"value:%08d" % i]
                elif kind == "zset":
                    parts += [b"%d" % i, b"member:%08d" % i]
                else:
                    parts.append(b"%d" % i)
            emit(command(*parts))
    out.write(b"".join(chunk))
    out.flush()
    print(count, file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
