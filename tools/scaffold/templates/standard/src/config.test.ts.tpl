import { describe, expect, it } from 'vitest';
import { ConfigError, DEFAULT_CONFIG, loadConfig } from './config.ts';

describe('loadConfig', () => {
  it('uses the defaults for an empty environment', () => {
    expect(loadConfig({})).toEqual({ ...DEFAULT_CONFIG, corsAllowedOrigins: [] });
  });

  it('reads every APP_* variable', () => {
    const config = loadConfig({ APP_ADDR: '127.0.0.1:9000', APP_MAX_BODY_BYTES: '512', APP_LOG_LEVEL: 'warn', APP_CORS_ALLOWED_ORIGINS: 'https://a.example, https://b.example' });
    expect(config).toMatchObject({ addr: '127.0.0.1:9000', maxBodyBytes: 512, logLevel: 'warn', corsAllowedOrigins: ['https://a.example', 'https://b.example'] });
  });

  it.each([
    { env: { APP_MAX_BODY_BYTES: '-1' }, variable: 'APP_MAX_BODY_BYTES' },
    { env: { APP_TIMEOUT_MS: 'soon' }, variable: 'APP_TIMEOUT_MS' },
    { env: { APP_LOG_LEVEL: 'loud' }, variable: 'APP_LOG_LEVEL' },
    { env: { APP_ADDR: 'localhost' }, variable: 'APP_ADDR' },
  ])('refuses a malformed $variable', ({ env, variable }) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(new RegExp(`^${variable}: `));
  });
});
