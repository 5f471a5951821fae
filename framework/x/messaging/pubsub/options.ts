import { assertOption, PUBSUB_ERROR_CODES, PubSubError } from './errors.ts';
import { assertPattern, assertSubject } from './subject.ts';
import type {
  BrokerCapabilities,
  BrokerOptions,
  Message,
  OverflowPolicy,
  ReplayFrom,
  SubscribeOptions,
} from './types.ts';

export interface ResolvedSubscribeOptions {
  readonly group: string | undefined;
  readonly ack: 'auto' | 'manual';
  readonly maxDeliver: number;
  readonly deadLetterSubject: string | undefined;
  readonly from: ReplayFrom;
  readonly concurrency: number;
  readonly bufferSize: number;
  readonly overflow: OverflowPolicy;
  readonly ackWaitMs: number;
  readonly onError: (error: unknown, message: Message) => void;
}

export const DEFAULT_SUBSCRIBE_OPTIONS = {
  ack: 'auto',
  maxDeliver: 5,
  from: { kind: 'new' },
  concurrency: 1,
  bufferSize: 1024,
  overflow: 'block',
  ackWaitMs: 30_000,
} as const satisfies SubscribeOptions;

export const DEFAULT_MAX_PAYLOAD_BYTES = 1024 * 1024;

const GROUP = /^[A-Za-z0-9_-]{1,64}$/;

/** Validates against the backend's capabilities, so an unsupported request fails at subscribe time. */
export function resolveSubscribeOptions(
  pattern: string,
  options: SubscribeOptions,
  caps: BrokerCapabilities,
): ResolvedSubscribeOptions {
  assertPattern(pattern);
  const o = {
    ...DEFAULT_SUBSCRIBE_OPTIONS,
    ...options,
    overflow: options.overflow ?? caps.overflowPolicies[0] ?? 'block',
  };
  assertOption(o.group === undefined || GROUP.test(o.group), 'group', 'must be 1-64 characters of [A-Za-z0-9_-]');
  assertOption(o.ack === 'auto' || o.ack === 'manual', 'ack', "must be 'auto' or 'manual'");
  assertOption(
    Number.isInteger(o.maxDeliver) && o.maxDeliver >= 1 && o.maxDeliver <= 1000,
    'maxDeliver',
    'must be an integer in 1..1000',
  );
  if (o.deadLetterSubject !== undefined) assertSubject(o.deadLetterSubject);
  assertOption(
    Number.isInteger(o.concurrency) && o.concurrency >= 1 && o.concurrency <= 1024,
    'concurrency',
    'must be an integer in 1..1024',
  );
  assertOption(
    Number.isInteger(o.bufferSize) && o.bufferSize >= 1 && o.bufferSize <= 1_000_000,
    'bufferSize',
    'must be an integer in 1..1000000',
  );
  assertOption(
    ['block', 'drop-oldest', 'error'].includes(o.overflow),
    'overflow',
    "must be 'block', 'drop-oldest' or 'error'",
  );
  assertOption(Number.isInteger(o.ackWaitMs) && o.ackWaitMs >= 10, 'ackWaitMs', 'must be an integer >= 10');
  assertOption(
    ['new', 'all', 'time'].includes(o.from.kind) && (o.from.kind !== 'time' || !Number.isNaN(o.from.at.getTime())),
    'from',
    "must be { kind: 'new' | 'all' } or { kind: 'time', at: <valid Date> }",
  );
  if (o.group !== undefined && !caps.queueGroups) throw unsupported('queue groups');
  if (o.from.kind !== 'new' && !caps.replay) throw unsupported('replay');
  if (!caps.overflowPolicies.includes(o.overflow)) throw unsupported(`overflow '${o.overflow}'`);
  if (!caps.wildcards && (pattern.includes('*') || pattern.endsWith('>'))) throw unsupported('wildcard subscriptions');
  return {
    group: o.group,
    ack: o.ack,
    maxDeliver: o.maxDeliver,
    deadLetterSubject: o.deadLetterSubject,
    from: o.from,
    concurrency: o.concurrency,
    bufferSize: o.bufferSize,
    overflow: o.overflow,
    ackWaitMs: o.ackWaitMs,
    onError: o.onError ?? (() => {}),
  };
}

export function resolveMaxPayload(options: BrokerOptions): number {
  const max = options.maxPayloadBytes ?? DEFAULT_MAX_PAYLOAD_BYTES;
  assertOption(Number.isInteger(max) && max >= 1, 'maxPayloadBytes', 'must be a positive integer');
  return max;
}

const encoder = new TextEncoder();

/** The payload as bytes, or PUBSUB_PAYLOAD_TOO_LARGE before anything is sent. */
export function toPayload(data: Uint8Array | string, max: number): Uint8Array {
  const bytes = typeof data === 'string' ? encoder.encode(data) : data;
  if (!(bytes instanceof Uint8Array))
    throw new PubSubError(PUBSUB_ERROR_CODES.invalidOptions, 'payload must be a Uint8Array or a string');
  if (bytes.byteLength > max) {
    throw new PubSubError(
      PUBSUB_ERROR_CODES.payloadTooLarge,
      `payload of ${bytes.byteLength} bytes exceeds the limit of ${max}`,
      { size: bytes.byteLength, limit: max },
    );
  }
  return bytes;
}

const RESERVED = 'plumego-';

/** Copies user headers, refusing reserved names and non-string values. */
export function toHeaders(headers: Record<string, string> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (headers === undefined) return out;
  for (const [k, v] of Object.entries(headers)) {
    if (k.toLowerCase().startsWith(RESERVED) || !/^[A-Za-z0-9_-]{1,128}$/.test(k) || typeof v !== 'string') {
      throw new PubSubError(
        PUBSUB_ERROR_CODES.invalidOptions,
        'header names must be [A-Za-z0-9_-], not start with plumego-, and have string values',
      );
    }
    out[k] = v;
  }
  return out;
}

function unsupported(what: string): PubSubError {
  return new PubSubError(PUBSUB_ERROR_CODES.unsupported, `this broker does not support ${what}`, { feature: what });
}
