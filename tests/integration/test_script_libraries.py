"""The Lua libraries scripts get (cjson, cmsgpack, bit, struct), differentially: every snippet
runs through EVAL on the server under test and on a reference redis-server 7.0, and the two
replies (values, or error messages with their "user_script:1:" framing) must be identical.

Skipped while the server answers EVAL with "unknown command" (ember before scripting lands).
Against redis-server itself (EMBER_TEST_TARGET=redis) it checks the snippets run. Runs on one
`server` configuration: the libraries do not depend on shards or the io backend.

cjson's settings belong to the interpreter (and ember has one per thread), so a snippet that
changes one restores it before it returns. Lua's table order is not compared: snippets sort or
use one key.
"""

import os

import pytest
import redis

import harness

pytestmark = pytest.mark.skipif(not os.access(harness.REDIS_SERVER, os.X_OK),
                                reason="%s not found" % harness.REDIS_SERVER)

TIMEOUT = 10.0 * harness.SLOWDOWN

HEX = ("local function hex(s) return (s:gsub('.', function(c) "
       "return string.format('%02x', c:byte()) end)) end "
       "local function unhex(h) return (h:gsub('%x%x', function(x) "
       "return string.char(tonumber(x, 16)) end)) end ")

CJSON = [
    "return cjson.encode({1, 2, 3, {a = 1}})",
    "return cjson.encode({})",
    "return cjson.encode({cjson.null, true, false, 'x'})",
    "return {cjson.encode(0.1), cjson.encode(1e15), cjson.encode(123456789012345678), cjson.encode(-0.5)}",
    "return cjson.encode({[1] = 1, [3] = 3})",
    "return cjson.encode({[1.5] = 1})",
    "return cjson.encode('\\0\\1\\127/\"\\\\\\n\\r\\t\\b\\12\\200\\255')",
    "return cjson.encode(cjson.decode('[1,null,3,{\"b\":[true,false]}]'))",
    "local t = cjson.decode('{\"a\":{\"b\":[1,2,{\"c\":\"d\"}]}}') return {t.a.b[1], t.a.b[3].c}",
    "return cjson.decode('\"\\\\u00e9\\\\ud83d\\\\ude00\"')",
    "return {cjson.decode(' 12 '), cjson.decode('0x10'), tostring(cjson.decode('1e300'))}",
    "return cjson.decode('[1,null]')[2] == cjson.null",
    "return {cjson.encode_keep_buffer(), cjson.encode_max_depth(), cjson.decode_max_depth(), cjson.encode_number_precision()}",
    "return {cjson.encode_sparse_array()}",
    "return cjson.encode(0/0)",
    "return cjson.encode({[1] = 1, [30] = 3})",
    "local t = {} t[1] = t return cjson.encode(t)",
    "return cjson.encode({a = function() end})",
    "return cjson.encode({[true] = 1})",
    "return cjson.encode()",
    "return cjson.decode('[1,2')",
    "return cjson.decode('{\"a\":1,}')",
    "return cjson.decode('')",
    "return cjson.decode(nil)",
    "return cjson.decode(string.rep('[', 1001) .. string.rep(']', 1001))",
    "return pcall(cjson.decode, '[1,')",
    "local old = cjson.encode_number_precision() cjson.encode_number_precision(3) "
    "local s = cjson.encode(3.14159) cjson.encode_number_precision(old) return s",
    "local c = cjson.new() c.encode_sparse_array(true) return c.encode({[1] = 1, [30] = 3})",
    "return cjson._NAME .. ' ' .. cjson._VERSION",
]

CMSGPACK = [
    "return hex(cmsgpack.pack(1, 2, 'x', true, false, nil))",
    "return hex(cmsgpack.pack(127, 128, 255, 256, 65535, 65536, 2^32-1, 2^32, 2^53, 2^63))",
    "return hex(cmsgpack.pack(-1, -32, -33, -128, -129, -32768, -32769, -2^31, -2^31-1, -2^63))",
    "return hex(cmsgpack.pack(1.5, 0.1, 1/0, -1/0, -0.0, 1e300, 2^-149))",
    "return hex(cmsgpack.pack(string.rep('a', 31), string.rep('b', 32)))",
    "return {#cmsgpack.pack(string.rep('a', 255)), #cmsgpack.pack(string.rep('a', 256)), #cmsgpack.pack(string.rep('a', 65536))}",
    "return hex(cmsgpack.pack({}, {1, 2, 3}, {1, 2, nil, 4}, {a = 1}, {[0] = 1}, {[1.5] = 1}))",
    "local t = {} for i = 1, 70000 do t[i] = i % 200 end return hex(cmsgpack.pack(t):sub(1, 12))",
    "local t = {} t[1] = t return hex(cmsgpack.pack(t))",
    "return hex(cmsgpack.pack(function() end))",
    "return {cmsgpack.unpack('\\1\\2\\3')}",
    "return {cmsgpack.unpack('')}",
    "return {cmsgpack.unpack(unhex('d0ffd1fffed2fffffffecdfffecefffffffee0c0c3c2'))}",
    "return {tostring(cmsgpack.unpack(unhex('cfffffffffffffffff'))), tostring(cmsgpack.unpack(unhex('d38000000000000000')))}",
    "return {tostring(cmsgpack.unpack(unhex('ca3fc00000'))), tostring(cmsgpack.unpack(unhex('cb3fb999999999999a')))}",
    "return cmsgpack.unpack(unhex('93' .. '01c003'))",
    "return cmsgpack.unpack(unhex('dc00020102'))",
    "local t = cmsgpack.unpack(unhex('81a16102')) return t.a",
    "return {cmsgpack.unpack(unhex('d9026162da00026162db000000026162'))}",
    "local v = {1, 'two', {three = 3, [4] = {true, false}}, -5.25} local u = cmsgpack.unpack(cmsgpack.pack(v)) "
    "return {u[1], u[2], u[3].three, u[3][4][1], tostring(u[4])}",
    "return {cmsgpack.unpack_one('\\1\\2\\3')}",
    "return {cmsgpack.unpack_one('\\1\\2\\3', 2)}",
    "return {cmsgpack.unpack_one('\\1\\2\\3', 3)}",
    "return {cmsgpack.unpack_limit('\\1\\2\\3', 2)}",
    "return {cmsgpack.unpack_limit('\\1\\2\\3', 1, 1)}",
    "return {cmsgpack.unpack_limit('\\1\\2\\3', 0)}",
    "return cmsgpack.pack()",
    "return cmsgpack.unpack(unhex('c1'))",
    "return cmsgpack.unpack(unhex('c4016161'))",
    "return cmsgpack.unpack(unhex('9201'))",
    "return cmsgpack.unpack(unhex('81c001'))",
    "return cmsgpack.unpack_one('abc', 10)",
    "return cmsgpack.unpack_limit('\\1\\2\\3', -1)",
    "return cmsgpack.unpack({})",
    "return cmsgpack.unpack(string.rep('\\1', 9000))",
    "return {cmsgpack._NAME, cmsgpack._VERSION, cmsgpack._COPYRIGHT, cmsgpack._DESCRIPTION}",
]

BIT = [
    "return {bit.tobit(2^32 + 5), bit.tohex(-1), bit.tohex(255, 4), bit.tohex(255, -4), bit.bnot(0)}",
    "return {bit.bor(1, 2, 4), bit.band(0xff, 0x0f, 3), bit.bxor(5, 3)}",
    "return {bit.lshift(1, 31), bit.rshift(-1, 28), bit.arshift(-256, 4)}",
    "return {bit.rol(0x12345678, 8), bit.ror(0x12345678, 8), bit.bswap(0x12345678)}",
    "return bit.band('x')",
    "return bit.band()",
]

STRUCT = [
    "return hex(struct.pack('>I2<I2>i4', 258, 258, -2))",
    "return hex(struct.pack('<hHlLT', -1, 65535, -1, 5, 6))",
    "return hex(struct.pack('b>L>L>L', 300, 2^63, 2^64, 0/0))",
    "return hex(struct.pack('>i16', -2))",
    "return {struct.unpack('>i9', unhex('fffffffffffffffffe'))}",
    "return hex(struct.pack('<f>d', 1.5, 0.1))",
    "return {tostring((struct.unpack('>d', struct.pack('>d', 0.1))))}",
    "return hex(struct.pack('s c3 c0', 'a\\0b', 'abcdef', 'xyz'))",
    "return {struct.unpack('ss', 'ab\\0cd\\0')}",
    "return {struct.unpack('bc0', '\\3abcd')}",
    "return {struct.unpack('c1c0', '3abc')}",
    "return hex(struct.pack('!4bi!bd!2bi3h', 1, 2, 3, 4, 5, 6, 7))",
    "return {struct.unpack('!4bi', 'a\\0\\0\\0\\1\\0\\0\\0')}",
    "return {struct.size('!8bd'), struct.size('!4bI3'), struct.size('xxxh'), struct.size('i3q')}",
    "return {struct.unpack('b', 'abc', 3)}",
    "return {struct.unpack('', 'abc', 10)}",
    "return struct.pack('c5', 'abc')",
    "return struct.pack('q', 1)",
    "return struct.pack('i33', 1)",
    "return struct.pack('!3', 1)",
    "return struct.pack('c2147483648', 'a')",
    "return struct.pack('i')",
    "return struct.unpack('s', 'abc')",
    "return struct.unpack('c0', '12')",
    "return struct.unpack('b', 'abc', 0)",
    "return struct.unpack('b', 'abc', 4)",
    "return struct.unpack('bc0', '\\255abcd')",
    "return struct.size('s')",
    "return struct.size('%')",
    "return struct.unpack(string.rep('b', 9000), string.rep('a', 9000))",
]

SNIPPETS = ([("cjson", s) for s in CJSON] + [("cmsgpack", s) for s in CMSGPACK] +
            [("bit", s) for s in BIT] + [("struct", s) for s in STRUCT])


def _client(port):
    return redis.Redis(host="127.0.0.1", port=port, decode_responses=False,
                       socket_timeout=TIMEOUT, socket_connect_timeout=TIMEOUT)


@pytest.fixture(scope="module")
def clients(server, redis_ref):
    if server.config.name != harness.selected_configs()[0].name:
        pytest.skip("runs on %s only" % harness.selected_configs()[0].name)
    tested, reference = _client(server.port), _client(redis_ref.port)
    try:
        tested.eval("return 1", 0)
    except redis.ResponseError as e:
        if "unknown command" in str(e):
            tested.close()
            reference.close()
            pytest.skip("the server has no EVAL yet: %s" % e)
    yield tested, reference
    tested.close()
    reference.close()


def _reply(client, script):
    try:
        return ("reply", client.eval(HEX + script, 0))
    except redis.ResponseError as e:
        return ("error", str(e))


@pytest.mark.parametrize("library,script", SNIPPETS,
                         ids=["%s-%d" % (lib, i) for i, (lib, _) in enumerate(SNIPPETS)])
def test_snippet_replies_like_redis(clients, library, script):
    tested, reference = clients
    expected = _reply(reference, script)
    # A typo in the snippet would compare two equal compile errors: the snippet must run on Redis.
    assert not (expected[0] == "error" and ("Error compiling" in expected[1] or
                                            "nonexistent global" in expected[1])), expected
    assert _reply(tested, script) == expected, "%s snippet: %s" % (library, script)
