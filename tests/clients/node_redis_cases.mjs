// node-redis 4 (the `redis` package, RESP2) against the server on PORT: basic commands,
// pipelines and transactions. Keys a, b, c, d land on different shards of a 4-shard ember.
import assert from 'node:assert/strict';
import { createClient, ErrorReply, MultiErrorReply, WatchError } from 'redis';
import { HOST, runCases, withClients } from './cases.mjs';

const EXECABORT = 'EXECABORT Transaction discarded because of previous errors.';
const NOT_INTEGER = 'ERR value is not an integer or out of range';
const WRONGTYPE = 'WRONGTYPE Operation against a key holding the wrong kind of value';

function open(port, options = {}) {
  // No reconnecting: a dropped connection fails the case instead of retrying forever.
  const client = createClient({
    socket: { host: HOST, port, reconnectStrategy: false, connectTimeout: 5000 },
    disableOfflineQueue: true,
    ...options,
  });
  client.on('error', () => {}); // errors reach the awaiting call; unhandled they would exit node
  return client.connect().then(() => client);
}

const close = (client) => client.quit();

function clients(port, count, body, options) {
  return withClients(count, () => open(port, options), close, body);
}

const cases = {
  async basics(port) {
    await clients(port, 1, async (r) => {
      assert.equal(await r.set('a', 'hello'), 'OK');
      assert.equal(await r.get('a'), 'hello');
      assert.equal(await r.get('missing'), null);
      assert.equal(await r.set('a', 'x', { NX: true }), null);
      assert.equal(await r.set('e', 'v', { EX: 100 }), 'OK');
      const ttl = await r.ttl('e');
      assert.ok(ttl > 90 && ttl <= 100, `ttl ${ttl}`);
      assert.equal(await r.incrBy('n', 5), 5);
      assert.deepEqual(await r.mGet(['a', 'n', 'missing']), ['hello', '5', null]);
      assert.equal(await r.exists(['a', 'n', 'missing']), 2);
      assert.equal(await r.hSet('h', { f1: 'v1', f2: 'v2' }), 2);
      assert.deepEqual({ ...(await r.hGetAll('h')) }, { f1: 'v1', f2: 'v2' });
      assert.equal(await r.hIncrBy('h', 'c', 3), 3);
      assert.equal(await r.rPush('l', ['x', 'y', 'z']), 3);
      assert.deepEqual(await r.lRange('l', 0, -1), ['x', 'y', 'z']);
      assert.deepEqual(await r.blPop('l', 1), { key: 'l', element: 'x' });
      assert.equal(await r.sAdd('s', ['m1', 'm2', 'm1']), 2);
      assert.deepEqual((await r.sMembers('s')).sort(), ['m1', 'm2']);
      assert.equal(await r.zAdd('z', [{ score: 2, value: 'two' }, { score: 1, value: 'one' }]), 2);
      assert.deepEqual(await r.zRangeWithScores('z', 0, -1),
        [{ value: 'one', score: 1 }, { value: 'two', score: 2 }]);
      assert.equal(await r.del(['a', 'h', 'missing']), 2);
      const replyError = (message) => (error) => error instanceof ErrorReply && error.message === message;
      await assert.rejects(r.incr('e'), replyError(NOT_INTEGER));
      await assert.rejects(r.hGet('l', 'f'), replyError(WRONGTYPE));
      assert.equal(await r.ping(), 'PONG');
    });
  },

  async resp2_replies(port) {
    await clients(port, 1, async (r) => {
      // node-redis 4 speaks RESP2 without HELLO: raw replies keep RESP2's shapes.
      assert.equal(await r.sendCommand(['HSET', 'h', 'f', 'v']), 1);
      assert.deepEqual(await r.sendCommand(['HGETALL', 'h']), ['f', 'v']);
      assert.equal(await r.sendCommand(['GET', 'missing']), null);
      assert.equal(await r.sendCommand(['INCRBYFLOAT', 'f', '2.5']), '2.5');
      assert.deepEqual(await r.sendCommand(['ZADD', 'z', '1.5', 'm']), 1);
      assert.deepEqual(await r.sendCommand(['ZRANGE', 'z', '0', '-1', 'WITHSCORES']), ['m', '1.5']);
      assert.equal(await r.sendCommand(['ZSCORE', 'z', 'm']), '1.5');
      assert.deepEqual(await r.sendCommand(['SMISMEMBER', 'none', 'x']), [0]);
      const info = await r.sendCommand(['CLIENT', 'INFO']);
      assert.match(info, /(^| )resp=2(\s|$)/);
    });
  },

  async pipeline(port) {
    await clients(port, 1, async (r) => {
      // Concurrent calls are written together; their replies keep the order they were sent in.
      const counts = await Promise.all(Array.from({ length: 500 }, () => r.incr('c')));
      assert.deepEqual(counts, Array.from({ length: 500 }, (_, i) => i + 1));
      const replies = await r.multi().set('a', '1').incr('a').get('a').execAsPipeline();
      assert.deepEqual(replies, ['OK', 2, '2']);
    });
  },

  async multi_exec(port) {
    await clients(port, 1, async (r) => {
      const replies = await r.multi().set('a', '1').incr('a').lPush('b', ['x', 'y']).hSet('c', 'f', 'v')
        .mGet(['a', 'd']).exec();
      assert.deepEqual(replies, ['OK', 2, 2, 1, ['2', null]]);
      assert.deepEqual(await r.multi().get('a').lRange('b', 0, -1).exec(), ['2', ['y', 'x']]);
      assert.deepEqual(await r.multi().exec(), []);
    });
  },

  async multi_command_error(port) {
    await clients(port, 1, async (r) => {
      // A command that fails inside EXEC fails alone; node-redis rejects with every reply.
      const transaction = r.multi().set('a', 'text').incr('a').set('b', '1').lPush('a', 'x').incr('b').exec();
      await assert.rejects(transaction, (error) => {
        assert.ok(error instanceof MultiErrorReply, String(error));
        assert.deepEqual(error.errorIndexes, [1, 3]);
        assert.equal(error.replies[0], 'OK');
        assert.equal(error.replies[1].message, NOT_INTEGER);
        assert.equal(error.replies[3].message, WRONGTYPE);
        assert.equal(error.replies[4], 2);
        return true;
      });
      assert.deepEqual(await r.mGet(['a', 'b']), ['text', '2']);
    });
  },

  async multi_queue_error(port) {
    await clients(port, 1, async (r) => {
      // The unknown command is refused when queued and EXEC discards everything.
      const transaction = r.multi().set('a', '1').addCommand(['NOSUCHCOMMAND', 'x']).set('b', '2').exec();
      await assert.rejects(transaction, (error) => {
        assert.ok(error instanceof ErrorReply, String(error));
        assert.equal(error.message, EXECABORT);
        return true;
      });
      assert.deepEqual(await r.mGet(['a', 'b']), [null, null]);
      const raw = await r.executeIsolated(async (iso) => {
        assert.equal(await iso.sendCommand(['MULTI']), 'OK');
        await assert.rejects(iso.sendCommand(['GET']),
          { message: "ERR wrong number of arguments for 'get' command" });
        return iso.sendCommand(['EXEC']).catch((error) => error);
      });
      assert.ok(raw instanceof ErrorReply);
      assert.equal(raw.message, EXECABORT);
    });
  },

  async watch_conflict(port) {
    await clients(port, 2, async (r, other) => {
      await r.set('a', '0');
      // WATCH on an isolated connection, a write from another client, then EXEC: WatchError.
      const attempt = r.executeIsolated(async (iso) => {
        assert.equal(await iso.watch(['a', 'c']), 'OK');
        assert.equal(await other.set('a', 'other'), 'OK');
        return iso.multi().set('a', 'mine').set('b', 'mine').exec();
      });
      await assert.rejects(attempt, WatchError);
      assert.deepEqual(await r.mGet(['a', 'b']), ['other', null]);

      // Untouched watched keys (on several shards) let the transaction run.
      const replies = await r.executeIsolated(async (iso) => {
        await iso.watch(['a', 'b', 'd']);
        await other.set('c', 'unwatched');
        return iso.multi().set('a', 'mine').exec();
      });
      assert.deepEqual(replies, ['OK']);
      assert.equal(await r.get('a'), 'mine');

      // UNWATCH forgets the touch.
      const afterUnwatch = await r.executeIsolated(async (iso) => {
        await iso.watch('a');
        await other.set('a', 'again');
        assert.equal(await iso.unwatch(), 'OK');
        return iso.multi().get('a').exec();
      });
      assert.deepEqual(afterUnwatch, ['again']);
    });
  },
};

await runCases(cases);
