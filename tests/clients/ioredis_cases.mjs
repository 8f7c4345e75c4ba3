// ioredis 5 against the server on PORT: strings, hashes, lists, pipelines and transactions.
// Keys a, b, c, d land on different shards of a 4-shard ember, so transactions cross shards.
import assert from 'node:assert/strict';
import Redis from 'ioredis';
import { HOST, runCases, withClients } from './cases.mjs';

const EXECABORT = 'EXECABORT Transaction discarded because of previous errors.';
const NOT_INTEGER = 'ERR value is not an integer or out of range';
const WRONGTYPE = 'WRONGTYPE Operation against a key holding the wrong kind of value';

function open(port, options = {}) {
  // No retries and no offline queue: a dropped connection fails the case instead of waiting.
  const client = new Redis({
    host: HOST, port, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null,
    enableOfflineQueue: false, ...options,
  });
  return client.connect().then(() => client);
}

const close = (client) => client.quit();

function clients(port, count, body, options) {
  return withClients(count, () => open(port, options), close, body);
}

// A [error, value] pair of a pipeline or EXEC result whose error is the server's reply `message`.
function assertReplyError(pair, message) {
  assert.ok(pair[0] instanceof Redis.ReplyError, `expected error ${message}, got ${JSON.stringify(pair)}`);
  assert.equal(pair[0].message, message);
}

const cases = {
  async strings(port) {
    await clients(port, 1, async (r) => {
      assert.equal(await r.set('a', 'hello'), 'OK');
      assert.equal(await r.get('a'), 'hello');
      assert.equal(await r.get('missing'), null);
      assert.equal(await r.append('a', ' world'), 11);
      assert.equal(await r.strlen('a'), 11);
      assert.equal(await r.incr('n'), 1);
      assert.equal(await r.incrby('n', 41), 42);
      assert.equal(await r.decr('n'), 41);
      assert.equal(await r.incrbyfloat('f', '1.5'), '1.5');
      assert.equal(await r.mset({ b: '2', c: '3' }), 'OK');
      assert.deepEqual(await r.mget('a', 'b', 'c', 'missing'), ['hello world', '2', '3', null]);
      assert.equal(await r.set('a', 'x', 'NX'), null);
      assert.equal(await r.set('e', 'v', 'EX', 100), 'OK');
      const ttl = await r.ttl('e');
      assert.ok(ttl > 90 && ttl <= 100, `ttl ${ttl}`);
      assert.equal(await r.exists('a', 'b', 'missing'), 2);
      assert.equal(await r.del('a', 'b', 'missing'), 2);
      assert.equal(await r.type('c'), 'string');
      const bytes = Buffer.from([0, 1, 2, 255, 13, 10]);
      await r.set('bin', bytes);
      assert.deepEqual(await r.getBuffer('bin'), bytes);
      await assert.rejects(r.incr('e'), { name: 'ReplyError', message: NOT_INTEGER });
    });
  },

  async hashes(port) {
    await clients(port, 1, async (r) => {
      assert.equal(await r.hset('h', { f1: 'v1', f2: 'v2' }), 2);
      assert.equal(await r.hset('h', 'f2', 'v2b', 'f3', 'v3'), 1);
      assert.deepEqual(await r.hgetall('h'), { f1: 'v1', f2: 'v2b', f3: 'v3' });
      assert.equal(await r.hget('h', 'f2'), 'v2b');
      assert.deepEqual(await r.hmget('h', 'f1', 'nope'), ['v1', null]);
      assert.equal(await r.hincrby('h', 'count', 5), 5);
      assert.equal(await r.hlen('h'), 4);
      assert.equal(await r.hexists('h', 'f1'), 1);
      assert.equal(await r.hdel('h', 'f1', 'nope'), 1);
      assert.deepEqual((await r.hkeys('h')).sort(), ['count', 'f2', 'f3']);
      assert.deepEqual(await r.hgetall('missing'), {});
      await r.set('s', 'x');
      await assert.rejects(r.hget('s', 'f'), { name: 'ReplyError', message: WRONGTYPE });
    });
  },

  async lists(port) {
    await clients(port, 1, async (r) => {
      assert.equal(await r.rpush('l', 'a', 'b', 'c'), 3);
      assert.equal(await r.lpush('l', 'z'), 4);
      assert.deepEqual(await r.lrange('l', 0, -1), ['z', 'a', 'b', 'c']);
      assert.equal(await r.llen('l'), 4);
      assert.equal(await r.lpop('l'), 'z');
      assert.equal(await r.rpop('l'), 'c');
      assert.equal(await r.lindex('l', 1), 'b');
      assert.deepEqual(await r.blpop('l', 1), ['l', 'a']);
      assert.deepEqual(await r.lpop('l', 5), ['b']);
      assert.equal(await r.exists('l'), 0);
      assert.equal(await r.blpop('l', 0.1), null);
    });
  },

  async pipeline(port) {
    await clients(port, 1, async (r) => {
      const results = await r.pipeline().set('a', 'v').get('a').incr('a').rpush('b', '1', '2')
        .lrange('b', 0, -1).exec();
      assert.deepEqual(results[0], [null, 'OK']);
      assert.deepEqual(results[1], [null, 'v']);
      assertReplyError(results[2], NOT_INTEGER);
      assert.deepEqual(results.slice(3), [[null, 2], [null, ['1', '2']]]);

      // 2,000 commands in one pipeline: every reply comes back, in order.
      const many = r.pipeline();
      for (let i = 0; i < 1000; i++) many.incr('c').get('c');
      const replies = await many.exec();
      assert.equal(replies.length, 2000);
      for (let i = 0; i < 1000; i++) {
        assert.deepEqual(replies[2 * i], [null, i + 1]);
        assert.deepEqual(replies[2 * i + 1], [null, String(i + 1)]);
      }
    });
    // Auto-pipelining batches concurrent calls into one write; the replies must still match.
    await clients(port, 1, async (r) => {
      const counts = await Promise.all(Array.from({ length: 300 }, () => r.incr('d')));
      assert.deepEqual(counts, Array.from({ length: 300 }, (_, i) => i + 1));
    }, { enableAutoPipelining: true });
  },

  async multi_exec(port) {
    await clients(port, 1, async (r) => {
      const results = await r.multi().set('a', '1').incr('a').lpush('b', 'x', 'y').hset('c', 'f', 'v')
        .mget('a', 'd').exec();
      assert.deepEqual(results, [[null, 'OK'], [null, 2], [null, 2], [null, 1], [null, ['2', null]]]);
      assert.deepEqual(await r.multi().exec(), []);
      // The client is usable after EXEC, and a second transaction sees the first one's writes.
      assert.deepEqual(await r.multi().get('a').lrange('b', 0, -1).exec(), [[null, '2'], [null, ['y', 'x']]]);
    });
  },

  async multi_command_error(port) {
    await clients(port, 1, async (r) => {
      // A command that fails while EXEC runs fails alone: the commands around it still run.
      const results = await r.multi().set('a', 'text').incr('a').set('b', '1').lpush('a', 'x').incr('b')
        .exec();
      assert.deepEqual(results[0], [null, 'OK']);
      assertReplyError(results[1], NOT_INTEGER);
      assert.deepEqual(results[2], [null, 'OK']);
      assertReplyError(results[3], WRONGTYPE);
      assert.deepEqual(results[4], [null, 2]);
      assert.deepEqual(await r.mget('a', 'b'), ['text', '2']);
    });
  },

  async multi_queue_error_execabort(port) {
    await clients(port, 1, async (r) => {
      // An unknown command is refused when queued, so EXEC discards the whole transaction.
      const unknown = r.multi().set('a', '1').call('NOSUCHCOMMAND', 'x').set('b', '2').exec();
      await assert.rejects(unknown, (error) => {
        assert.equal(error.message, EXECABORT);
        assert.equal(error.previousErrors.length, 1);
        assert.match(error.previousErrors[0].message, /^ERR unknown command 'NOSUCHCOMMAND'/);
        return true;
      });
      // So is a command with the wrong number of arguments.
      const arity = r.multi().set('a', '1').call('GET').exec();
      await assert.rejects(arity, (error) => {
        assert.equal(error.message, EXECABORT);
        assert.deepEqual(error.previousErrors.map((e) => e.message),
          ["ERR wrong number of arguments for 'get' command"]);
        return true;
      });
      assert.deepEqual(await r.mget('a', 'b'), [null, null]);
      assert.equal(await r.set('c', 'after'), 'OK'); // the connection left MULTI
    });
  },

  async watch_conflict(port) {
    await clients(port, 2, async (r, other) => {
      await r.set('a', '0');
      assert.equal(await r.watch('a', 'c'), 'OK');
      assert.equal(await other.set('a', 'other'), 'OK');
      // The watched key changed: EXEC runs nothing and answers null.
      assert.equal(await r.multi().set('a', 'mine').set('b', 'mine').exec(), null);
      assert.deepEqual(await r.mget('a', 'b'), ['other', null]);

      // EXEC forgot the watch: the same transaction now runs.
      assert.deepEqual(await r.multi().set('a', 'mine').exec(), [[null, 'OK']]);

      // A watched key on another shard that nobody touches lets EXEC run; UNWATCH forgets a touch.
      await r.watch('b', 'd');
      await other.set('c', 'unwatched');
      assert.deepEqual(await r.multi().incr('n').exec(), [[null, 1]]);
      await r.watch('a');
      await other.set('a', 'again');
      assert.equal(await r.unwatch(), 'OK');
      assert.deepEqual(await r.multi().get('a').exec(), [[null, 'again']]);
    });
  },

  async watch_optimistic_increment(port) {
    // The WATCH retry loop many apps use: concurrent increments through check-and-set lose nothing.
    await clients(port, 4, async (...rs) => {
      await rs[0].set('a', '0');
      const bump = async (r, times) => {
        let retries = 0;
        for (let done = 0; done < times;) {
          await r.watch('a');
          const value = Number(await r.get('a'));
          const result = await r.multi().set('a', String(value + 1)).exec();
          if (result === null) retries++;
          else done++;
        }
        return retries;
      };
      await Promise.all(rs.map((r) => bump(r, 50)));
      assert.equal(await rs[0].get('a'), String(4 * 50));
    });
  },

  async multi_without_pipeline(port) {
    await clients(port, 1, async (r) => {
      // pipeline: false sends MULTI at once; each command then answers QUEUED by itself.
      assert.equal(await r.multi({ pipeline: false }), 'OK');
      assert.equal(await r.set('a', '1'), 'QUEUED');
      assert.equal(await r.incr('a'), 'QUEUED');
      assert.equal(await r.get('b'), 'QUEUED');
      assert.deepEqual(await r.exec(), [[null, 'OK'], [null, 2], [null, null]]);

      assert.equal(await r.multi({ pipeline: false }), 'OK');
      assert.equal(await r.incr('a'), 'QUEUED');
      assert.equal(await r.discard(), 'OK');
      assert.equal(await r.get('a'), '2');

      await assert.rejects(r.exec(), { message: 'ERR EXEC without MULTI' });
      assert.equal(await r.multi({ pipeline: false }), 'OK');
      await assert.rejects(r.multi({ pipeline: false }), { message: 'ERR MULTI calls can not be nested' });
      await assert.rejects(r.watch('a'), { message: 'ERR WATCH inside MULTI is not allowed' });
      assert.deepEqual(await r.exec(), []);
    });
  },
};

await runCases(cases);
