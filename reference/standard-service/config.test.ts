import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, DEFAULT_CONFIG, loadConfig } from './config.ts';

function dirWithEnv(content: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'std-svc-'));
  writeFileSync(join(dir, '.env'), content);
  return dir;
}

describe('loadConfig precedence: defaults < .env < env < flags', () => {
  it('uses defaults when nothing is set', () => {
    const c = loadConfig({ argv: [], env: {}, cwd: mkdtempSync(join(tmpdir(), 'std-svc-')) });
    expect(c).toEqual({ ...DEFAULT_CONFIG, envFile: '.env' });
  });

  it('layers the .env file, the environment and flags', () => {
    const cwd = dirWithEnv(
      'APP_ADDR=:1111\nAPP_SERVICE_NAME=from-file\nAPP_WRITE_KEY=file-key\nAPP_MAX_BODY_BYTES=10\n',
    );
    const fileOnly = loadConfig({ argv: [], env: {}, cwd });
    expect([fileOnly.addr, fileOnly.serviceName, fileOnly.writeKey, fileOnly.maxBodyBytes]).toEqual([
      ':1111',
      'from-file',
      'file-key',
      10,
    ]);
    const withEnv = loadConfig({ argv: [], env: { APP_ADDR: ':2222', APP_WRITE_KEY: '' }, cwd });
    expect([withEnv.addr, withEnv.serviceName, withEnv.writeKey]).toEqual([':2222', 'from-file', '']);
    const withFlag = loadConfig({ argv: ['--addr', ':3333', '--unknown', 'x'], env: { APP_ADDR: ':2222' }, cwd });
    expect(withFlag.addr).toBe(':3333');
  });

  it('parses CORS origins as CSV', () => {
    const c = loadConfig({
      env: { APP_CORS_ALLOWED_ORIGINS: ' https://a.example ,, https://b.example' },
      cwd: tmpdir(),
    });
    expect(c.corsAllowedOrigins).toEqual(['https://a.example', 'https://b.example']);
  });

  it.each([
    { title: 'a non-numeric body limit', env: { APP_MAX_BODY_BYTES: 'lots' } },
    { title: 'a negative timeout', env: { APP_TIMEOUT_MS: '-5' } },
    { title: 'an unknown log format', env: { APP_LOG_FORMAT: 'xml' } },
    { title: 'an empty address', env: { APP_ADDR: '  ' } },
    { title: 'a named env file that does not exist', env: { APP_ENV_FILE: 'missing.env' } },
  ])('rejects $title', ({ env }) => {
    expect(() => loadConfig({ env, cwd: mkdtempSync(join(tmpdir(), 'std-svc-')) })).toThrow(ConfigError);
  });
});
