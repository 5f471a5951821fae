import './__tests__/ts-deps.ts';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { createApp, type App } from 'plumego/core';
import { createAllowListPolicy, createToolRegistry, isAiToolError, type ToolRegistry } from 'plumego/x/ai/tool';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ALLOWED, createFixtureRegistry, startRawMcpServer } from './__tests__/fixtures.ts';
import { connectMcpTools, type McpToolSource, type McpToolSourceOptions } from './client.ts';
import { isAiMcpError } from './errors.ts';
import { mountMcpServer } from './server.ts';

let app: App;
let url: string;
const remoteCalls: string[] = [];
const sources: McpToolSource[] = [];

beforeAll(async () => {
  app = createApp();
  // The remote side: its own registry, policy and (generous) limits.
  const registry = createFixtureRegistry({
    timeoutMs: 5_000,
    maxOutputBytes: 20 * 1024 * 1024,
    onCall: (n) => remoteCalls.push(n),
  });
  mountMcpServer(app, '/mcp', { registry, policy: createAllowListPolicy(ALLOWED) });
  const { port } = await app.listen(0, '127.0.0.1');
  url = `http://127.0.0.1:${port}/mcp`;
});

afterAll(async () => {
  await app.shutdown({ timeoutMs: 1_000 });
});

afterEach(async () => {
  remoteCalls.length = 0;
  await Promise.all(sources.splice(0).map((s) => s.close()));
});

async function connect(options: Partial<McpToolSourceOptions> = {}): Promise<McpToolSource> {
  const source = await connectMcpTools({ transport: { type: 'http', url }, ...options });
  sources.push(source);
  return source;
}

function localRegistry(
  source: McpToolSource,
  options: { timeoutMs?: number; maxOutputBytes?: number } = {},
): ToolRegistry {
  const registry = createToolRegistry({ allowCapabilities: ['network'], ...options });
  source.registerInto(registry);
  return registry;
}

const everything = (names: readonly string[]) => createAllowListPolicy(names);

describe('remote MCP tools through a local registry', () => {
  it('imports the remote tools under a prefix and calls them', async () => {
    const source = await connect({ prefix: 'remote_' });
    expect(source.tools.map((t) => t.name)).toEqual(ALLOWED.map((n) => `remote_${n}`));
    expect(source.tools.every((t) => t.capabilities?.join() === 'network')).toBe(true);
    const registry = localRegistry(source);
    const policy = everything(['remote_weather', 'remote_echo']);
    expect(await registry.invoke({ name: 'remote_weather', arguments: { city: 'Oslo' } }, { policy })).toEqual({
      city: 'Oslo',
      units: 'C',
      temp: 21,
    });
    expect(await registry.invoke({ name: 'remote_echo', arguments: { text: 'plain text' } }, { policy })).toBe(
      'plain text',
    );
    expect(remoteCalls).toEqual(['weather', 'echo']);
  });

  it('needs the registry to opt in to the network capability', async () => {
    const source = await connect();
    expect(() => source.registerInto(createToolRegistry())).toThrow(
      expect.objectContaining({ code: 'AI_TOOL_INVALID_DEFINITION', message: expect.stringMatching(/network/) }),
    );
  });

  it('denies by the local policy and checks arguments locally, before anything is sent', async () => {
    const registry = localRegistry(await connect());
    await expect(
      registry.invoke({ name: 'weather', arguments: { city: 'Oslo' } }, { policy: everything(['echo']) }),
    ).rejects.toMatchObject({ code: 'AI_TOOL_DENIED' });
    await expect(
      registry.invoke({ name: 'weather', arguments: { city: 3 } }, { policy: everything(['weather']) }),
    ).rejects.toMatchObject({ code: 'AI_TOOL_INVALID_ARGUMENTS' });
    expect(remoteCalls).toEqual([]);
  });

  it('stops waiting for a hung remote tool at the local timeout', async () => {
    const registry = localRegistry(await connect({ timeoutMs: 50 }));
    await expect(
      registry.invoke({ name: 'hang', arguments: {} }, { policy: everything(['hang']) }),
    ).rejects.toMatchObject({ code: 'AI_TOOL_TIMEOUT', details: { timeoutMs: 50 } });
  });

  it('refuses a 10 MB remote answer with the local output limit', async () => {
    const registry = localRegistry(await connect({ maxResponseBytes: 16 * 1024 * 1024 }), {
      maxOutputBytes: 1024 * 1024,
    });
    await expect(
      registry.invoke({ name: 'big', arguments: {} }, { policy: everything(['big']) }),
    ).rejects.toMatchObject({
      code: 'AI_TOOL_OUTPUT_TOO_LARGE',
      details: { bytes: 10 * 1024 * 1024, limit: 1024 * 1024 },
    });
  });

  it('stops reading a remote answer past maxResponseBytes (default 4 MiB), then still serves small answers', async () => {
    const registry = localRegistry(await connect());
    const policy = everything(['big', 'echo']);
    const error = await registry.invoke({ name: 'big', arguments: {} }, { policy }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'AI_TOOL_OUTPUT_TOO_LARGE', details: { limit: 4 * 1024 * 1024 } });
    expect((error as { details: { bytes: number } }).details.bytes).toBeGreaterThan(4 * 1024 * 1024);
    expect(await registry.invoke({ name: 'echo', arguments: { text: 'still here' } }, { policy })).toBe('still here');
  });

  it('turns a remote error result into AI_TOOL_FAILED with the remote code, keeping the remote text on the cause', async () => {
    const registry = localRegistry(await connect());
    const error = await registry
      .invoke({ name: 'boom', arguments: {} }, { policy: everything(['boom']) })
      .catch((e: unknown) => e);
    expect(isAiToolError(error)).toBe(true);
    expect(error).toMatchObject({
      code: 'AI_TOOL_FAILED',
      message: 'remote tool boom answered with an error (AI_TOOL_FAILED)',
      details: { remoteCode: 'AI_TOOL_FAILED' },
    });
    const cause = (error as Error).cause;
    expect(isAiMcpError(cause)).toBe(true);
    expect(cause).toMatchObject({ code: 'AI_MCP_REMOTE_TOOL_ERROR' });
    const model = await registry.invokeForModel(
      { id: 'c1', name: 'boom', arguments: {} },
      { policy: everything(['boom']) },
    );
    expect(JSON.parse(model.content)).toEqual({
      error: { code: 'AI_TOOL_FAILED', message: 'remote tool boom answered with an error (AI_TOOL_FAILED)' },
    });
  });

  it('fails a call made after close with AI_TOOL_FAILED caused by AI_MCP_CALL_FAILED', async () => {
    const source = await connectMcpTools({ transport: { type: 'http', url }, include: ['echo'] });
    const registry = localRegistry(source);
    await source.close();
    const error = await registry
      .invoke({ name: 'echo', arguments: { text: 'x' } }, { policy: everything(['echo']) })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'AI_TOOL_FAILED' });
    expect((error as Error).cause).toMatchObject({ code: 'AI_MCP_CALL_FAILED' });
  });

  it('takes only the included tools, and refuses an include the server lacks', async () => {
    expect((await connect({ include: ['echo', 'weather'] })).tools.map((t) => t.name)).toEqual(['echo', 'weather']);
    await expect(
      connectMcpTools({ transport: { type: 'http', url }, include: ['echo', 'nope'] }),
    ).rejects.toMatchObject({ code: 'AI_MCP_INVALID_REMOTE_TOOL', details: { missing: ['nope'] } });
  });

  it('reports an unreachable server as AI_MCP_CONNECT_FAILED', async () => {
    const port = await new Promise<number>((resolve) => {
      const probe = createServer().listen(0, '127.0.0.1', () => {
        const { port: p } = probe.address() as { port: number };
        probe.close(() => resolve(p));
      });
    });
    await expect(
      connectMcpTools({ transport: { type: 'http', url: `http://127.0.0.1:${port}/mcp` } }),
    ).rejects.toMatchObject({
      code: 'AI_MCP_CONNECT_FAILED',
      status: 502,
      details: { server: `http://127.0.0.1:${port}` },
    });
  });

  it('reports a server that refuses the connection (401) as AI_MCP_CONNECT_FAILED', async () => {
    const guarded = createApp();
    guarded.addRoute('POST', '/mcp', (w) => {
      w.writeHead(401);
      w.end();
    });
    const { port } = await guarded.listen(0, '127.0.0.1');
    try {
      await expect(
        connectMcpTools({ transport: { type: 'http', url: `http://127.0.0.1:${port}/mcp` } }),
      ).rejects.toMatchObject({ code: 'AI_MCP_CONNECT_FAILED' });
    } finally {
      await guarded.shutdown({ timeoutMs: 1_000 });
    }
  });
});

describe('remote tools from a server that is not ours', () => {
  const dotted = { name: 'has.dot', description: 'dotted', inputSchema: { type: 'object' as const } };
  const draft7 = {
    name: 'lookup',
    description: 'draft-07 schema as the SDK’s zod converter writes it',
    inputSchema: {
      $schema: 'http://json-schema.org/draft-07/schema#',
      type: 'object' as const,
      properties: { id: { type: 'integer', minimum: 1 } },
      required: ['id'],
      additionalProperties: false,
    },
  };
  const broken = {
    name: 'broken',
    description: 'bad schema',
    inputSchema: { type: 'object' as const, properties: { a: { type: 'nope' } } },
  };
  let raw: Awaited<ReturnType<typeof startRawMcpServer>>;

  beforeAll(async () => {
    raw = await startRawMcpServer([draft7, dotted, broken]);
  });
  afterAll(async () => raw.close());

  it('refuses a remote tool the registry could not take (bad name, schema that does not compile)', async () => {
    await expect(connectMcpTools({ transport: { type: 'http', url: raw.url } })).rejects.toMatchObject({
      code: 'AI_MCP_INVALID_REMOTE_TOOL',
      details: { tool: 'has.dot' },
    });
    await expect(
      connectMcpTools({ transport: { type: 'http', url: raw.url }, include: ['lookup', 'broken'] }),
    ).rejects.toMatchObject({
      code: 'AI_MCP_INVALID_REMOTE_TOOL',
      details: { tool: 'broken', reason: expect.stringMatching(/compile/) },
    });
  });

  it('skips them on request, compiles a draft-07 schema, and joins text blocks', async () => {
    const source = await connectMcpTools({ transport: { type: 'http', url: raw.url }, onInvalidTool: 'skip' });
    sources.push(source);
    expect(source.tools.map((t) => t.name)).toEqual(['lookup']);
    expect(source.skipped.map((s) => s.name)).toEqual(['has.dot', 'broken']);
    const registry = localRegistry(source);
    const policy = everything(['lookup']);
    await expect(registry.invoke({ name: 'lookup', arguments: { id: 0 } }, { policy })).rejects.toMatchObject({
      code: 'AI_TOOL_INVALID_ARGUMENTS',
    });
    expect(await registry.invoke({ name: 'lookup', arguments: { id: 7 } }, { policy })).toBe('called lookup\n{"id":7}');
  });
});

describe('MCP client over stdio', () => {
  it('spawns a local server, lists and calls its tools, and needs the shell capability', async () => {
    const fixture = fileURLToPath(new URL('./__tests__/stdio-server.ts', import.meta.url));
    const source = await connectMcpTools({
      transport: {
        type: 'stdio',
        command: process.execPath,
        args: ['--conditions=source', '--import', 'tsx', fixture],
        cwd: process.cwd(),
        stderr: 'ignore',
      },
      // Generous: the child compiles TypeScript on start, and CI runs many test files at once.
      connectTimeoutMs: 30_000,
      prefix: 'local_',
    });
    sources.push(source);
    expect(source.tools.map((t) => t.name)).toEqual(['local_echo', 'local_calculator']);
    expect(() => source.registerInto(createToolRegistry({ allowCapabilities: ['network'] }))).toThrow(/shell/);
    const registry = createToolRegistry({ allowCapabilities: ['shell'] });
    source.registerInto(registry);
    expect(
      await registry.invoke(
        { name: 'local_calculator', arguments: { expression: '2^10' } },
        { policy: everything(['local_calculator']) },
      ),
    ).toEqual({ result: 1024 });
  }, 45_000);
});

describe('MCP client options', () => {
  it.each([
    { title: 'no transport', options: {}, pattern: /transport.type/ },
    { title: 'an unknown transport', options: { transport: { type: 'ws', url: 'ws://x' } }, pattern: /transport.type/ },
    {
      title: 'a URL that does not parse',
      options: { transport: { type: 'http', url: 'not a url' } },
      pattern: /not a URL/,
    },
    {
      title: 'a file URL',
      options: { transport: { type: 'http', url: 'file:///etc/passwd' } },
      pattern: /http or https/,
    },
    { title: 'an empty command', options: { transport: { type: 'stdio', command: '' } }, pattern: /command/ },
    {
      title: 'a prefix with a dot',
      options: { transport: { type: 'http', url: 'http://x' }, prefix: 'a.' },
      pattern: /prefix/,
    },
    {
      title: 'a zero timeout',
      options: { transport: { type: 'http', url: 'http://x' }, timeoutMs: 0 },
      pattern: /timeoutMs/,
    },
    {
      title: 'a zero maxResponseBytes',
      options: { transport: { type: 'http', url: 'http://x' }, maxResponseBytes: 0 },
      pattern: /maxResponseBytes/,
    },
    {
      title: 'an unknown onInvalidTool',
      options: { transport: { type: 'http', url: 'http://x' }, onInvalidTool: 'ignore' },
      pattern: /onInvalidTool/,
    },
  ])('refuses $title', async ({ options, pattern }) => {
    await expect(connectMcpTools(options as unknown as McpToolSourceOptions)).rejects.toMatchObject({
      code: 'AI_MCP_INVALID_OPTIONS',
      status: 500,
      message: expect.stringMatching(pattern),
    });
  });
});
