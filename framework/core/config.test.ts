import { describe, expect, it } from 'vitest';
import { DEFAULT_APP_CONFIG, parseAddr, resolveAppConfig, resolveConnectionSettings } from './config.ts';
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
