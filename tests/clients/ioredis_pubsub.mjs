// ioredis 5 pub/sub against the server on PORT: subscribe + on('message'), psubscribe +
// on('pmessage'), unsubscribe, message order from one publisher, PUBSUB introspection.
import assert from 'node:assert/strict';
import Redis from 'ioredis';
import { HOST, SLOWDOWN, collect, runCases, withClients } from './cases.mjs';

const WAIT_MS = 5000 * SLOWDOWN;

function open(port) {
  const client = new Redis({
    host: HOST, port, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null,
    enableOfflineQueue: false,
  });
  return client.connect().then(() => client);
}

// A subscriber and a publisher.
function pair(port, body) {
  return withClients(2, () => open(port), (client) => client.quit(), body);
}

const cases = {
  async subscribe_publish(port) {
    await pair(port, async (sub, pub) => {
      const messages = collect(3, WAIT_MS,
        (push) => sub.on('message', (channel, message) => push([channel, message])));
      assert.equal(await sub.subscribe('ch1', 'ch2'), 2);
      assert.deepEqual(await sub.ping(), ['pong', '']); // PING's reply in RESP2 subscribed mode
      assert.equal(await pub.publish('ch1', 'hello'), 1);
      assert.equal(await pub.publish('nobody', 'lost'), 0);
      assert.equal(await pub.publish('ch2', 'world'), 1);
      assert.equal(await pub.publish('ch1', Buffer.from('bin\r\n\0')), 1);
      assert.deepEqual(await messages, [['ch1', 'hello'], ['ch2', 'world'], ['ch1', 'bin\r\n\0']]);

      assert.deepEqual(await pub.pubsub('NUMSUB', 'ch1', 'ch2', 'nobody'), ['ch1', 1, 'ch2', 1, 'nobody', 0]);
      assert.deepEqual((await pub.pubsub('CHANNELS', 'ch*')).sort(), ['ch1', 'ch2']);

      assert.equal(await sub.unsubscribe('ch1'), 1);
      assert.equal(await pub.publish('ch1', 'after'), 0);
      assert.equal(await sub.unsubscribe(), 0);
      // Out of subscribed mode the connection runs every command again.
      assert.equal(await sub.set('a', '1'), 'OK');
    });
  },

  async psubscribe(port) {
    await pair(port, async (sub, pub) => {
      const messages = collect(3, WAIT_MS,
        (push) => sub.on('pmessage', (pattern, channel, message) => push([pattern, channel, message])));
      assert.equal(await sub.psubscribe('news.*', 'h?llo'), 2);
      assert.equal(await pub.publish('news.tech', 'm1'), 1);
      assert.equal(await pub.publish('sports', 'ignored'), 0);
      assert.equal(await pub.publish('hello', 'm2'), 1);
      assert.equal(await pub.publish('news.', 'm3'), 1);
      assert.deepEqual(await messages,
        [['news.*', 'news.tech', 'm1'], ['h?llo', 'hello', 'm2'], ['news.*', 'news.', 'm3']]);
      assert.equal(await pub.pubsub('NUMPAT'), 2);

      assert.equal(await sub.punsubscribe('news.*'), 1);
      assert.equal(await pub.publish('news.tech', 'after'), 0);
      assert.equal(await sub.punsubscribe(), 0);
    });
  },

  async channel_and_pattern_both(port) {
    await pair(port, async (sub, pub) => {
      // One message to a channel that is subscribed and matches a pattern reaches the client twice.
      const seen = collect(2, WAIT_MS, (push) => {
        sub.on('message', (channel, message) => push(['message', channel, message]));
        sub.on('pmessage', (pattern, channel, message) => push(['pmessage', pattern, channel, message]));
      });
      await sub.subscribe('news.tech');
      await sub.psubscribe('news.*');
      assert.equal(await pub.publish('news.tech', 'x'), 2);
      assert.deepEqual((await seen).sort(),
        [['message', 'news.tech', 'x'], ['pmessage', 'news.*', 'news.tech', 'x']]);
    });
  },

  async message_order(port) {
    await pair(port, async (sub, pub) => {
      const count = 2000;
      const messages = collect(count, WAIT_MS * 2,
        (push) => sub.on('message', (_, message) => push(message)));
      await sub.subscribe('ordered');
      // One pipeline of publishes: they must arrive in the order they were sent.
      const publishes = pub.pipeline();
      for (let i = 0; i < count; i++) publishes.publish('ordered', `m${i}`);
      const results = await publishes.exec();
      assert.ok(results.every(([error, receivers]) => error === null && receivers === 1));
      assert.deepEqual(await messages, Array.from({ length: count }, (_, i) => `m${i}`));
    });
  },

  async many_subscribers(port) {
    const subscribers = 10;
    await withClients(subscribers + 1, () => open(port), (client) => client.quit(), async (pub, ...subs) => {
      const all = subs.map(
        (sub) => collect(5, WAIT_MS, (push) => sub.on('message', (_, message) => push(message))));
      for (const sub of subs) await sub.subscribe('fan');
      for (let i = 0; i < 5; i++) assert.equal(await pub.publish('fan', `m${i}`), subscribers);
      for (const messages of await Promise.all(all)) {
        assert.deepEqual(messages, ['m0', 'm1', 'm2', 'm3', 'm4']);
      }
    });
  },
};

await runCases(cases);
