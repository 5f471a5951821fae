// One process of the AI streaming benchmark, by BENCH_MODE:
//   upstream — a fake Anthropic Messages server: each text_delta carries the monotonic time it was written;
//   direct   — baseline: writes SSE frames itself with res.write (no relay);
//   relay    — relayStream from an in-process generator (the x/ai/streaming path alone);
//   pipe     — baseline for provider: reads the upstream with node:http and res.writes each text delta as an SSE
//              event (the least any relay of this upstream does: split frames, JSON.parse, JSON.stringify, write);
//   provider — relayStream from AnthropicProvider.stream against the upstream (SDK parse + relay, end to end);
//   openai   — relayStream from OpenAIProvider.stream (Chat Completions, SDK stream parsing) against the same
//              upstream process, which answers /v1/chat/completions in the OpenAI chunk format (cost.ts only).
// BENCH_PHASE=random (upstream, direct, relay): each stream waits a random part of the interval before its first
// chunk, so concurrent streams are not phase-aligned (as independent vendor streams are not); default aligned.
// BENCH_OVERHEAD=1 (pipe, provider): records, inside this process, the time from each upstream body chunk reaching
// JS (IncomingMessage.push, right after llhttp parsed it) to the res.write of the SSE frame carrying its text;
// GET /__overhead answers {samples, p50Us, p99Us, maxUs} for the streams since the last call and resets.
// Prints "ready <port>".
import { IncomingMessage, createServer, request, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createAnthropicProvider, createOpenAIProvider, type StreamEvent } from 'plumego/x/ai/provider';
import { relayStream } from 'plumego/x/ai/streaming';

const mode = process.env['BENCH_MODE'] ?? 'relay';
const chunks = Number(process.env['BENCH_CHUNKS'] ?? 50);
const intervalMs = Number(process.env['BENCH_INTERVAL_MS'] ?? 20);
const now = (): string => process.hrtime.bigint().toString();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const randomPhase = process.env['BENCH_PHASE'] === 'random';
/** Before a stream's first chunk: nothing when aligned, a random part of the interval otherwise. */
const phase = (): Promise<unknown> | undefined => (randomPhase ? sleep(Math.random() * intervalMs) : undefined);

// In-process overhead instrument (BENCH_OVERHEAD=1). The hooks only stamp and keep references; matching the
// upstream timestamps in the chunks to the frames written is done when /__overhead is asked.
const overhead = process.env['BENCH_OVERHEAD'] === '1';
let reads: { at: bigint; chunk: unknown }[] = [];
let writes: { at: bigint; chunk: unknown }[] = [];
if (overhead) {
  const push = IncomingMessage.prototype.push;
  // Only upstream responses (client side) have a status code; the bench client's requests have none.
  IncomingMessage.prototype.push = function (this: IncomingMessage, chunk: unknown, encoding?: BufferEncoding) {
    if (chunk !== null && this.statusCode !== null) reads.push({ at: process.hrtime.bigint(), chunk });
    return push.call(this, chunk, encoding);
  };
}

function instrument(res: ServerResponse): void {
  const write = res.write.bind(res) as (chunk: unknown, ...rest: unknown[]) => boolean;
  res.write = ((chunk: unknown, ...rest: unknown[]) => {
    writes.push({ at: process.hrtime.bigint(), chunk });
    return write(chunk, ...rest);
  }) as typeof res.write;
}

function overheadReport(): { samples: number; p50Us: number; p99Us: number; maxUs: number } {
  const readAt = new Map<string, bigint>();
  for (const r of reads)
    for (const m of String(r.chunk).matchAll(/"(?:text|content)":"(\d+)"/g))
      if (!readAt.has(m[1]!)) readAt.set(m[1]!, r.at);
  const us: number[] = [];
  for (const w of writes)
    for (const m of String(w.chunk).matchAll(/^data: \{"text":"(\d+)"\}$/gm)) {
      const at = readAt.get(m[1]!);
      if (at !== undefined) us.push(Number(w.at - at) / 1000);
    }
  reads = [];
  writes = [];
  us.sort((a, b) => a - b);
  const pct = (p: number) => us[Math.min(us.length - 1, Math.floor((p / 100) * us.length))] ?? 0;
  const round = (n: number) => Math.round(n * 10) / 10;
  return { samples: us.length, p50Us: round(pct(50)), p99Us: round(pct(99)), maxUs: round(us.at(-1) ?? 0) };
}

function sse(res: ServerResponse, event: string, data: unknown): void {
  res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
}

async function upstream(res: ServerResponse): Promise<void> {
  res.writeHead(200, { 'content-type': 'text/event-stream' });
  sse(res, 'message_start', {
    type: 'message_start',
    message: {
      id: 'm',
      type: 'message',
      role: 'assistant',
      model: 'bench',
      content: [],
      stop_reason: null,
      stop_sequence: null,
      usage: { input_tokens: 1, output_tokens: 1 },
    },
  });
  sse(res, 'content_block_start', { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } });
  await phase();
  for (let i = 0; i < chunks; i++) {
    await sleep(intervalMs);
    sse(res, 'content_block_delta', {
      type: 'content_block_delta',
      index: 0,
      delta: { type: 'text_delta', text: now() },
    });
  }
  sse(res, 'content_block_stop', { type: 'content_block_stop', index: 0 });
  sse(res, 'message_delta', {
    type: 'message_delta',
    delta: { stop_reason: 'end_turn', stop_sequence: null },
    usage: { output_tokens: chunks },
  });
  sse(res, 'message_stop', { type: 'message_stop' });
  res.end();
}

async function upstreamOpenAI(res: ServerResponse): Promise<void> {
  res.writeHead(200, { 'content-type': 'text/event-stream' });
  const chunk = (delta: unknown, finish: string | null, usage?: unknown) =>
    res.write(
      `data: ${JSON.stringify({ id: 'c', object: 'chat.completion.chunk', created: 0, model: 'bench', choices: [{ index: 0, delta, finish_reason: finish }], ...(usage ? { usage } : {}) })}\n\n`,
    );
  chunk({ role: 'assistant', content: '' }, null);
  await phase();
  for (let i = 0; i < chunks; i++) {
    await sleep(intervalMs);
    chunk({ content: now() }, null);
  }
  chunk({}, 'stop');
  res.write(
    `data: ${JSON.stringify({ id: 'c', object: 'chat.completion.chunk', created: 0, model: 'bench', choices: [], usage: { prompt_tokens: 1, completion_tokens: chunks, total_tokens: chunks + 1 } })}\n\n`,
  );
  res.end('data: [DONE]\n\n');
}

async function direct(res: ServerResponse): Promise<void> {
  res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' });
  await phase();
  for (let i = 0; i < chunks; i++) {
    await sleep(intervalMs);
    res.write(`id: ${i + 1}\nevent: text\ndata: ${JSON.stringify({ text: now() })}\n\n`);
  }
  res.end();
}

function pipe(res: ServerResponse): void {
  const up = request(
    `${process.env['BENCH_UPSTREAM'] ?? 'http://127.0.0.1:1'}/v1/messages`,
    { method: 'POST' },
    (upRes) => {
      res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' });
      upRes.setEncoding('utf8');
      let buf = '';
      let id = 0;
      upRes.on('data', (chunk: string) => {
        buf += chunk;
        let cut: number;
        while ((cut = buf.indexOf('\n\n')) >= 0) {
          const frame = buf.slice(0, cut);
          buf = buf.slice(cut + 2);
          if (!frame.startsWith('event: content_block_delta\n')) continue;
          const event = JSON.parse(frame.slice(frame.indexOf('data: ') + 6)) as { delta: { text: string } };
          res.write(`id: ${++id}\nevent: text\ndata: ${JSON.stringify({ text: event.delta.text })}\n\n`);
        }
      });
      upRes.on('end', () => res.end());
    },
  );
  res.on('close', () => up.destroy());
  up.end('{}');
}

async function* generator(): AsyncGenerator<StreamEvent> {
  await phase();
  for (let i = 0; i < chunks; i++) {
    await sleep(intervalMs);
    yield { type: 'text', text: now() };
  }
}

const provider = createAnthropicProvider({
  apiKey: 'bench',
  baseURL: process.env['BENCH_UPSTREAM'] ?? 'http://127.0.0.1:1',
  idleTimeoutMs: 30_000,
});

const openai = createOpenAIProvider({
  apiKey: 'bench',
  baseURL: `${process.env['BENCH_UPSTREAM'] ?? 'http://127.0.0.1:1'}/v1`,
  idleTimeoutMs: 30_000,
});

const server = createServer((req, res) => {
  req.resume();
  if (req.url === '/__overhead') {
    res.end(JSON.stringify(overheadReport()));
    return;
  }
  if (overhead) instrument(res);
  if (mode === 'upstream') void (req.url?.startsWith('/v1/chat/') ? upstreamOpenAI(res) : upstream(res));
  else if (mode === 'direct') void direct(res);
  else if (mode === 'pipe') pipe(res);
  else if (mode === 'relay') void relayStream(res, () => generator(), { heartbeatMs: 0 });
  else if (mode === 'openai')
    void relayStream(
      res,
      (signal) => openai.stream({ model: 'bench', messages: [{ role: 'user', content: 'go' }] }, { signal }),
      { heartbeatMs: 0 },
    );
  else
    void relayStream(
      res,
      (signal) => provider.stream({ model: 'bench', messages: [{ role: 'user', content: 'go' }] }, { signal }),
      { heartbeatMs: 0 },
    );
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => console.log(`ready ${(server.address() as AddressInfo).port}`));
// A clean exit on SIGTERM (run.ts stops servers so) lets `--cpu-prof` write its profile.
process.on('SIGTERM', () => process.exit(0));
