import { assertOption } from './errors.ts';

export interface HttpProviderOptions {
  /** API key sent to the vendor; never logged or put in errors. Required (use any string for local servers). */
  apiKey: string;
  /** Vendor base URL; point it at a local server or proxy. Default: the SDK's public endpoint. */
  baseURL?: string;
  /** Name reported in responses, errors and the manager. Default: the vendor name. */
  name?: string;
  /** Whole-call budget in ms. Default 60 000. */
  timeoutMs?: number;
  /** Longest gap between two streamed chunks (or before the first byte) in ms. Default 30 000. */
  idleTimeoutMs?: number;
  /** `maxTokens` when a request sets none. Default 1024. */
  defaultMaxTokens?: number;
  /**
   * SDK-level retries (the SDK only retries before any response body is read, honouring `retry-after`).
   * Default 0: the provider manager's fallback chain decides instead.
   */
  maxRetries?: number;
}

export interface ResolvedHttpProviderOptions {
  apiKey: string;
  baseURL: string | undefined;
  name: string;
  timeoutMs: number;
  idleTimeoutMs: number;
  defaultMaxTokens: number;
  maxRetries: number;
}

const DEFAULT_HTTP_PROVIDER = {
  timeoutMs: 60_000,
  idleTimeoutMs: 30_000,
  defaultMaxTokens: 1024,
  maxRetries: 0,
} as const;

export function resolveHttpProviderOptions(options: HttpProviderOptions, vendor: string): ResolvedHttpProviderOptions {
  assertOption(typeof options.apiKey === 'string' && options.apiKey.length > 0, 'apiKey', 'must be a non-empty string');
  if (options.baseURL !== undefined) assertOption(URL.canParse(options.baseURL), 'baseURL', 'must be an absolute URL');
  const resolved = {
    apiKey: options.apiKey,
    baseURL: options.baseURL,
    name: options.name ?? vendor,
    timeoutMs: options.timeoutMs ?? DEFAULT_HTTP_PROVIDER.timeoutMs,
    idleTimeoutMs: options.idleTimeoutMs ?? DEFAULT_HTTP_PROVIDER.idleTimeoutMs,
    defaultMaxTokens: options.defaultMaxTokens ?? DEFAULT_HTTP_PROVIDER.defaultMaxTokens,
    maxRetries: options.maxRetries ?? DEFAULT_HTTP_PROVIDER.maxRetries,
  };
  assertOption(resolved.name.length > 0, 'name', 'must be non-empty');
  assertOption(Number.isFinite(resolved.timeoutMs) && resolved.timeoutMs > 0, 'timeoutMs', 'must be a positive number');
  assertOption(
    Number.isFinite(resolved.idleTimeoutMs) && resolved.idleTimeoutMs > 0,
    'idleTimeoutMs',
    'must be a positive number',
  );
  assertOption(
    Number.isInteger(resolved.defaultMaxTokens) && resolved.defaultMaxTokens > 0,
    'defaultMaxTokens',
    'must be a positive integer',
  );
  assertOption(
    Number.isInteger(resolved.maxRetries) && resolved.maxRetries >= 0 && resolved.maxRetries <= 5,
    'maxRetries',
    'must be an integer 0..5',
  );
  return resolved;
}
