// node-redis 4 pub/sub against the server on PORT: a client.duplicate() subscriber with
// listeners for SUBSCRIBE and PSUBSCRIBE, unsubscribing, message order, PUBSUB introspection.
import assert from 'node:assert/strict';
import { createClient } from 'redis';
import { HOST, SLOWDOWN, collect, runCases } from './cases.mjs';

const WAIT_MS = 5000 * SLOWDOWN;

// The publisher and its duplicate() subscriber, both closed after `body`.
async function pair(port, body) {
  const pub = createClient({ socket: { host: HOST, port, reconnectStrategy: false, connectTimeout: 5000 } });
  pub.on('error', () => {});
  await pub.connect();
  let sub;
  try {
    sub = pub.duplicate();
    sub.on('error', () => {});
    await sub.connect();
    await body(sub, pub);
  } finally {
    if (sub?.isOpen) await sub.quit().catch(() => {});
    await pub.quit().catch(() => {});
  }
}

const cases = {
  async subscribe_publish(port) {
    await pair(port, async (sub, pub) => {
      let push;
      const messages = collect(3, WAIT_MS, (p) => { push = p; });
      await sub.subscribe(['ch1', 'ch2'], (message, channel) => push([channel, message]));
      assert.equal(await pub.publish('ch1', 'hello'), 1);
      assert.equal(await pub.publish('nobody', 'lost'), 0);
      assert.equal(await pub.publish('ch2', 'world'), 1);
      assert.equal(await pub.publish('ch1', 'bin\r\n\0'), 1);
      assert.deepEqual(await messages, [['ch1', 'hello'], ['ch2', 'world'], ['ch1', 'bin\r\n\0']]);

      assert.deepEqual({ ...(await pub.pubSubNumSub(['ch1', 'ch2', 'nobody'])) },
        { ch1: 1, ch2: 1, nobody: 0 });
      assert.deepEqual((await pub.pubSubChannels('ch*')).sort(), ['ch1', 'ch2']);

      await sub.unsubscribe('ch1');
      assert.equal(await pub.publish('ch1', 'after'), 0);
      assert.equal(await pub.publish('ch2', 'still'), 1);
      await sub.unsubscribe();
      assert.equal(await pub.publish('ch2', 'after'), 0);
      // Out of subscribed mode the connection runs every command again.
      assert.equal(await sub.set('a', '1'), 'OK');
    });
  },

  async psubscribe(port) {
    await pair(port, async (sub, pub) => {
      let push;
      const messages = collect(3, WAIT_MS, (p) => { push = p; });
      await sub.pSubscribe(['news.*', 'h?llo'], (message, channel) => push([channel, message]));
      assert.equal(await pub.publish('news.tech', 'm1'), 1);
      assert.equal(await pub.publish('sports', 'ignored'), 0);
      assert.equal(await pub.publish('hello', 'm2'), 1);
      assert.equal(await pub.publish('news.', 'm3'), 1);
      assert.deepEqual(await messages, [['news.tech', 'm1'], ['hello', 'm2'], ['news.', 'm3']]);
      assert.equal(await pub.pubSubNumPat(), 2);

      await sub.pUnsubscribe('news.*');
      assert.equal(await pub.publish('news.tech', 'after'), 0);
      assert.equal(await pub.publish('hallo', 'still'), 1);
      await sub.pUnsubscribe();
      assert.equal(await pub.pubSubNumPat(), 0);
    });
  },

  async buffer_listener(port) {
    await pair(port, async (sub, pub) => {
      let push;
      const messages = collect(1, WAIT_MS, (p) => { push = p; });
      // The third argument asks for Buffers: bytes that are not UTF-8 arrive intact.
      await sub.subscribe('bin', (message) => push(message), true);
      const bytes = Buffer.from([0xff, 0x00, 0xfe, 0x0d, 0x0a]);
      assert.equal(await pub.publish('bin', bytes), 1);
      assert.deepEqual(await messages, [bytes]);
    });
  },

  async message_order(port) {
    await pair(port, async (sub, pub) => {
      const count = 2000;
      let push;
      const messages = collect(count, WAIT_MS * 2, (p) => { push = p; });
      await sub.subscribe('ordered', (message) => push(message));
      // Sent without waiting: node-redis writes them together, and they must arrive in order.
      const receivers = await Promise.all(
        Array.from({ length: count }, (_, i) => pub.publish('ordered', `m${i}`)));
      assert.ok(receivers.every((n) => n === 1));
      assert.deepEqual(await messages, Array.from({ length: count }, (_, i) => `m${i}`));
    });
  },

  async many_listeners(port) {
    await pair(port, async (sub, pub) => {
      // Two listeners on one channel share one server subscription; both hear each message.
      let pushA;
      let pushB;
      const a = collect(2, WAIT_MS, (p) => { pushA = p; });
      const b = collect(2, WAIT_MS, (p) => { pushB = p; });
      await sub.subscribe('shared', (message) => pushA(message));
      await sub.subscribe('shared', (message) => pushB(message));
      assert.deepEqual({ ...(await pub.pubSubNumSub('shared')) }, { shared: 1 });
      await pub.publish('shared', 'one');
      await pub.publish('shared', 'two');
      assert.deepEqual(await a, ['one', 'two']);
      assert.deepEqual(await b, ['one', 'two']);
    });
  },
};

await runCases(cases);
