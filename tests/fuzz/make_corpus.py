#!/usr/bin/env python3
"""Writes the seed corpora of tests/fuzz/corpus/<target>/ from the tests: the differential
test's command sequences (tests/integration/differential_commands.py), values of every type and
encoding DUMPed from ember and from redis-server, their RDB files after SAVE, ember's AOF, and
requests and script arguments written here. Run again when the formats grow:
    EMBER_SERVER=build/release/ember-server python3 tests/fuzz/make_corpus.py
"""
import glob
import hashlib
import os
import shutil
import sys
import tempfile

import redis

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "integration"))
import differential_commands  # noqa: E402
from harness import ServerConfig, ServerProcess  # noqa: E402

CORPUS = os.path.join(HERE, "corpus")


def write(target, data):
    if isinstance(data, str):
        data = data.encode()
    os.makedirs(os.path.join(CORPUS, target), exist_ok=True)
    name = hashlib.sha1(data).hexdigest()[:16]
    with open(os.path.join(CORPUS, target, name), "wb") as f:
        f.write(data)


def quote(arg):
    """One argument in redis-cli syntax (what the dispatch target's line splitter reads)."""
    if isinstance(arg, str):
        arg = arg.encode()
    out = '"'
    for b in arg:
        c = chr(b)
        if c in '"\\':
            out += "\\" + c
        elif 32 <= b < 127:
            out += c
        else:
            out += "\\x%02x" % b
    return out + '"'


EXTRA_COMMANDS = [
    "XADD s * a 1 b 2\nXADD s 5-1 c 3\nXGROUP CREATE s g 0\nXREADGROUP GROUP g c COUNT 2 STREAMS s >"
    "\nXPENDING s g - + 10\nXCLAIM s g c2 0 5-1\nXAUTOCLAIM s g c3 0 0\nXINFO STREAM s FULL\nXTRIM s MAXLEN 1",
    "SETBIT b 100 1\nBITCOUNT b\nBITPOS b 1\nBITFIELD b SET u63 0 9223372036854775807 INCRBY i5 3 100"
    "\nBITOP XOR d b missing\nGETRANGE b 0 -1",
    "PFADD h a b c\nPFADD h2 x\nPFMERGE h3 h h2\nPFCOUNT h h2",
    "GEOADD g 13.36 38.11 Palermo 15.08 37.50 Catania\nGEODIST g Palermo Catania km"
    "\nGEOSEARCH g FROMLONLAT 15 37 BYRADIUS 200 km ASC WITHCOORD\nGEOHASH g Palermo",
    "MULTI\nSET a 1\nINCR a\nLPUSH l x\nEXEC\nWATCH a\nMULTI\nDISCARD",
    "BLPOP l1 l2 0.01\nBZPOPMIN z 0.01\nBLMOVE a b LEFT RIGHT 0.01\nXREAD BLOCK 1 STREAMS s $",
    "CONFIG SET hash-max-listpack-entries 1\nHSET h a 1 b 2 c 3\nOBJECT ENCODING h"
    "\nCONFIG SET maxmemory 1mb maxmemory-policy allkeys-lru\nSET k v",
    "SADD s 1 2 3\nSRANDMEMBER s -8429496729600\nZADD z 1 a\nZRANDMEMBER z -8429496729600"
    "\nHSET h a b\nHRANDFIELD h -8429496729600 WITHVALUES\nLRANGE l 0 -1\nKEYS *",
    "SUBSCRIBE c\nPSUBSCRIBE p*\nPUBLISH c m\nUNSUBSCRIBE\nCLIENT TRACKING ON\nGET k\nCLIENT LIST",
    "HELLO 3\nHGETALL h\nZRANGE z 0 -1 WITHSCORES\nCLIENT INFO\nINFO\nCOMMAND DOCS get",
    "SET k 10\nSORT l BY w_* GET # GET o_*\nLCS a b IDX WITHMATCHLEN\nOBJECT FREQ k\nMEMORY USAGE k",
    "SETRANGE k 1048570 abcdefghij\nAPPEND k x\nSETEX e 100 v\nGETEX e PERSIST\nEXPIREAT e 1 NX",
    "RPUSH l a b c\nLPOS l b RANK -1\nLINSERT l BEFORE b z\nLMPOP 2 l m LEFT COUNT 2\nLSET l 0 q",
    "ZADD z 1 a 2 b 3 c\nZUNIONSTORE d 2 z z WEIGHTS 2 3 AGGREGATE MAX\nZRANGESTORE e z 0 -1 REV",
    "SELECT 3\nSET k v\nMOVE k 0\nSWAPDB 0 3\nCOPY k k2 DB 5\nRANDOMKEY\nSCAN 0 MATCH * COUNT 5",
]


def dispatch_corpus():
    for seed in range(1, 41):
        lines = [" ".join(quote(a) for a in args) for args in differential_commands.sequence(seed, 24)]
        write("command-dispatch", "\n".join(lines))
    for text in EXTRA_COMMANDS:
        write("command-dispatch", text)


def fill(r):
    """Keys of every type, each in its small and its large encoding."""
    r.set("str", "hello")
    r.set("int", "12345")
    r.set("big", "x" * 300)
    r.rpush("list", "a", "b", "1", "2")
    r.rpush("biglist", *["v%d" % i for i in range(300)])
    r.sadd("intset", 1, 2, 3, -7)
    r.sadd("set", "a", "b", "c")
    r.sadd("bigset", *["m%d" % i for i in range(200)])
    r.hset("hash", mapping={"a": "1", "b": "2"})
    r.hset("bighash", mapping={"f%d" % i: "v%d" % i for i in range(200)})
    r.zadd("zset", {"a": 1, "b": 2.5, "c": -3})
    r.zadd("bigzset", {"m%d" % i: i / 3 for i in range(200)})
    r.xadd("stream", {"a": "1", "b": "x"})
    r.xadd("stream", {"a": "2"})
    r.xgroup_create("stream", "g", "0")
    r.xreadgroup("g", "c", {"stream": ">"}, count=1)
    r.pfadd("hll", "a", "b", "c")
    r.setbit("bits", 77, 1)
    r.set("ttl", "v", ex=1000)


def server_corpora(config, extra, tmp):
    server = ServerProcess(config, extra).start()
    try:
        r = redis.Redis(port=server.port)
        fill(r)
        for key in r.keys("*"):
            write("restore-payload", r.dump(key)[:-10])  # without the version and CRC footer
        r.save()
    finally:
        server.stop()
        server.remove_log()
    for path in glob.glob(os.path.join(tmp, "*.rdb")):
        with open(path, "rb") as f:
            write("rdb-load", f.read())
    for path in glob.glob(os.path.join(tmp, "appendonlydir", "*.incr.aof")):
        with open(path, "rb") as f:
            write("aof-load", f.read())


def persistence_corpora():
    for config, extra in [(ServerConfig(2, "epoll"), ["--appendonly", "yes"]),
                          (ServerConfig(1, "redis"), ["--appendonly", "yes"])]:
        tmp = tempfile.mkdtemp(prefix="ember-corpus-")
        try:
            flag = "--dir" if config.backend == "redis" else "--data-dir"
            server_corpora(config, extra + [flag, tmp], tmp)
        finally:
            shutil.rmtree(tmp)
    write("aof-load", "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n*1\r\n$5\r\nMULTI\r\n*2\r\n$4\r\n"
                      "INCR\r\n$1\r\nn\r\n*1\r\n$4\r\nEXEC\r\n#annotation\r\n*2\r\n$3\r\nDEL\r\n$1\r\nk\r")


def parser_corpus():
    # Byte 0: limits; byte 1: the chunking seed; then the stream.
    streams = [b"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$5\r\nvalue\r\n*1\r\n$4\r\nPING\r\n",
               b"PING\r\nSET k \"a\\x00b\" 'c d'\n\r\n*0\r\n*-1\r\n",
               b"*2\r\n$4\r\nECHO\r\n$-1\r\n", b"*1\r\n$70000\r\n", b"*12\r\n$1\r\na\r\n",
               b"$5\r\nhello\r\n", b"*1\r\n$3\r\nabcXY", b"*3000000000\r\n", b"  \"unbalanced\n"]
    for i, stream in enumerate(streams):
        write("resp-parser", bytes([i * 3 % 16, 7 + i]) + stream)


def lua_corpus():
    args = [b'{"a":[1,2,{"b":null}],"c":"\\u00e9"}', b"\x93\x01\xa1a\xc0", b">iI4s\n\x01\x00\x00\x00",
            b"<d\n3.5", b"255\n4", b"set\nk\nv", b"1e400", b"\x82\xa1a\x01\xa1b\x92\x02\x03\n2",
            b"[[[[[[[[[[1]]]]]]]]]]", b"hello"]
    for i, arg in enumerate(args):
        for script in (i, i + 1, i + 6):
            write("lua-args", bytes([script]) + arg)


if __name__ == "__main__":
    dispatch_corpus()
    parser_corpus()
    lua_corpus()
    persistence_corpora()
