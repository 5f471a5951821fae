import { describe, expect, it } from 'vitest';
import { findRouteSource, toRouteRows } from './find-app.ts';

const route = { method: 'GET', path: '/healthz', name: 'live', tags: ['ops'], paramNames: [], middleware: ['auth'] };
const app = { routes: () => [route] };

describe('findRouteSource', () => {
  it.each<{ title: string; mod: Record<string, unknown> }>([
    { title: 'an app exported as app', mod: { app } },
    { title: 'an app as the default export', mod: { default: app } },
    { title: 'a createService factory', mod: { createService: () => app } },
    { title: 'an async createApp factory', mod: { createApp: async () => app } },
    { title: 'a service object holding the app', mod: { createService: () => ({ app, close() {} }) } },
  ])('finds $title', async ({ mod }) => {
    expect(toRouteRows(await findRouteSource(mod, 'entry.ts'))).toEqual([
      { method: 'GET', path: '/healthz', name: 'live', tags: ['ops'], middleware: ['auth'] },
    ]);
  });

  it('prefers the named export', async () => {
    const other = { routes: () => [] };
    expect(toRouteRows(await findRouteSource({ app, buildAdmin: () => other }, 'entry.ts', 'buildAdmin'))).toEqual([]);
  });

  it('names what the module exports when no app is found', async () => {
    await expect(findRouteSource({ loadConfig: () => ({}), VERSION: '1' }, 'src/config.ts')).rejects.toMatchObject({
      code: 'PLUMEGO_SCAFFOLD_ENTRY_INVALID',
      message: expect.stringMatching(/src\/config\.ts: no app found.*\(it exports loadConfig, VERSION\)/),
    });
  });

  it('refuses a named export that is not an app', async () => {
    await expect(findRouteSource({ app, port: 8080 }, 'entry.ts', 'port')).rejects.toThrow(
      /export 'port' is neither an app nor a function returning one/,
    );
  });
});
