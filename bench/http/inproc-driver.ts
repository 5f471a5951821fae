// The framework's own per-request work without sockets, for callgrind.ts (`--server inproc-*`):
// drives app.listener with stub Node objects (so Node's header validation and socket writes are
// not counted), in batches of 1000 with a macrotask between them so promise continuations run
// inside the window. Reads `run <n>` lines on stdin and answers `DONE` after each; prints READY
// after a warm-up. Same apps as servers/plumego.ts (BENCH_STACK bare/canonical/full).
import type { ServerResponse } from 'node:http';
import { createInterface } from 'node:readline';
import { buildBenchApp } from './servers/plumego-app.ts';
import { StubRes, stubReq } from './stub-node.ts';

const url = process.env.BENCH_PATH ?? '/users/42';

const app = buildBenchApp(process.env.BENCH_STACK, { write() {} });
const listener = app.listener;

// What autocannon sends: Host and Connection only.
const reqs = Array.from({ length: 1000 }, () =>
  stubReq(url, [
    ['Host', '127.0.0.1:3000'],
    ['Connection', 'keep-alive'],
  ]),
);
async function run(count: number): Promise<void> {
  for (let i = 0; i < count; i += 1000) {
    for (let j = 0; j < 1000 && i + j < count; j++) listener(reqs[j]!, new StubRes() as unknown as ServerResponse);
    await new Promise((r) => setImmediate(r));
  }
}

await run(Number(process.env.WARMUP ?? 20_000));
const probe = new StubRes();
listener(reqs[0]!, probe as unknown as ServerResponse);
await new Promise((r) => setImmediate(r));
if (probe.statusCode !== 200) throw new Error(`the stub response got ${probe.statusCode}, not 200`);
console.log('READY');
for await (const line of createInterface({ input: process.stdin })) {
  const m = /^run (\d+)$/.exec(line.trim());
  if (!m) continue;
  await run(Number(m[1]));
  console.log('DONE');
}
