// The runner the case files share: `node FILE.mjs PORT CASE` runs one case against 127.0.0.1:PORT
// and exits 0 when it passed, 1 when an assertion or a client call failed, 2 on bad arguments and
// 3 when it ran past EMBER_NODE_CASE_TIMEOUT_MS; `node FILE.mjs --list` prints the case names.
// tests/integration/test_node_clients.py runs every case as one pytest test.

export const HOST = '127.0.0.1';

// A case that runs longer than this fails (a reply that never comes must not hang CI).
export const CASE_TIMEOUT_MS = Number(process.env.EMBER_NODE_CASE_TIMEOUT_MS || 15000);
// Sanitizer builds are several times slower: waits for pushed messages stretch by this much.
export const SLOWDOWN = Number(process.env.EMBER_NODE_SLOWDOWN || 1);

export async function runCases(cases) {
  const [first, name] = process.argv.slice(2);
  if (first === '--list') {
    console.log(Object.keys(cases).join('\n'));
    return;
  }
  const port = Number(first);
  const run = Object.hasOwn(cases, name) ? cases[name] : undefined;
  if (!Number.isInteger(port) || port <= 0 || run === undefined) {
    console.error(`usage: node FILE.mjs PORT CASE (cases: ${Object.keys(cases).join(', ')}) | --list`);
    process.exit(2);
  }
  const timer = setTimeout(() => {
    console.error(`case ${name} ran past ${CASE_TIMEOUT_MS} ms`);
    process.exit(3);
  }, CASE_TIMEOUT_MS);
  try {
    await run(port);
  } catch (error) {
    console.error(`case ${name} failed:`, error);
    process.exit(1);
  }
  clearTimeout(timer);
  // Exit now: a socket a library keeps for reconnecting must not keep the process alive.
  process.exit(0);
}

// Runs `body` with `count` clients made by `open` and closes every one after, also when it throws.
export async function withClients(count, open, close, body) {
  const clients = [];
  try {
    for (let i = 0; i < count; i++) clients.push(await open());
    return await body(...clients);
  } finally {
    for (const client of clients) await close(client).catch(() => {});
  }
}

// Resolves with the first `count` values that `subscribe(push)` pushes, or rejects after `ms`.
export function collect(count, ms, subscribe) {
  return new Promise((resolve, reject) => {
    const seen = [];
    const timer = setTimeout(
      () => reject(new Error(`got ${seen.length} of ${count} messages in ${ms} ms: ${JSON.stringify(seen)}`)),
      ms);
    subscribe((value) => {
      seen.push(value);
      if (seen.length === count) {
        clearTimeout(timer);
        resolve(seen);
      }
    });
  });
}
