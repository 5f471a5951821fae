import { afterEach, describe, expect, it } from 'vitest';
import {
  AiProviderError,
  STREAM_PUSH,
  createAnthropicProvider,
  createMockProvider,
  createProviderManager,
  type StreamEvent,
} from 'plumego/x/ai/provider';
import { FLOOD, startFakeAnthropic } from './__tests__/fake-anthropic.ts';
import { StreamHub } from './hub.ts';
import { relayStream, type RelayResult } from './relay.ts';
import { openSse, parseSse, serve } from './__tests__/sse-client.ts';
import { SseWriter, formatSseEvent } from './sse-writer.ts';

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (closers.length) await closers.pop()!();
});

async function server(handler: Parameters<typeof serve>[0]): Promise<string> {
  const s = await serve(handler);
  closers.push(s.close);
  return s.url;
}

const req = { model: 'm', messages: [{ role: 'user' as const, content: 'hi' }] };

describe('SSE framing', () => {
  it.each([
    { title: 'plain data', input: { data: 'hello' }, expected: 'data: hello\n\n' },
    {
      title: 'id and event',
      input: { id: '7', event: 'text', data: 'x' },
      expected: 'id: 7\nevent: text\ndata: x\n\n',
    },
    {
      title: 'multi-line data, every newline style',
      input: { data: 'a\nb\r\nc\rd' },
      expected: 'data: a\ndata: b\ndata: c\ndata: d\n\n',
    },
    { title: 'empty data', input: { data: '' }, expected: 'data: \n\n' },
  ])('frames $title', ({ input, expected }) => {
    expect(formatSseEvent(input)).toBe(expected);
  });

  it.each([
    { title: 'an event name with a newline', input: { event: 'a\nb', data: '' } },
    { title: 'an empty event name', input: { event: '', data: '' } },
    { title: 'an id with a newline', input: { id: '1\n2', data: '' } },
    { title: 'an id with a carriage return', input: { id: '1\r2', data: '' } },
    { title: 'an id with a NUL', input: { id: '1\u00002', data: '' } },
    { title: 'an event name with a carriage return', input: { event: 'a\rb', data: '' } },
  ])('refuses $title (it would inject fields)', ({ input }) => {
    expect(() => formatSseEvent(input)).toThrow(expect.objectContaining({ code: 'AI_STREAM_INVALID_EVENT' }));
  });

  it('sends the SSE headers, the retry hint and heartbeats while idle', async () => {
    const url = await server((_, res) => {
      const writer = new SseWriter(res, { heartbeatMs: 20, retryMs: 3000 });
      setTimeout(() => void writer.send({ data: 'late' }).then(() => writer.end()), 120);
    });
    const client = await openSse(url);
    expect(client.res.headers['content-type']).toBe('text/event-stream; charset=utf-8');
    expect(client.res.headers['cache-control']).toContain('no-cache');
    const parsed = parseSse(await client.read());
    expect(parsed.retry).toBe(3000);
    expect(parsed.comments.filter((c) => c === 'ping').length).toBeGreaterThanOrEqual(1);
    expect(parsed.events).toEqual([{ event: 'message', data: 'late' }]);
  });

  it('rejects bad writer options when built', async () => {
    const url = await server((_, res) => {
      try {
        new SseWriter(res, { heartbeatMs: -1 });
      } catch (e) {
        res.end((e as { code: string }).code);
      }
    });
    const client = await openSse(url);
    expect(await client.read()).toBe('AI_STREAM_INVALID_OPTIONS');
  });
});

describe('relayStream', () => {
  it('relays text, tool calls and done as numbered events', async () => {
    const provider = createMockProvider({
      replies: [{ text: 'Hello world', toolCalls: [{ id: 't1', name: 'echo', arguments: { a: 1 } }] }],
    });
    let result: RelayResult | undefined;
    const url = await server(
      (_, res) => void relayStream(res, (signal) => provider.stream(req, { signal })).then((r) => (result = r)),
    );
    const { events } = parseSse(await (await openSse(url)).read());
    expect(events.map((e) => e.event)).toEqual(['text', 'text', 'tool_call', 'tool_call_delta', 'done']);
    expect(events.map((e) => e.id)).toEqual(['1', '2', '3', '4', '5']);
    expect(
      events
        .slice(0, 2)
        .map((e) => JSON.parse(e.data).text)
        .join(''),
    ).toBe('Hello world');
    expect(JSON.parse(events[4]!.data)).toMatchObject({
      stopReason: 'tool_calls',
      toolCalls: [{ name: 'echo', arguments: { a: 1 } }],
    });
    await expect.poll(() => result?.outcome).toBe('completed');
  });

  it('ends with a typed error event when the provider fails mid-stream', async () => {
    const provider = createMockProvider({
      replies: [
        { chunks: ['part '], error: new AiProviderError('AI_PROVIDER_OVERLOADED', 'anthropic: overloaded (529)') },
      ],
    });
    const url = await server((_, res) => void relayStream(res, (signal) => provider.stream(req, { signal })));
    const { events } = parseSse(await (await openSse(url)).read());
    expect(events.at(-1)).toEqual({
      id: '2',
      event: 'error',
      data: JSON.stringify({ code: 'AI_PROVIDER_OVERLOADED', status: 503, message: 'anthropic: overloaded (529)' }),
    });
  });

  it('never leaks an untyped error message to the client', async () => {
    const url = await server(
      (_, res) =>
        void relayStream(res, async function* () {
          yield* [] as StreamEvent[];
          throw new Error('db password=hunter2');
        }),
    );
    const body = await (await openSse(url)).read();
    expect(body).not.toContain('hunter2');
    expect(parseSse(body).events.at(-1)).toMatchObject({
      event: 'error',
      data: expect.stringContaining('INTERNAL_ERROR'),
    });
  });

  it('aborts the upstream request when the client disconnects', async () => {
    // A real upstream: an HTTP server that streams forever, consumed with fetch under the relay's signal.
    let upstreamClosed = false;
    const upstream = await server((_, res) => {
      res.writeHead(200);
      const t = setInterval(() => res.write('tick\n'), 5);
      res.on('close', () => {
        clearInterval(t);
        upstreamClosed = true;
      });
    });
    let result: RelayResult | undefined;
    const url = await server(
      (_, res) =>
        void relayStream(res, async function* (signal) {
          const body = (await fetch(upstream, { signal })).body!;
          for await (const chunk of body)
            yield { type: 'text', text: Buffer.from(chunk).toString() } satisfies StreamEvent;
        }).then((r) => (result = r)),
    );
    const client = await openSse(url);
    await expect.poll(() => client.chunks.join('').includes('tick')).toBe(true);
    client.res.destroy();
    await expect.poll(() => upstreamClosed).toBe(true);
    await expect.poll(() => result?.outcome).toBe('client_gone');
  });

  it('applies backpressure: a paused client stops the producer instead of growing a buffer', async () => {
    let produced = 0;
    const big = 'x'.repeat(64 * 1024);
    const url = await server(
      (_, res) =>
        void relayStream(res, async function* () {
          for (let i = 0; i < 400; i++) {
            produced += 1;
            yield { type: 'text', text: big } satisfies StreamEvent;
          }
        }),
    );
    const client = await openSse(url);
    client.res.pause();
    // 400 × 64 KiB = 25 MiB: with the client paused, only what fits in the socket buffers can be produced.
    await new Promise((r) => setTimeout(r, 200));
    const whilePaused = produced;
    expect(whilePaused).toBeLessThan(200);
    client.res.resume();
    const { events } = parseSse(await client.read());
    expect(events).toHaveLength(400);
    expect(produced).toBe(400);
  });
});

describe('relayStream over a push-mode provider stream (AnthropicProvider)', () => {
  async function vendor() {
    const fake = await startFakeAnthropic();
    closers.push(fake.close);
    return { fake, provider: createAnthropicProvider({ apiKey: 'k', baseURL: fake.url, idleTimeoutMs: 5_000 }) };
  }

  it('relays in push mode with one socket write per upstream read, numbered, then done', async () => {
    const { provider } = await vendor();
    let pushed = 0;
    let writes = 0;
    let result: RelayResult | undefined;
    const url = await server((_, res) => {
      const write = res.write.bind(res) as (chunk: string) => boolean;
      res.write = ((chunk: string) => (writes++, write(chunk))) as typeof res.write;
      void relayStream(res, (signal) => {
        const stream = provider.stream({ ...req, model: 'three' }, { signal });
        const push = stream[STREAM_PUSH];
        stream[STREAM_PUSH] = (sink) => (pushed++, push(sink));
        return stream;
      }).then((r) => (result = r));
    });
    const { events } = parseSse(await (await openSse(url)).read());
    expect(pushed).toBe(1);
    expect(events.map((e) => [e.id, e.event])).toEqual([
      ['1', 'text'],
      ['2', 'text'],
      ['3', 'text'],
      ['4', 'done'],
    ]);
    expect(events.slice(0, 3).map((e) => JSON.parse(e.data).text)).toEqual(['one ', 'two ', 'three']);
    // `: open`, the three deltas of the vendor's one write, then done.
    expect(writes).toBe(3);
    await expect.poll(() => result?.outcome).toBe('completed');
    expect(result?.response?.text).toBe('one two three');
  });

  it('ends the response in the tick that wrote done, so both leave in one socket write (push mode)', async () => {
    const { provider } = await vendor();
    let doneTick: { passed: boolean } | undefined;
    let endedInDoneTick: boolean | undefined;
    const url = await server((_, res) => {
      const write = res.write.bind(res) as (chunk: string) => boolean;
      const end = res.end.bind(res) as () => typeof res;
      res.write = ((chunk: string) => {
        if (chunk.includes('event: done')) {
          const tick = { passed: false };
          // node:http uncorks the socket in a nextTick: an end before it joins the same write.
          process.nextTick(() => (tick.passed = true));
          doneTick = tick;
        }
        return write(chunk);
      }) as typeof res.write;
      res.end = (() => {
        endedInDoneTick ??= doneTick !== undefined && !doneTick.passed;
        return end();
      }) as typeof res.end;
      void relayStream(res, (signal) => provider.stream({ ...req, model: 'three' }, { signal }));
    });
    const { events } = parseSse(await (await openSse(url)).read());
    expect(events.at(-1)?.event).toBe('done');
    expect(endedInDoneTick).toBe(true);
  });

  it('relays a manager stream in push mode: falls back before the first event, then numbered events and done', async () => {
    const manager = createProviderManager({
      routes: [
        {
          provider: createMockProvider({
            name: 'a',
            replies: [{ error: new AiProviderError('AI_PROVIDER_OVERLOADED', 'x') }],
          }),
        },
        { provider: createMockProvider({ name: 'b', replies: [{ text: 'from b' }] }) },
      ],
    });
    let result: RelayResult | undefined;
    const url = await server(
      (_, res) => void relayStream(res, (signal) => manager.stream(req, { signal })).then((r) => (result = r)),
    );
    const { events } = parseSse(await (await openSse(url)).read());
    expect(events.map((e) => [e.id, e.event])).toEqual([
      ['1', 'text'],
      ['2', 'text'],
      ['3', 'done'],
    ]);
    await expect.poll(() => result?.outcome).toBe('completed');
    expect(result?.response).toMatchObject({ provider: 'b', text: 'from b' });
  });

  it("forwards the vendor's JSON literal of a text delta as it was sent, not re-encoded", async () => {
    const { provider } = await vendor();
    let result: RelayResult | undefined;
    const url = await server(
      (_, res) =>
        void relayStream(res, (signal) => provider.stream({ ...req, model: 'escaped' }, { signal })).then(
          (r) => (result = r),
        ),
    );
    const body = await (await openSse(url)).read();
    expect(body).toContain(String.raw`data: {"text":"caf\u00e9 \"x\"\n"}`);
    expect(JSON.parse(parseSse(body).events[0]!.data)).toEqual({ text: 'café "x"\n' });
    await expect.poll(() => result?.response?.text).toBe('café "x"\n');
  });

  it('a custom mapEvent gets the decoded text and its own framing (push mode)', async () => {
    const { provider } = await vendor();
    const url = await server(
      (_, res) =>
        void relayStream(res, (signal) => provider.stream({ ...req, model: 'escaped' }, { signal }), {
          mapEvent: (e) => (e.type === 'text' ? { event: 'token', data: e.text } : undefined),
        }),
    );
    const { events } = parseSse(await (await openSse(url)).read());
    expect(events).toEqual([{ id: '1', event: 'token', data: 'café "x"\n' }]);
  });

  it('aborts the vendor request when the client disconnects (push mode)', async () => {
    const { fake, provider } = await vendor();
    let result: RelayResult | undefined;
    const url = await server(
      (_, res) =>
        void relayStream(res, (signal) => provider.stream({ ...req, model: 'text-then-stall' }, { signal })).then(
          (r) => (result = r),
        ),
    );
    const client = await openSse(url);
    await expect.poll(() => client.chunks.join('').includes('Hel')).toBe(true);
    client.res.destroy();
    await expect.poll(() => fake.clientAborts).toBe(1);
    await expect.poll(() => result?.outcome).toBe('client_gone');
  });

  it('ends with the typed error event after the text already sent (push mode)', async () => {
    const { provider } = await vendor();
    let result: RelayResult | undefined;
    const url = await server(
      (_, res) =>
        void relayStream(res, (signal) => provider.stream({ ...req, model: 'error-mid' }, { signal })).then(
          (r) => (result = r),
        ),
    );
    const { events } = parseSse(await (await openSse(url)).read());
    expect(events.map((e) => [e.id, e.event])).toEqual([
      ['1', 'text'],
      ['2', 'error'],
    ]);
    expect(JSON.parse(events[1]!.data)).toMatchObject({ code: 'AI_PROVIDER_OVERLOADED', status: 503 });
    await expect.poll(() => result?.outcome).toBe('failed');
  });

  it('a mapEvent that throws fails the relay with INTERNAL_ERROR and closes the vendor request (push mode)', async () => {
    const { fake, provider } = await vendor();
    const url = await server(
      (_, res) =>
        void relayStream(res, (signal) => provider.stream({ ...req, model: 'text-then-stall' }, { signal }), {
          mapEvent: () => {
            throw new Error('secret detail');
          },
        }),
    );
    const body = await (await openSse(url)).read();
    expect(body).not.toContain('secret detail');
    expect(parseSse(body).events).toEqual([
      { id: '1', event: 'error', data: expect.stringContaining('INTERNAL_ERROR') },
    ]);
    await expect.poll(() => fake.clientAborts).toBe(1);
  });

  it('a paused client holds the vendor back, then gets every event (push mode backpressure)', async () => {
    const { fake, provider } = await vendor();
    const url = await server(
      (_, res) => void relayStream(res, (signal) => provider.stream({ ...req, model: 'flood' }, { signal })),
    );
    const client = await openSse(url);
    client.res.pause();
    await new Promise((r) => setTimeout(r, 300));
    // 25 MiB offered: with the client paused only what fits in the two sockets' buffers may have been sent.
    expect(fake.floodWritten).toBeLessThan((FLOOD.deltas * FLOOD.size) / 2);
    client.res.resume();
    const { events } = parseSse(await client.read());
    expect(events.filter((e) => e.event === 'text')).toHaveLength(FLOOD.deltas);
    expect(events.at(-1)?.event).toBe('done');
  });
});

describe('StreamHub (resume with Last-Event-ID)', () => {
  function scripted(n: number, gate?: Promise<void>) {
    return async function* () {
      for (let i = 1; i <= n; i++) {
        if (i === Math.ceil(n / 2) && gate) await gate;
        yield { event: 'text', data: `e${i}` };
      }
    };
  }

  it('replays only the events after Last-Event-ID, then follows live ones', async () => {
    const hub = new StreamHub();
    let release!: () => void;
    hub.start('s1', scripted(6, new Promise((r) => (release = r))));
    const url = await server(
      (r, res) => void hub.attach('s1', res, { lastEventId: r.headers['last-event-id'] as string | undefined }),
    );
    const first = await openSse(url);
    await expect.poll(() => parseSse(first.chunks.join('')).events.length).toBe(2);
    first.res.destroy();
    const resumed = await openSse(url, { 'last-event-id': '1' });
    setTimeout(release, 20);
    const { events } = parseSse(await resumed.read());
    expect(events.map((e) => [e.id, e.data])).toEqual([
      ['2', 'e2'],
      ['3', 'e3'],
      ['4', 'e4'],
      ['5', 'e5'],
      ['6', 'e6'],
    ]);
  });

  it('answers a gap error when the resume point fell out of the bounded buffer', async () => {
    const hub = new StreamHub({ capacity: 3 });
    hub.start('s2', scripted(10));
    await new Promise((r) => setTimeout(r, 10));
    const url = await server(
      (r, res) => void hub.attach('s2', res, { lastEventId: r.headers['last-event-id'] as string }),
    );
    const { events } = parseSse(await (await openSse(url, { 'last-event-id': '2' })).read());
    expect(events).toEqual([{ id: '10', event: 'error', data: expect.stringContaining('AI_STREAM_RESUME_GAP') }]);
    const ok = parseSse(await (await openSse(url, { 'last-event-id': '7' })).read());
    expect(ok.events.map((e) => e.data)).toEqual(['e8', 'e9', 'e10']);
  });

  it.each(['abc', '-1', '99'])('answers a gap error for a Last-Event-ID of %s that the run never sent', async (bad) => {
    const hub = new StreamHub();
    hub.start('s3', scripted(2));
    await new Promise((r) => setTimeout(r, 10));
    const url = await server(
      (r, res) => void hub.attach('s3', res, { lastEventId: r.headers['last-event-id'] as string }),
    );
    const { events } = parseSse(await (await openSse(url, { 'last-event-id': bad })).read());
    expect(events).toHaveLength(1);
    expect(events[0]!.data).toContain('AI_STREAM_RESUME_GAP');
  });

  it('aborts the upstream when no client is attached within the grace period', async () => {
    const hub = new StreamHub({ graceMs: 50 });
    let aborted = false;
    hub.start('s4', async function* (signal) {
      signal.addEventListener('abort', () => (aborted = true));
      yield { data: 'first' };
      await new Promise((_, reject) => signal.addEventListener('abort', () => reject(signal.reason)));
    });
    const url = await server((_, res) => void hub.attach('s4', res));
    const client = await openSse(url);
    await expect.poll(() => client.chunks.join('').includes('first')).toBe(true);
    expect(aborted).toBe(false);
    client.res.destroy();
    await expect.poll(() => aborted).toBe(true);
  });

  it('refuses a duplicate run id and an unknown one', async () => {
    const hub = new StreamHub();
    hub.start('dup', scripted(1));
    expect(() => hub.start('dup', scripted(1))).toThrow(expect.objectContaining({ code: 'AI_STREAM_EXISTS' }));
    await expect(hub.attach('nope', undefined as never)).rejects.toMatchObject({
      code: 'AI_STREAM_NOT_FOUND',
      status: 404,
    });
  });

  it('rejects bad hub options when built', () => {
    expect(() => new StreamHub({ capacity: 0 })).toThrow(/capacity/);
    expect(() => new StreamHub({ graceMs: -1 })).toThrow(/graceMs/);
  });
});
