import { assertOption, MQ_ERROR_CODES, MqError } from './errors.ts';
import type { Backoff, JobOptions } from './types.ts';

export interface ResolvedJobOptions {
  readonly priority: number;
  readonly delayMs: number;
  readonly maxAttempts: number;
  readonly backoff: Backoff;
  readonly timeoutMs: number | undefined;
  readonly dedupeKey: string | undefined;
}

export const DEFAULT_JOB_OPTIONS = {
  priority: 0,
  delayMs: 0,
  maxAttempts: 3,
  backoff: { type: 'exponential', delayMs: 1000 },
} as const satisfies JobOptions;

const NAME = /^[A-Za-z0-9_.:-]{1,128}$/;

export function assertJobName(name: unknown): string {
  assertOption(typeof name === 'string' && NAME.test(name), 'name', 'must be 1-128 characters of [A-Za-z0-9_.:-]');
  return name as string;
}

export function resolveJobOptions(options: JobOptions = {}): ResolvedJobOptions {
  const o = { ...DEFAULT_JOB_OPTIONS, ...options };
  assertOption(
    Number.isInteger(o.priority) && o.priority >= -1000 && o.priority <= 1000,
    'priority',
    'must be an integer in -1000..1000',
  );
  assertOption(Number.isInteger(o.delayMs) && o.delayMs >= 0, 'delayMs', 'must be a non-negative integer');
  assertOption(
    Number.isInteger(o.maxAttempts) && o.maxAttempts >= 1 && o.maxAttempts <= 100,
    'maxAttempts',
    'must be an integer in 1..100',
  );
  assertOption(
    (o.backoff.type === 'fixed' || o.backoff.type === 'exponential') &&
      Number.isInteger(o.backoff.delayMs) &&
      o.backoff.delayMs >= 0,
    'backoff',
    "must be { type: 'fixed' | 'exponential', delayMs: integer >= 0 }",
  );
  assertOption(
    o.timeoutMs === undefined || (Number.isInteger(o.timeoutMs) && o.timeoutMs >= 1),
    'timeoutMs',
    'must be a positive integer',
  );
  assertOption(
    o.dedupeKey === undefined ||
      (typeof o.dedupeKey === 'string' && o.dedupeKey.length >= 1 && o.dedupeKey.length <= 256),
    'dedupeKey',
    'must be 1-256 characters',
  );
  return {
    priority: o.priority,
    delayMs: o.delayMs,
    maxAttempts: o.maxAttempts,
    backoff: o.backoff,
    timeoutMs: o.timeoutMs,
    dedupeKey: o.dedupeKey,
  };
}

/** Delay before attempt `attempt + 1`, after `attempt` failed runs. Capped at one hour. */
export function getRetryDelay(backoff: Backoff, attempt: number): number {
  const raw = backoff.type === 'fixed' ? backoff.delayMs : backoff.delayMs * 2 ** (attempt - 1);
  return Math.min(raw, 3_600_000);
}

/** The payload as JSON text; functions, cycles, BigInt and non-finite numbers fail MQ_INVALID_PAYLOAD. */
export function encodePayload(data: unknown, maxBytes: number): string {
  let text: string | undefined;
  try {
    text = JSON.stringify(data, (_k, v: unknown) => {
      if (typeof v === 'number' && !Number.isFinite(v)) throw new TypeError('non-finite number');
      if (typeof v === 'function' || typeof v === 'symbol') throw new TypeError('not serialisable');
      return v;
    });
  } catch (error) {
    throw new MqError(
      MQ_ERROR_CODES.invalidPayload,
      'job data must be JSON-serialisable (no functions, cycles, BigInt or non-finite numbers)',
      {},
      error,
    );
  }
  if (text === undefined) throw new MqError(MQ_ERROR_CODES.invalidPayload, 'job data must be JSON-serialisable');
  if (Buffer.byteLength(text) > maxBytes)
    throw new MqError(
      MQ_ERROR_CODES.invalidPayload,
      `job data of ${Buffer.byteLength(text)} bytes exceeds the limit of ${maxBytes}`,
      { limit: maxBytes },
    );
  return text;
}

/** What is stored about a failure: a code and a message, never a stack or a cause chain. */
export function describeFailure(error: unknown): { code: string; message: string } {
  const code =
    typeof error === 'object' && error !== null && typeof (error as { code?: unknown }).code === 'string'
      ? (error as { code: string }).code
      : error instanceof Error
        ? error.name
        : 'Error';
  const message = error instanceof Error ? error.message : String(error);
  return { code, message: message.slice(0, 1000) };
}
