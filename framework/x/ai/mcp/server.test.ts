import './__tests__/ts-deps.ts';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { APIError } from 'plumego/contract';
import { createApp, type App } from 'plumego/core';
import { createAllowListPolicy, createScopedAllowListPolicy } from 'plumego/x/ai/tool';
import { afterEach, describe, expect, it } from 'vitest';
import { ALLOWED, createFixtureRegistry } from './__tests__/fixtures.ts';
import { createMcpHandler, mountMcpServer, type McpServerOptions } from './server.ts';

const apps: App[] = [];
const clients: Client[] = [];

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  await Promise.all(apps.splice(0).map((a) => a.shutdown({ timeoutMs: 1_000 })));
});

async function serve(options: Partial<McpServerOptions> = {}): Promise<string> {
  const app = createApp();
  mountMcpServer(app, '/mcp', {
    registry: createFixtureRegistry(),
    policy: createAllowListPolicy(ALLOWED),
    ...options,
  });
  const { port } = await app.listen(0, '127.0.0.1');
  apps.push(app);
  return `http://127.0.0.1:${port}/mcp`;
}

async function connect(url: string, headers: Record<string, string> = {}): Promise<Client> {
  const client = new Client({ name: 'test', version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers } }));
  clients.push(client);
  return client;
}

async function call(client: Client, name: string, args: Record<string, unknown> = {}): Promise<CallToolResult> {
  return (await client.callTool({ name, arguments: args })) as CallToolResult;
}

function errorOf(result: CallToolResult): { code: string; message: string; issues?: unknown[] } {
  expect(result.isError).toBe(true);
  const fromText = JSON.parse((result.content[0] as { text: string }).text) as {
    error: { code: string; message: string };
  };
  expect(result.structuredContent).toEqual(fromText);
  return fromText.error;
}

const post = (url: string, body: string, headers: Record<string, string> = {}, signal?: AbortSignal) =>
  fetch(url, {
    method: 'POST',
    body,
    headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...headers },
    ...(signal ? { signal } : {}),
  });

describe('MCP server over Streamable HTTP (a real SDK client)', () => {
  it('lists only the tools the policy allows, with their schemas', async () => {
    const client = await connect(await serve());
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name)).toEqual(ALLOWED);
    expect(tools.find((t) => t.name === 'weather')).toMatchObject({
      description: 'Weather for a city',
      inputSchema: { type: 'object', required: ['city'] },
    });
    expect(client.getServerVersion()).toEqual({ name: 'plumego', version: '1.0.0' });
  });

  it('calls a tool with defaults filled, answering text and structured content', async () => {
    const client = await connect(await serve());
    const result = await call(client, 'weather', { city: 'Paris' });
    expect(result.isError).toBeFalsy();
    expect(result.content).toEqual([{ type: 'text', text: '{"city":"Paris","units":"C","temp":21}' }]);
    expect(result.structuredContent).toEqual({ city: 'Paris', units: 'C', temp: 21 });
    expect(await call(client, 'echo', { text: '{not json' })).toEqual({
      content: [{ type: 'text', text: '{not json' }],
    });
  });

  it('answers a denied tool with AI_TOOL_DENIED and never runs it', async () => {
    const calls: string[] = [];
    const client = await connect(await serve({ registry: createFixtureRegistry({ onCall: (n) => calls.push(n) }) }));
    expect(errorOf(await call(client, 'secret'))).toMatchObject({ code: 'AI_TOOL_DENIED' });
    expect(errorOf(await call(client, 'rm'))).toMatchObject({ code: 'AI_TOOL_NOT_FOUND' });
    expect(calls).toEqual([]);
  });

  it('answers arguments that fail the schema with AI_TOOL_INVALID_ARGUMENTS and the issues per field', async () => {
    const calls: string[] = [];
    const client = await connect(await serve({ registry: createFixtureRegistry({ onCall: (n) => calls.push(n) }) }));
    const error = errorOf(await call(client, 'weather', { city: 42, units: 'K', shell: 'rm -rf /' }));
    expect(error.code).toBe('AI_TOOL_INVALID_ARGUMENTS');
    expect((error.issues as { field: string }[]).map((i) => i.field).sort()).toEqual(['city', 'shell', 'units']);
    expect(errorOf(await call(client, 'weather'))).toMatchObject({ code: 'AI_TOOL_INVALID_ARGUMENTS' });
    expect(calls).toEqual([]);
  });

  it('answers a hung tool with AI_TOOL_TIMEOUT at the registry deadline and aborts its signal', async () => {
    let signal: AbortSignal | undefined;
    const client = await connect(
      await serve({ registry: createFixtureRegistry({ timeoutMs: 50, onSignal: (s) => (signal = s) }) }),
    );
    expect(errorOf(await call(client, 'hang'))).toMatchObject({
      code: 'AI_TOOL_TIMEOUT',
      message: 'tool hang timed out after 50 ms',
    });
    expect(signal?.aborted).toBe(true);
  });

  it('answers a 10 MB result with AI_TOOL_OUTPUT_TOO_LARGE instead of sending it', async () => {
    const client = await connect(await serve());
    const result = await call(client, 'big');
    expect(errorOf(result)).toMatchObject({
      code: 'AI_TOOL_OUTPUT_TOO_LARGE',
      message: `tool big returned ${10 * 1024 * 1024} bytes (limit 65536)`,
    });
    expect(JSON.stringify(result).length).toBeLessThan(1_000);
  });

  it('keeps a throwing tool’s message out of the answer', async () => {
    const client = await connect(await serve());
    const result = await call(client, 'boom');
    expect(errorOf(result)).toEqual({ code: 'AI_TOOL_FAILED', message: 'tool boom failed' });
    expect(JSON.stringify(result)).not.toContain('hunter2');
  });

  it('applies the scope of each HTTP request to listing and calling', async () => {
    const url = await serve({
      policy: createScopedAllowListPolicy('tenant', { acme: ['echo'], beta: ['calculator'] }),
      scope: (r) => (r.header('x-tenant') ? { tenant: r.header('x-tenant')! } : {}),
    });
    const acme = await connect(url, { 'x-tenant': 'acme' });
    const beta = await connect(url, { 'x-tenant': 'beta' });
    const nobody = await connect(url);
    expect((await acme.listTools()).tools.map((t) => t.name)).toEqual(['echo']);
    expect((await beta.listTools()).tools.map((t) => t.name)).toEqual(['calculator']);
    expect((await nobody.listTools()).tools).toEqual([]);
    expect((await call(acme, 'echo', { text: 'hi' })).content).toEqual([{ type: 'text', text: 'hi' }]);
    expect(errorOf(await call(beta, 'echo', { text: 'hi' }))).toMatchObject({ code: 'AI_TOOL_DENIED' });
    expect(errorOf(await call(nobody, 'echo', { text: 'hi' }))).toMatchObject({ code: 'AI_TOOL_DENIED' });
  });

  it('refuses the whole request when the scope function throws (the framework envelope)', async () => {
    const url = await serve({
      scope: () => {
        throw new APIError({ type: 'unauthorized_request', message: 'sign in' });
      },
    });
    const res = await post(url, JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }));
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ error: { code: 'UNAUTHORIZED' } });
  });

  it('streams answers as SSE when asked to', async () => {
    const url = await serve({ sseResponses: true });
    const raw = await post(url, JSON.stringify({ jsonrpc: '2.0', id: 3, method: 'tools/list' }), {
      'mcp-protocol-version': '2025-06-18',
    });
    expect(raw.headers.get('content-type')).toBe('text/event-stream');
    expect(await raw.text()).toMatch(/^event: message\ndata: \{"result":\{"tools":\[/m);
    const client = await connect(url);
    expect((await client.listTools()).tools).toHaveLength(ALLOWED.length);
    expect((await call(client, 'calculator', { expression: '6*7' })).structuredContent).toEqual({ result: 42 });
    expect(errorOf(await call(client, 'secret'))).toMatchObject({ code: 'AI_TOOL_DENIED' });
  });

  it('aborts a running tool when the HTTP client goes away', async () => {
    let signal: AbortSignal | undefined;
    let started!: () => void;
    const running = new Promise<void>((resolve) => (started = resolve));
    const url = await serve({
      registry: createFixtureRegistry({
        timeoutMs: 60_000,
        onSignal: (s) => {
          signal = s;
          started();
        },
      }),
    });
    const controller = new AbortController();
    const pending = post(
      url,
      JSON.stringify({ jsonrpc: '2.0', id: 7, method: 'tools/call', params: { name: 'hang', arguments: {} } }),
      { 'mcp-protocol-version': '2025-06-18' },
      controller.signal,
    );
    await running;
    controller.abort();
    await expect(pending).rejects.toThrow();
    await expect.poll(() => signal?.aborted, { timeout: 10_000 }).toBe(true);
  });
});

describe('MCP server in process (no socket)', () => {
  it('answers JSON-RPC through app.request, on a route group', async () => {
    const app = createApp();
    mountMcpServer(app.group('/api'), '/mcp', {
      registry: createFixtureRegistry(),
      policy: createAllowListPolicy(ALLOWED),
    });
    const headers = {
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      'mcp-protocol-version': '2025-06-18',
    };
    const call = await app.request({
      method: 'POST',
      url: '/api/mcp',
      headers,
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: 9,
        method: 'tools/call',
        params: { name: 'calculator', arguments: { expression: '1+2' } },
      }),
    });
    expect(call.status).toBe(200);
    expect(call.json()).toEqual({
      jsonrpc: '2.0',
      id: 9,
      result: { content: [{ type: 'text', text: '{"result":3}' }], structuredContent: { result: 3 } },
    });
    const denied = await app.request({
      method: 'POST',
      url: '/api/mcp',
      headers,
      body: JSON.stringify({ jsonrpc: '2.0', id: 10, method: 'tools/call', params: { name: 'secret' } }),
    });
    expect(denied.json<{ result: CallToolResult }>().result).toMatchObject({
      isError: true,
      structuredContent: { error: { code: 'AI_TOOL_DENIED' } },
    });
  });
});

describe('MCP server: HTTP-level refusals', () => {
  it.each(['GET', 'DELETE'])('answers %s with 405 and a JSON-RPC error (stateless server)', async (method) => {
    const res = await fetch(await serve(), { method, headers: { accept: 'application/json, text/event-stream' } });
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('POST');
    expect(await res.json()).toEqual({
      jsonrpc: '2.0',
      error: { code: -32000, message: 'Method not allowed.' },
      id: null,
    });
  });

  it('answers a body that is not JSON with 400 INVALID_JSON, and a non-JSON content type with 415', async () => {
    const url = await serve();
    const bad = await post(url, '{"jsonrpc":');
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error: { code: 'INVALID_JSON' } });
    expect((await post(url, '{}', { 'content-type': 'text/plain' })).status).toBe(415);
  });

  it('answers a body over maxBodyBytes with 413', async () => {
    const url = await serve({ maxBodyBytes: 1_024 });
    const res = await post(
      url,
      JSON.stringify({
        jsonrpc: '2.0',
        id: 1,
        method: 'tools/call',
        params: { name: 'echo', arguments: { text: 'x'.repeat(4_096) } },
      }),
    );
    expect(res.status).toBe(413);
  });

  it('answers a well-formed JSON body that is not JSON-RPC with the SDK’s parse error', async () => {
    const res = await post(await serve(), JSON.stringify({ hello: 'world' }));
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ jsonrpc: '2.0', error: { code: -32700 } });
  });

  it('refuses a request without the Accept header the protocol requires', async () => {
    const res = await fetch(await serve(), {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
    });
    expect(res.status).toBe(406);
  });

  it('refuses a foreign Origin when allowedOrigins is set (DNS-rebinding protection)', async () => {
    const url = await serve({ allowedOrigins: ['http://localhost:3000'] });
    const res = await post(url, JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }), {
      origin: 'http://evil.example',
    });
    expect(res.status).toBe(403);
    await expect(connect(url, { origin: 'http://localhost:3000' })).resolves.toBeDefined();
  });

  it.each([
    { title: 'no registry', options: { policy: createAllowListPolicy([]) }, pattern: /registry/ },
    { title: 'no policy', options: { registry: createFixtureRegistry() }, pattern: /policy/ },
    {
      title: 'a scope that is not a function',
      options: { registry: createFixtureRegistry(), policy: createAllowListPolicy([]), scope: { tenant: 'a' } },
      pattern: /scope/,
    },
    {
      title: 'a zero body limit',
      options: { registry: createFixtureRegistry(), policy: createAllowListPolicy([]), maxBodyBytes: 0 },
      pattern: /maxBodyBytes/,
    },
  ])('refuses to build a handler with $title', ({ options, pattern }) => {
    expect(() => createMcpHandler(options as unknown as McpServerOptions)).toThrow(
      expect.objectContaining({ code: 'AI_MCP_INVALID_OPTIONS', message: expect.stringMatching(pattern) }),
    );
  });
});
