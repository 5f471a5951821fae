import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAssistantService, type AssistantService } from './app/service.ts';
import { ConfigError, loadConfig } from './config.ts';

// A local stand-in for the Anthropic Messages API (SSE wire format as documented by the vendor).
// The last user text picks the behaviour: "calc" asks for the calculator, "stall" hangs, "busy" answers 529.
interface Fake {
  url: string;
  bodies: Record<string, unknown>[];
  aborts: number;
  close(): Promise<void>;
}

function sse(res: ServerResponse, event: string, data: unknown): void {
  res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
}

function streamText(res: ServerResponse, model: string, text: string): void {
  sse(res, 'message_start', {
    type: 'message_start',
    message: {
      id: 'msg_t',
      type: 'message',
      role: 'assistant',
      model,
      content: [],
      stop_reason: null,
      stop_sequence: null,
      usage: { input_tokens: 20, output_tokens: 1 },
    },
  });
  sse(res, 'content_block_start', { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } });
  for (const piece of text.split(/(?<= )/))
    sse(res, 'content_block_delta', {
      type: 'content_block_delta',
      index: 0,
      delta: { type: 'text_delta', text: piece },
    });
  sse(res, 'content_block_stop', { type: 'content_block_stop', index: 0 });
  sse(res, 'message_delta', {
    type: 'message_delta',
    delta: { stop_reason: 'end_turn', stop_sequence: null },
    usage: { output_tokens: 5 },
  });
  sse(res, 'message_stop', { type: 'message_stop' });
  res.end();
}

function streamToolUse(res: ServerResponse, model: string): void {
  sse(res, 'message_start', {
    type: 'message_start',
    message: {
      id: 'msg_c',
      type: 'message',
      role: 'assistant',
      model,
      content: [],
      stop_reason: null,
      stop_sequence: null,
      usage: { input_tokens: 20, output_tokens: 1 },
    },
  });
  sse(res, 'content_block_start', {
    type: 'content_block_start',
    index: 0,
    content_block: { type: 'tool_use', id: 'toolu_calc', name: 'calculator', input: {} },
  });
  sse(res, 'content_block_delta', {
    type: 'content_block_delta',
    index: 0,
    delta: { type: 'input_json_delta', partial_json: '{"expression":' },
  });
  sse(res, 'content_block_delta', {
    type: 'content_block_delta',
    index: 0,
    delta: { type: 'input_json_delta', partial_json: '"2*(3+4)"}' },
  });
  sse(res, 'content_block_stop', { type: 'content_block_stop', index: 0 });
  sse(res, 'message_delta', {
    type: 'message_delta',
    delta: { stop_reason: 'tool_use', stop_sequence: null },
    usage: { output_tokens: 9 },
  });
  sse(res, 'message_stop', { type: 'message_stop' });
  res.end();
}

async function startFakeAnthropic(): Promise<Fake> {
  const fake = { bodies: [] as Record<string, unknown>[], aborts: 0 };
  const server: Server = createServer((req: IncomingMessage, res) => {
    let raw = '';
    req.on('data', (c: Buffer) => (raw += c.toString()));
    req.on('end', () => {
      const body = JSON.parse(raw) as {
        model: string;
        stream?: boolean;
        system?: string;
        messages: { role: string; content: { type: string; text?: string }[] }[];
      };
      fake.bodies.push(body);
      res.on('close', () => {
        if (!res.writableFinished) fake.aborts += 1;
      });
      if (body.stream !== true) {
        // Only the session's summariser calls without streaming.
        res.writeHead(200, { 'content-type': 'application/json' });
        return res.end(
          JSON.stringify({
            id: 'msg_s',
            type: 'message',
            role: 'assistant',
            model: body.model,
            content: [{ type: 'text', text: 'Earlier the user sent numbered messages.' }],
            stop_reason: 'end_turn',
            stop_sequence: null,
            usage: { input_tokens: 50, output_tokens: 8 },
          }),
        );
      }
      const last = body.messages.at(-1)!;
      const lastText = last.content.find((b) => b.type === 'text')?.text ?? '';
      if (last.content.some((b) => b.type === 'tool_result')) return streamText(res, body.model, 'The answer is 14.');
      if (lastText.includes('busy')) {
        res.writeHead(529, { 'content-type': 'application/json' });
        return res.end(JSON.stringify({ type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } }));
      }
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      if (lastText.includes('stall')) return sse(res, 'ping', { type: 'ping' });
      if (lastText.includes('calc')) return streamToolUse(res, body.model);
      streamText(res, body.model, 'Hello from the fake vendor!');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return Object.assign(fake, {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  });
}

interface Event {
  id?: string;
  event: string;
  data: Record<string, unknown>;
}

function parse(body: string): Event[] {
  return body.split('\n\n').flatMap((block) => {
    const data = block
      .split('\n')
      .filter((l) => l.startsWith('data: '))
      .map((l) => l.slice(6));
    if (!data.length) return [];
    const event = /^event: (.*)$/m.exec(block)?.[1] ?? 'message';
    const id = /^id: (.*)$/m.exec(block)?.[1];
    return [{ ...(id ? { id } : {}), event, data: JSON.parse(data.join('\n')) as Record<string, unknown> }];
  });
}

describe('assistant-service against a local fake Anthropic server', () => {
  let fake: Fake;
  let svc: AssistantService;
  let base: string;

  beforeAll(async () => {
    fake = await startFakeAnthropic();
    svc = createAssistantService(
      loadConfig({
        ASSISTANT_ANTHROPIC_API_KEY: 'sk-ant-test-0123456789',
        ASSISTANT_ANTHROPIC_BASE_URL: fake.url,
        ASSISTANT_ANTHROPIC_MODEL: 'claude-test',
        ASSISTANT_IDLE_TIMEOUT_MS: '5000',
      }),
    );
    const address = await svc.app.listen(0, '127.0.0.1');
    base = `http://127.0.0.1:${address.port}`;
  });
  afterAll(async () => {
    await svc.app.shutdown({ timeoutMs: 1_000 });
    await svc.close();
    await fake.close();
  });

  const newSession = async (): Promise<string> => {
    const res = await fetch(`${base}/api/sessions`, { method: 'POST' });
    expect(res.status).toBe(201);
    return ((await res.json()) as { data: { id: string } }).data.id;
  };
  const say = (id: string, content: unknown) =>
    fetch(`${base}/api/sessions/${id}/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ content }),
    });

  it('streams a plain answer as SSE and stores both turns', async () => {
    const id = await newSession();
    const res = await say(id, 'hi there');
    expect(res.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    const events = parse(await res.text());
    expect(
      events
        .filter((e) => e.event === 'text')
        .map((e) => e.data['text'])
        .join(''),
    ).toBe('Hello from the fake vendor!');
    expect(events.at(-1)).toMatchObject({ event: 'done', data: { stopReason: 'end', provider: 'anthropic' } });
    const history = (await (await fetch(`${base}/api/sessions/${id}`)).json()) as { data: { messages: unknown[] } };
    expect(history.data.messages).toEqual([
      { role: 'user', content: 'hi there' },
      { role: 'assistant', content: 'Hello from the fake vendor!' },
    ]);
    expect(fake.bodies.at(-1)).toMatchObject({
      model: 'claude-test',
      system: expect.stringContaining('concise'),
      tools: [{ name: 'calculator' }, { name: 'timestamp' }],
    });
  });

  it('runs a tool call the model asks for, streams its progress, and sends the result back', async () => {
    const id = await newSession();
    const events = parse(await (await say(id, 'calc 2*(3+4) please')).text());
    expect(events.filter((e) => e.event === 'progress').map((e) => e.data)).toEqual([
      { step: 'tool:calculator', status: 'started' },
      { step: 'tool:calculator', status: 'succeeded', detail: { output: '{"result":14}' } },
    ]);
    expect(
      events
        .filter((e) => e.event === 'text')
        .map((e) => e.data['text'])
        .join(''),
    ).toBe('The answer is 14.');
    expect(events.map((e) => Number(e.id))).toEqual(events.map((_, i) => i + 1));
    const second = fake.bodies.at(-1) as { messages: { role: string; content: unknown[] }[] };
    expect(second.messages.at(-1)).toEqual({
      role: 'user',
      content: [{ type: 'tool_result', tool_use_id: 'toolu_calc', content: '{"result":14}' }],
    });
    const history = (await (await fetch(`${base}/api/sessions/${id}`)).json()) as {
      data: { messages: { role: string }[] };
    };
    expect(history.data.messages.map((m) => m.role)).toEqual(['user', 'assistant', 'tool', 'assistant']);
  });

  it('aborts the vendor request when the client disconnects mid-stream', async () => {
    const id = await newSession();
    const before = fake.aborts;
    await new Promise<void>((resolve, reject) => {
      const req = request(
        `${base}/api/sessions/${id}/messages`,
        { method: 'POST', headers: { 'content-type': 'application/json' } },
        (res) => {
          res.once('data', () => {
            res.destroy();
            resolve();
          });
        },
      );
      req.on('error', reject);
      req.end(JSON.stringify({ content: 'stall forever' }));
    });
    await expect.poll(() => fake.aborts).toBeGreaterThan(before);
  });

  it('ends the stream with a typed error event when the vendor is overloaded', async () => {
    const id = await newSession();
    const events = parse(await (await say(id, 'busy?')).text());
    expect(events.at(-1)).toMatchObject({ event: 'error', data: { code: 'AI_PROVIDER_UNAVAILABLE', status: 503 } });
    expect(JSON.stringify(events)).not.toContain('sk-ant-test');
  });

  it.each([
    { title: 'a missing content', body: {} },
    { title: 'an empty content', body: { content: '  ' } },
    { title: 'a non-string content', body: { content: 42 } },
    { title: 'an oversized content', body: { content: 'x'.repeat(8_001) } },
  ])('refuses $title with 400 before streaming', async ({ body }) => {
    const id = await newSession();
    const res = await fetch(`${base}/api/sessions/${id}/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('ASSISTANT_INVALID_MESSAGE');
  });

  it('answers 404 for an unknown or malformed session id', async () => {
    for (const id of ['0b0e5f4e-0000-4000-8000-000000000000', 'bad%20id']) {
      expect((await say(id, 'hi')).status, id).toBe(404);
      expect((await fetch(`${base}/api/sessions/${id}`)).status, id).toBe(404);
    }
  });
});

// A local stand-in for OpenAI Chat Completions streaming (chunks, finish_reason, usage, [DONE]).
async function startFakeOpenAI(): Promise<Fake> {
  const fake = { bodies: [] as Record<string, unknown>[], aborts: 0 };
  const server: Server = createServer((req, res) => {
    let raw = '';
    req.on('data', (c: Buffer) => (raw += c.toString()));
    req.on('end', () => {
      const body = JSON.parse(raw) as Record<string, unknown>;
      fake.bodies.push(body);
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      const base = { id: 'chatcmpl-x', object: 'chat.completion.chunk', created: 1, model: body['model'] };
      const chunk = (delta: Record<string, unknown>, finish: string | null = null) =>
        res.write(`data: ${JSON.stringify({ ...base, choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`);
      chunk({ role: 'assistant', content: '' });
      chunk({ content: 'Answered by ' });
      chunk({ content: 'the fallback.' });
      chunk({}, 'stop');
      res.write(
        `data: ${JSON.stringify({ ...base, choices: [], usage: { prompt_tokens: 9, completion_tokens: 4, total_tokens: 13 } })}\n\n`,
      );
      res.end('data: [DONE]\n\n');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return Object.assign(fake, {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  });
}

describe('assistant-service summarising a conversation over its token budget', () => {
  let fake: Fake;
  let svc: AssistantService;
  let base: string;

  beforeAll(async () => {
    fake = await startFakeAnthropic();
    svc = createAssistantService(
      loadConfig({
        ASSISTANT_ANTHROPIC_API_KEY: 'sk-ant-test-0123456789',
        ASSISTANT_ANTHROPIC_BASE_URL: fake.url,
        ASSISTANT_CONTEXT_TOKENS: '200',
      }),
    );
    base = `http://127.0.0.1:${(await svc.app.listen(0, '127.0.0.1')).port}`;
  });
  afterAll(async () => {
    await svc.app.shutdown({ timeoutMs: 1_000 });
    await svc.close();
    await fake.close();
  });

  it('replaces the older turns by a model-written summary once, then keeps answering with it', async () => {
    const id = ((await (await fetch(`${base}/api/sessions`, { method: 'POST' })).json()) as { data: { id: string } })
      .data.id;
    const isSummaryCall = (b: Record<string, unknown>) => b['stream'] !== true;
    let sent = 0;
    // With the estimate (4 characters per token), the 200-token budget overflows within ten exchanges.
    while (!fake.bodies.some(isSummaryCall) && sent < 12) {
      sent += 1;
      const res = await fetch(`${base}/api/sessions/${id}/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ content: `message ${sent}: tell me something` }),
      });
      expect(parse(await res.text()).at(-1)?.event).toBe('done');
    }
    const summaryCalls = fake.bodies.filter(isSummaryCall) as {
      system: string;
      messages: { content: { text: string }[] }[];
    }[];
    expect(summaryCalls).toHaveLength(1);
    expect(summaryCalls[0]!.system).toContain('Summarise the conversation');
    expect(summaryCalls[0]!.messages[0]!.content[0]!.text).toContain(
      'User: message 1: tell me something\nAssistant: Hello from the fake vendor!',
    );
    // The model turn that followed saw the summary in its system prompt and not the first message.
    const after = fake.bodies.at(-1) as { stream: boolean; system: string; messages: unknown[] };
    expect(after.stream).toBe(true);
    expect(after.system).toContain('Summary of the earlier conversation:\nEarlier the user sent numbered messages.');
    expect(JSON.stringify(after.messages)).not.toContain('message 1:');
    expect(JSON.stringify(after.messages)).toContain(`message ${sent}:`);
    // Stored: fewer turns than were exchanged (the summary itself is a hidden system message).
    const stored = ((await (await fetch(`${base}/api/sessions/${id}`)).json()) as { data: { messages: unknown[] } })
      .data.messages;
    expect(stored.length).toBeLessThan(sent * 2);
    // One more message does not summarise again: the summary left headroom.
    const res = await fetch(`${base}/api/sessions/${id}/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ content: 'and one more' }),
    });
    expect(parse(await res.text()).at(-1)?.event).toBe('done');
    expect(fake.bodies.filter(isSummaryCall)).toHaveLength(1);
  });
});

describe('assistant-service falling back from Anthropic to OpenAI', () => {
  let anthropic: Fake;
  let openai: Fake;
  let svc: AssistantService;
  let base: string;

  beforeAll(async () => {
    [anthropic, openai] = await Promise.all([startFakeAnthropic(), startFakeOpenAI()]);
    svc = createAssistantService(
      loadConfig({
        ASSISTANT_ANTHROPIC_API_KEY: 'sk-ant-test-0123456789',
        ASSISTANT_ANTHROPIC_BASE_URL: anthropic.url,
        ASSISTANT_ANTHROPIC_MODEL: 'claude-test',
        ASSISTANT_OPENAI_API_KEY: 'sk-openai-test-0123456789',
        ASSISTANT_OPENAI_BASE_URL: `${openai.url}/v1`,
        ASSISTANT_OPENAI_MODEL: 'gpt-test',
      }),
    );
    base = `http://127.0.0.1:${(await svc.app.listen(0, '127.0.0.1')).port}`;
  });
  afterAll(async () => {
    await svc.app.shutdown({ timeoutMs: 1_000 });
    await svc.close();
    await Promise.all([anthropic.close(), openai.close()]);
  });

  it('answers from OpenAI when Anthropic is overloaded, with the same history sent in OpenAI shape', async () => {
    const id = ((await (await fetch(`${base}/api/sessions`, { method: 'POST' })).json()) as { data: { id: string } })
      .data.id;
    const res = await fetch(`${base}/api/sessions/${id}/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ content: 'busy?' }),
    });
    const events = parse(await res.text());
    expect(
      events
        .filter((e) => e.event === 'text')
        .map((e) => e.data['text'])
        .join(''),
    ).toBe('Answered by the fallback.');
    expect(events.at(-1)).toMatchObject({
      event: 'done',
      data: { provider: 'openai', usage: { inputTokens: 9, outputTokens: 4 } },
    });
    expect(anthropic.bodies).toHaveLength(1);
    expect(openai.bodies[0]).toMatchObject({
      model: 'gpt-test',
      stream: true,
      messages: [{ role: 'system' }, { role: 'user', content: 'busy?' }],
    });
  });
});

describe('assistant-service config', () => {
  it('needs at least one provider and a valid base URL, and never echoes the key', () => {
    expect(() => loadConfig({})).toThrow(ConfigError);
    expect(() =>
      loadConfig({ ASSISTANT_OPENAI_API_KEY: 'sk-secret-value', ASSISTANT_OPENAI_BASE_URL: 'not a url' }),
    ).toThrow(/must be a URL/);
    try {
      loadConfig({
        ASSISTANT_OPENAI_API_KEY: 'sk-secret-value',
        ASSISTANT_OPENAI_BASE_URL: 'nope',
        ASSISTANT_MAX_STEPS: '0',
      });
    } catch (e) {
      expect(String(e)).not.toContain('sk-secret-value');
    }
    expect(
      loadConfig({ ASSISTANT_OPENAI_API_KEY: 'k', ASSISTANT_ANTHROPIC_API_KEY: 'k' }).vendors.map((v) => v.vendor),
    ).toEqual(['anthropic', 'openai']);
    expect(() => loadConfig({ ASSISTANT_OPENAI_API_KEY: 'k', ASSISTANT_MAX_STEPS: '0' })).toThrow(
      /ASSISTANT_MAX_STEPS/,
    );
  });
});
