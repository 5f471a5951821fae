import { describe, expect, it } from 'vitest';
import { DEFAULT_APP_CONFIG, parseAddr, resolveAppConfig, resolveConnectionSettings } from './config.ts';
import { createApp } from './app.ts';
import { CoreError } from './errors.ts';

const invalid = (fn: () => unknown, code: string): void => {
  let error: unknown;
  try {
    fn();
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(CoreError);
  expect((error as CoreError).code).toBe(code);
};

describe('parseAddr', () => {
  it.each([
    [':8080', undefined, 8080],
    ['127.0.0.1:0', '127.0.0.1', 0],
    ['localhost:65535', 'localhost', 65535],
    ['[::1]:443', '::1', 443],
  ])('splits %s', (addr, host, port) => {
    expect(parseAddr(addr)).toEqual({ host, port });
  });

  it.each(['8080', ':65536', ':123456', 'host:', 'a:b:1', '[::1:80', ':80 ', ':-1', ':8o'])('rejects %j', (addr) => {
    invalid(() => parseAddr(addr), 'CORE_INVALID_ADDR');
  });
});

describe('resolveAppConfig', () => {
  it('fills every default, and an explicit undefined means the default', () => {
    const c = resolveAppConfig({ readTimeoutMs: undefined as unknown as number });
    expect(c).toEqual({
      addr: ':8080',
      host: undefined,
      port: 8080,
      methodNotAllowed: false,
      readTimeoutMs: 30_000,
      readHeaderTimeoutMs: 5_000,
      idleTimeoutMs: 60_000,
      writeTimeoutMs: 0,
      maxHeaderBytes: 16_384,
      drainIntervalMs: 500,
      shutdownTimeoutMs: 15_000,
      tls: undefined,
    });
    expect(resolveAppConfig()).toEqual(c);
    expect(DEFAULT_APP_CONFIG).toMatchObject({ connectionCheckIntervalMs: 1_000, maxConnectionsPerIp: 0 });
  });

  it('keeps every given value', () => {
    const tls = { cert: 'c', key: 'k' };
    expect(
      resolveAppConfig({
        addr: '[::]:9',
        methodNotAllowed: true,
        readTimeoutMs: 0,
        readHeaderTimeoutMs: 1,
        idleTimeoutMs: 2,
        writeTimeoutMs: 3,
        maxHeaderBytes: 1024,
        drainIntervalMs: 4,
        shutdownTimeoutMs: 5,
        tls,
      }),
    ).toEqual({
      addr: '[::]:9',
      host: '::',
      port: 9,
      methodNotAllowed: true,
      readTimeoutMs: 0,
      readHeaderTimeoutMs: 1,
      idleTimeoutMs: 2,
      writeTimeoutMs: 3,
      maxHeaderBytes: 1024,
      drainIntervalMs: 4,
      shutdownTimeoutMs: 5,
      tls,
    });
  });

  it.each([
    'readTimeoutMs',
    'readHeaderTimeoutMs',
    'idleTimeoutMs',
    'writeTimeoutMs',
    'drainIntervalMs',
    'shutdownTimeoutMs',
  ] as const)('rejects a negative, infinite or NaN %s', (key) => {
    for (const bad of [-1, Number.POSITIVE_INFINITY, Number.NaN])
      invalid(() => resolveAppConfig({ [key]: bad }), 'CORE_INVALID_CONFIG');
  });

  it('refuses a header timeout longer than the whole-request timeout when the config is resolved', () => {
    let error: unknown;
    try {
      resolveAppConfig({ readTimeoutMs: 4_000 }); // the default header timeout is 5 000
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(CoreError);
    expect(error).toMatchObject({ code: 'CORE_INVALID_CONFIG', operation: 'prepare_server' });
    expect((error as Error).message).toBe(
      'core prepare_server: readHeaderTimeoutMs=5000: must not exceed readTimeoutMs=4000 (0 disables the whole-request timeout)',
    );
    invalid(() => resolveAppConfig({ readHeaderTimeoutMs: 1_001, readTimeoutMs: 1_000 }), 'CORE_INVALID_CONFIG');
    // Built apps fail at once, not at prepare(): nothing can be registered on a broken config.
    invalid(() => createApp({ readHeaderTimeoutMs: 2, readTimeoutMs: 1 }), 'CORE_INVALID_CONFIG');
  });

  it('accepts a header timeout equal to the request timeout, any header timeout when the request timeout is off, and no header timeout', () => {
    for (const [header, read] of [
      [1_000, 1_000],
      [90_000, 0],
      [0, 10],
    ] as const) {
      const c = resolveAppConfig({ readHeaderTimeoutMs: header, readTimeoutMs: read });
      expect([c.readHeaderTimeoutMs, c.readTimeoutMs]).toEqual([header, read]);
      // What resolveAppConfig lets through, Node accepts too.
      const server = createApp({ readHeaderTimeoutMs: header, readTimeoutMs: read }).prepare();
      expect([server.headersTimeout, server.requestTimeout]).toEqual([header, read]);
    }
  });

  it('rejects a header limit under 1 KiB or not an integer', () => {
    invalid(() => resolveAppConfig({ maxHeaderBytes: 1023 }), 'CORE_INVALID_CONFIG');
    invalid(() => resolveAppConfig({ maxHeaderBytes: 2048.5 }), 'CORE_INVALID_CONFIG');
    invalid(() => resolveAppConfig({ addr: 'nope' }), 'CORE_INVALID_ADDR');
  });
});

describe('resolveConnectionSettings', () => {
  it('fills defaults and keeps given values at their lower bounds', () => {
    expect(resolveConnectionSettings({}, {})).toEqual({
      connectionCheckIntervalMs: 1_000,
      maxConnectionsPerIp: 0,
      formatErrorBody: undefined,
    });
    const format = (): string => '{}';
    expect(
      resolveConnectionSettings({ connectionCheckIntervalMs: 1, maxConnectionsPerIp: 3 }, { formatErrorBody: format }),
    ).toEqual({ connectionCheckIntervalMs: 1, maxConnectionsPerIp: 3, formatErrorBody: format });
  });

  it('rejects an interval under 1 ms or not finite, a non-integer or negative per-address limit, and a formatter that is not a function', () => {
    for (const bad of [0.5, Number.NaN, Number.POSITIVE_INFINITY])
      invalid(() => resolveConnectionSettings({ connectionCheckIntervalMs: bad }, {}), 'CORE_INVALID_CONFIG');
    for (const bad of [-1, 1.5, Number.MAX_SAFE_INTEGER + 1])
      invalid(() => resolveConnectionSettings({ maxConnectionsPerIp: bad }, {}), 'CORE_INVALID_CONFIG');
    invalid(() => resolveConnectionSettings({}, { formatErrorBody: {} as never }), 'CORE_INVALID_CONFIG');
  });
});
