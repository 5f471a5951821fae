// Framework overhead per request without sockets: drives app.listener with stub Node objects and
// reports CPU ns/request for Plumego bare and with the canonical stack. Complements run.mjs, whose
// numbers include Node's HTTP parsing and the load generator.
// Variants: bare, canonical stack, and full (canonical + rate limit + compression, as BENCH_STACK=full
// in servers/plumego.ts); with ACCEPT_ENCODING set, requests offer that Accept-Encoding.
// Usage: node --conditions=source --import tsx bench/http/overhead.ts
import type { IncomingMessage, ServerResponse } from 'node:http';
import { buildBenchApp } from './servers/plumego-app.ts';
import { StubRes, stubReq as stubNodeReq } from './stub-node.ts';

const ACCEPT_ENCODING = process.env.ACCEPT_ENCODING;

function stubReq(url: string): IncomingMessage {
  const headers: [string, string][] = [
    ['Host', 'x'],
    ['User-Agent', 'bench'],
  ];
  if (ACCEPT_ENCODING) headers.push(['Accept-Encoding', ACCEPT_ENCODING]);
  return stubNodeReq(url, headers);
}

type Variant = 'bare' | 'canonical' | 'full';

// The same apps as the socket benches and callgrind's driver (servers/plumego-app.ts), logging to a no-op
// sink: this measures the framework's CPU, not the disk or a stream's buffering.
const build = (variant: Variant) => buildBenchApp(variant === 'bare' ? undefined : variant, { write() {} }).listener;

async function measure(
  label: string,
  listener: (req: IncomingMessage, res: ServerResponse) => void,
  url: string,
  n: number,
) {
  const reqs = Array.from({ length: 1000 }, () => stubReq(url));
  // Batches of 1000 with a macrotask between them, so promise continuations of async middleware
  // run (and are counted) inside the measured window.
  const run = async (count: number) => {
    for (let i = 0; i < count; i += 1000) {
      for (let j = 0; j < 1000; j++) listener(reqs[j]!, new StubRes() as unknown as ServerResponse);
      await new Promise((r) => setImmediate(r));
    }
  };
  await run(20_000);
  // A stub the framework outgrew answers 500 through recovery; measuring that would be measuring the error path.
  const probe = new StubRes();
  listener(reqs[0]!, probe as unknown as ServerResponse);
  await new Promise((r) => setImmediate(r));
  if (probe.statusCode !== 200)
    throw new Error(
      `${label} ${url}: the stub response got status ${probe.statusCode}, not 200; fix the stub before measuring`,
    );
  const before = process.cpuUsage();
  await run(n);
  const used = process.cpuUsage(before);
  const ns = ((used.user + used.system) * 1000) / n;
  console.log(`${label.padEnd(28)} ${url.padEnd(10)} ${ns.toFixed(0)} ns/request`);
  return ns;
}

const N = Number(process.env.N ?? 200_000);
const results: Record<string, number> = {};
const only = process.env.VARIANTS?.split(',') as Variant[] | undefined;
for (const variant of only ?? (['bare', 'canonical', 'full'] as const)) {
  const listener = build(variant);
  for (const url of ['/', '/users/42'])
    results[`${variant} ${url}`] = await measure(`plumego ${variant}`, listener, url, N);
}
await new Promise((r) => setTimeout(r, 50));
console.log(JSON.stringify(results));
