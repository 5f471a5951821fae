import { describe, expect, it } from 'vitest';
import { builtinTools, calculatorTool, echoTool, evaluateExpression, timestampTool } from './builtins.ts';
import { createAllowListPolicy, createScopedAllowListPolicy } from './policy.ts';
import { createToolRegistry, toToolMessage } from './registry.ts';
import { defineTool } from './tool.ts';

const all = createAllowListPolicy(['echo', 'calculator', 'timestamp', 'slow', 'big', 'boom', 'weather', 'cooperative']);

const weather = defineTool<{ city: string; units: string }>({
  name: 'weather',
  description: 'Weather for a city',
  inputSchema: {
    type: 'object',
    properties: { city: { type: 'string', minLength: 1 }, units: { type: 'string', enum: ['C', 'F'], default: 'C' } },
    required: ['city'],
    additionalProperties: false,
  },
  invoke: ({ city, units }) => ({ city, units, temp: 21 }),
});

function registry() {
  const r = createToolRegistry({ timeoutMs: 100, maxOutputBytes: 1024 });
  for (const t of builtinTools) r.register(t);
  r.register(weather);
  r.register(
    defineTool({
      name: 'slow',
      description: 'never returns',
      inputSchema: { type: 'object' },
      invoke: () => new Promise(() => undefined),
    }),
  );
  r.register(
    defineTool({
      name: 'big',
      description: '10 MB',
      inputSchema: { type: 'object' },
      invoke: () => 'x'.repeat(10 * 1024 * 1024),
    }),
  );
  r.register(
    defineTool({
      name: 'boom',
      description: 'throws',
      inputSchema: { type: 'object' },
      invoke: () => {
        throw new Error('connection string postgres://admin:secret@db');
      },
    }),
  );
  return r;
}

describe('tool registry', () => {
  it('validates, fills defaults and invokes', async () => {
    const args = { city: 'Paris' };
    expect(await registry().invoke({ name: 'weather', arguments: args }, { policy: all })).toEqual({
      city: 'Paris',
      units: 'C',
      temp: 21,
    });
    expect(args).toEqual({ city: 'Paris' });
  });

  it.each([
    { title: 'a missing required field', args: {} },
    { title: 'a wrong type', args: { city: 42 } },
    { title: 'a value outside the enum', args: { city: 'Paris', units: 'K' } },
    { title: 'an extra property', args: { city: 'Paris', shell: 'rm -rf /' } },
  ])('rejects arguments with $title before invoking', async ({ args }) => {
    await expect(registry().invoke({ name: 'weather', arguments: args }, { policy: all })).rejects.toMatchObject({
      code: 'AI_TOOL_INVALID_ARGUMENTS',
      status: 400,
      details: { issues: expect.any(Array) },
    });
  });

  it('denies a tool the policy does not list, and offers only allowed definitions', async () => {
    const policy = createAllowListPolicy(['echo']);
    const r = registry();
    await expect(r.invoke({ name: 'calculator', arguments: { expression: '1+1' } }, { policy })).rejects.toMatchObject({
      code: 'AI_TOOL_DENIED',
      status: 403,
    });
    expect(r.definitions(policy).map((d) => d.name)).toEqual(['echo']);
    expect(r.definitions(createAllowListPolicy([]))).toEqual([]);
  });

  it('applies a per-tenant allow-list and denies a scope without a tenant', async () => {
    const policy = createScopedAllowListPolicy('tenant', { acme: ['echo'], beta: ['calculator'] });
    const r = registry();
    expect(await r.invoke({ name: 'echo', arguments: { text: 'hi' } }, { policy, scope: { tenant: 'acme' } })).toBe(
      'hi',
    );
    await expect(
      r.invoke({ name: 'echo', arguments: { text: 'hi' } }, { policy, scope: { tenant: 'beta' } }),
    ).rejects.toMatchObject({ code: 'AI_TOOL_DENIED' });
    await expect(r.invoke({ name: 'echo', arguments: { text: 'hi' } }, { policy, scope: {} })).rejects.toMatchObject({
      code: 'AI_TOOL_DENIED',
    });
  });

  it('denies when no policy is passed (fail closed)', async () => {
    await expect(registry().invoke({ name: 'echo', arguments: { text: 'x' } }, {} as never)).rejects.toMatchObject({
      code: 'AI_TOOL_DENIED',
    });
  });

  it('reports an unknown tool', async () => {
    await expect(registry().invoke({ name: 'rm', arguments: {} }, { policy: all })).rejects.toMatchObject({
      code: 'AI_TOOL_NOT_FOUND',
      status: 404,
    });
  });

  it('stops waiting for a hung tool at its timeout and aborts its signal', async () => {
    let signal: AbortSignal | undefined;
    const r = createToolRegistry({ timeoutMs: 50 });
    r.register(
      defineTool({
        name: 'cooperative',
        description: 'waits',
        inputSchema: { type: 'object' },
        invoke: (_, ctx) => {
          signal = ctx.signal;
          return new Promise(() => undefined);
        },
      }),
    );
    await expect(r.invoke({ name: 'cooperative', arguments: {} }, { policy: all })).rejects.toMatchObject({
      code: 'AI_TOOL_TIMEOUT',
      status: 504,
    });
    expect(signal?.aborted).toBe(true);
    await expect(registry().invoke({ name: 'slow', arguments: {} }, { policy: all })).rejects.toMatchObject({
      code: 'AI_TOOL_TIMEOUT',
    });
  });

  it("aborts a call when the caller's signal fires", async () => {
    const controller = new AbortController();
    const pending = registry().invoke({ name: 'slow', arguments: {} }, { policy: all, signal: controller.signal });
    controller.abort();
    await expect(pending).rejects.toMatchObject({ code: 'AI_TOOL_ABORTED' });
  });

  it('refuses a 10 MB result', async () => {
    await expect(registry().invoke({ name: 'big', arguments: {} }, { policy: all })).rejects.toMatchObject({
      code: 'AI_TOOL_OUTPUT_TOO_LARGE',
      details: { bytes: 10 * 1024 * 1024, limit: 1024 },
    });
  });

  it('wraps a throwing tool without its message', async () => {
    const error = (await registry()
      .invoke({ name: 'boom', arguments: {} }, { policy: all })
      .catch((e: unknown) => e)) as Error;
    expect(error).toMatchObject({ code: 'AI_TOOL_FAILED', status: 500 });
    expect(error.message).not.toContain('secret');
  });

  it('turns failures into error results for the model and successes into tool messages', async () => {
    const r = registry();
    const bad = await r.invokeForModel({ id: 'c1', name: 'weather', arguments: { city: 1 } }, { policy: all });
    expect(bad).toMatchObject({ toolCallId: 'c1', isError: true });
    expect(JSON.parse(bad.content).error.code).toBe('AI_TOOL_INVALID_ARGUMENTS');
    const good = await r.invokeForModel(
      { id: 'c2', name: 'calculator', arguments: { expression: '2*(3+4)' } },
      { policy: all },
    );
    expect(toToolMessage(good)).toEqual({ role: 'tool', toolCallId: 'c2', content: '{"result":14}' });
    expect(toToolMessage(bad)).toMatchObject({ isError: true });
  });

  it.each([
    { title: 'a bad name', tool: { ...echoTool, name: 'rm -rf' }, pattern: /name/ },
    { title: 'a duplicate', tool: echoTool, pattern: /duplicate/ },
    {
      title: 'a non-object schema',
      tool: { ...echoTool, name: 'e2', inputSchema: { type: 'string' } },
      pattern: /object schema/,
    },
    {
      title: 'a schema that does not compile',
      tool: { ...echoTool, name: 'e3', inputSchema: { type: 'object', properties: { a: { type: 'nope' } } } },
      pattern: /compile/,
    },
    {
      title: 'a shell capability without opt-in',
      tool: { ...echoTool, name: 'sh', capabilities: ['shell' as const] },
      pattern: /shell/,
    },
    {
      title: 'a file-system capability without opt-in',
      tool: { ...echoTool, name: 'fs', capabilities: ['filesystem' as const] },
      pattern: /filesystem/,
    },
  ])('refuses to register $title', ({ tool, pattern }) => {
    const r = createToolRegistry().register(echoTool);
    expect(() => r.register(tool as typeof echoTool)).toThrow(pattern);
  });

  it('registers a network tool once the registry opts in', () => {
    const r = createToolRegistry({ allowCapabilities: ['network'] });
    expect(() => r.register({ ...echoTool, name: 'fetcher', capabilities: ['network'] })).not.toThrow();
  });
});

describe('built-in tools', () => {
  it.each([
    ['1+2*3', 7],
    ['(1+2)*3', 9],
    ['2^3^2', 512],
    ['-4 + +2', -2],
    ['10 % 4', 2],
    ['1.5e2 / 3', 50],
  ])('calculates %s = %d', (expression, expected) => {
    expect(evaluateExpression(expression)).toBe(expected);
  });

  it.each(['', '1+', 'process.exit()', '1/0', '2)', '('.repeat(40) + '1' + ')'.repeat(40), 'constructor'])(
    'refuses the expression %j',
    (expression) => {
      expect(() => evaluateExpression(expression)).toThrow(
        expect.objectContaining({ code: 'AI_TOOL_INVALID_ARGUMENTS' }),
      );
    },
  );

  it('gives the time, and refuses an unknown time zone', async () => {
    const r = createToolRegistry().register(timestampTool).register(calculatorTool);
    const out = (await r.invoke({ name: 'timestamp', arguments: { timeZone: 'Europe/Paris' } }, { policy: all })) as {
      iso: string;
      local: string;
    };
    expect(Date.parse(out.iso)).not.toBeNaN();
    expect(out.local).toMatch(/\d/);
    await expect(
      r.invoke({ name: 'timestamp', arguments: { timeZone: 'Mars/Olympus' } }, { policy: all }),
    ).rejects.toMatchObject({ code: 'AI_TOOL_INVALID_ARGUMENTS' });
  });

  it('ships no shell, file-system or network tool', () => {
    expect(builtinTools.map((t) => t.name)).toEqual(['echo', 'calculator', 'timestamp']);
    expect(
      builtinTools.flatMap((t) => t.capabilities ?? []).filter((c) => ['shell', 'filesystem', 'network'].includes(c)),
    ).toEqual([]);
  });
});
