export interface VendorConfig {
  readonly vendor: 'anthropic' | 'openai';
  readonly baseURL: string;
  readonly apiKey: string;
  readonly model: string;
}

export interface AssistantConfig {
  readonly addr: string;
  /** Providers in fallback order (Anthropic first when both are configured). */
  readonly vendors: readonly VendorConfig[];
  /** SQLite file for sessions; ':memory:' keeps them in this process. */
  readonly sessionDb: string;
  /** Tool-call rounds per message before the service stops the loop. */
  readonly maxSteps: number;
  /** Token budget of the context sent to the model; older turns beyond it are summarised by the model. */
  readonly contextTokens: number;
  /** Whole-call and idle (stall) timeouts of each provider call, in ms. */
  readonly timeoutMs: number;
  readonly idleTimeoutMs: number;
}

export class ConfigError extends Error {
  readonly code = 'CONFIG_INVALID';
  constructor(
    readonly source: string,
    message: string,
  ) {
    super(`config ${source}: ${message}`);
    this.name = 'ConfigError';
  }
}

function int(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d{1,9}$/.test(raw) || Number(raw) < 1) throw new ConfigError(name, 'must be a positive integer');
  return Number(raw);
}

function vendor(env: NodeJS.ProcessEnv, name: 'anthropic' | 'openai', defaultModel: string): VendorConfig | undefined {
  const prefix = `ASSISTANT_${name.toUpperCase()}`;
  const apiKey = env[`${prefix}_API_KEY`] ?? '';
  if (apiKey === '') return undefined;
  const baseURL =
    env[`${prefix}_BASE_URL`] ?? (name === 'anthropic' ? 'https://api.anthropic.com' : 'https://api.openai.com/v1');
  // The key is never echoed, and neither is the URL (it may carry credentials).
  if (!URL.canParse(baseURL)) throw new ConfigError(`${prefix}_BASE_URL`, 'must be a URL');
  return { vendor: name, baseURL, apiKey, model: env[`${prefix}_MODEL`] || defaultModel };
}

/** `ASSISTANT_ANTHROPIC_API_KEY` / `ASSISTANT_OPENAI_API_KEY` (+ `_BASE_URL`, `_MODEL`) configure the providers. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): AssistantConfig {
  const vendors = [vendor(env, 'anthropic', 'claude-sonnet-4-5'), vendor(env, 'openai', 'gpt-4.1')].filter(
    (v): v is VendorConfig => v !== undefined,
  );
  if (vendors.length === 0)
    throw new ConfigError(
      'ASSISTANT_ANTHROPIC_API_KEY',
      'configure at least one provider (ASSISTANT_ANTHROPIC_API_KEY or ASSISTANT_OPENAI_API_KEY)',
    );
  return {
    addr: env['ASSISTANT_ADDR'] || ':8082',
    vendors,
    sessionDb: env['ASSISTANT_SESSION_DB'] || ':memory:',
    maxSteps: int(env, 'ASSISTANT_MAX_STEPS', 4),
    contextTokens: int(env, 'ASSISTANT_CONTEXT_TOKENS', 16_000),
    timeoutMs: int(env, 'ASSISTANT_TIMEOUT_MS', 60_000),
    idleTimeoutMs: int(env, 'ASSISTANT_IDLE_TIMEOUT_MS', 20_000),
  };
}
