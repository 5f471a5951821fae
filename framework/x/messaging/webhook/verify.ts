import { assertOption, WEBHOOK_ERROR_CODES, WebhookError } from './errors.ts';
import type { NonceStore } from './nonce-store.ts';
import {
  computeSignature,
  signatureMatches,
  toBytes,
  type HmacAlgorithm,
  type Secret,
  type SignatureEncoding,
} from './signature.ts';

/** What a verifier needs from a request: lower-cased header names and the raw body, unparsed. */
export interface InboundWebhook {
  readonly headers: Readonly<Record<string, string | readonly string[] | undefined>>;
  readonly body: Uint8Array | string;
}

export interface VerifiedWebhook {
  /** The raw body that was verified; parse it only now. */
  readonly body: Uint8Array;
  /** Signed timestamp (epoch seconds) when the scheme has one. */
  readonly timestamp: number | undefined;
  /** Nonce or delivery id that was claimed in the nonce store. */
  readonly id: string | undefined;
}

export type WebhookVerifier = (request: InboundWebhook) => Promise<VerifiedWebhook>;

export interface HmacVerifierOptions {
  /** Shared secret(s); several are tried in turn so a secret can be rotated. Required. */
  readonly secret: Secret | readonly Secret[];
  /** Default `sha256`. */
  readonly algorithm?: HmacAlgorithm;
  /** Default `hex`. */
  readonly encoding?: SignatureEncoding;
  /** Header carrying the signature. Default `x-signature`. */
  readonly signatureHeader?: string;
  /** Text before the signature in the header, e.g. `sha256=`. Default none. */
  readonly signaturePrefix?: string;
  /** Header with the signing time in epoch seconds; when set, `<timestamp>.<body>` is signed and checked against the tolerance. Default none. */
  readonly timestampHeader?: string;
  /** Largest allowed clock difference, in seconds. Default 300. */
  readonly toleranceSec?: number;
  /** Header with a per-request nonce; requires `nonceStore`. Default none. */
  readonly nonceHeader?: string;
  /** Where nonces are remembered (for `toleranceSec`, or 24 h without a timestamp). */
  readonly nonceStore?: NonceStore;
  /** Clock in ms. Default `Date.now`. */
  readonly now?: () => number;
}

const HEADER = /^[a-z0-9-]{1,64}$/;

function resolveSecrets(secret: HmacVerifierOptions['secret'] | undefined): readonly Secret[] {
  const list = (Array.isArray(secret) ? secret : secret === undefined ? [] : [secret]) as readonly Secret[];
  if (list.length === 0 || list.some((s) => s.length === 0)) {
    throw new WebhookError(WEBHOOK_ERROR_CODES.missingSecret, 'a webhook verifier needs a non-empty secret');
  }
  return list;
}

function header(request: InboundWebhook, name: string): string | undefined {
  const v = request.headers[name];
  return typeof v === 'string' ? v : Array.isArray(v) ? (v as readonly string[])[0] : undefined;
}

function missing(name: string): WebhookError {
  return new WebhookError(WEBHOOK_ERROR_CODES.missingSignature, `the ${name} header is missing`, { header: name });
}

function invalid(): WebhookError {
  return new WebhookError(WEBHOOK_ERROR_CODES.invalidSignature, 'the webhook signature does not match');
}

function checkTimestamp(raw: string | undefined, name: string, toleranceSec: number, now: number): number {
  if (raw === undefined) throw missing(name);
  if (!/^\d{1,12}$/.test(raw)) throw invalid();
  const ts = Number(raw);
  if (Math.abs(now / 1000 - ts) > toleranceSec) {
    throw new WebhookError(
      WEBHOOK_ERROR_CODES.timestampOutOfTolerance,
      `the webhook timestamp is more than ${toleranceSec} s from now`,
      { toleranceSec },
    );
  }
  return ts;
}

async function claimNonce(store: NonceStore | undefined, nonce: string | undefined, expiresAt: number): Promise<void> {
  if (store === undefined || nonce === undefined) return;
  if (!(await store.claim(nonce, expiresAt)))
    throw new WebhookError(WEBHOOK_ERROR_CODES.replayed, 'this webhook was already received');
}

/** Generic HMAC verification (sha256/sha512, hex/base64, optional signed timestamp and nonce). */
export function createHmacVerifier(options: HmacVerifierOptions): WebhookVerifier {
  const secrets = resolveSecrets(options.secret);
  const algorithm = options.algorithm ?? 'sha256';
  const encoding = options.encoding ?? 'hex';
  const signatureHeader = (options.signatureHeader ?? 'x-signature').toLowerCase();
  const prefix = options.signaturePrefix ?? '';
  const timestampHeader = options.timestampHeader?.toLowerCase();
  const nonceHeader = options.nonceHeader?.toLowerCase();
  const toleranceSec = options.toleranceSec ?? 300;
  const now = options.now ?? Date.now;
  assertOption(algorithm === 'sha256' || algorithm === 'sha512', 'algorithm', "must be 'sha256' or 'sha512'");
  assertOption(encoding === 'hex' || encoding === 'base64', 'encoding', "must be 'hex' or 'base64'");
  for (const [field, h] of [
    ['signatureHeader', signatureHeader],
    ['timestampHeader', timestampHeader],
    ['nonceHeader', nonceHeader],
  ] as const) {
    assertOption(h === undefined || HEADER.test(h), field, 'must be a header name of [a-z0-9-]');
  }
  assertOption(Number.isInteger(toleranceSec) && toleranceSec >= 1, 'toleranceSec', 'must be a positive integer');
  assertOption(
    nonceHeader === undefined || options.nonceStore !== undefined,
    'nonceStore',
    'is required with nonceHeader',
  );

  return async (request) => {
    const body = toBytes(request.body);
    const raw = header(request, signatureHeader);
    if (raw === undefined) throw missing(signatureHeader);
    if (!raw.startsWith(prefix)) throw invalid();
    const provided = raw.slice(prefix.length).trim();
    const timestamp =
      timestampHeader === undefined
        ? undefined
        : checkTimestamp(header(request, timestampHeader), timestampHeader, toleranceSec, now());
    const payload = timestamp === undefined ? body : Buffer.concat([Buffer.from(`${timestamp}.`), body]);
    if (!secrets.some((s) => signatureMatches(computeSignature(s, algorithm, payload), provided, encoding)))
      throw invalid();
    const nonce = nonceHeader === undefined ? undefined : header(request, nonceHeader);
    if (nonceHeader !== undefined && (nonce === undefined || nonce.length === 0 || nonce.length > 256))
      throw missing(nonceHeader);
    await claimNonce(options.nonceStore, nonce, now() + (timestamp === undefined ? 86_400_000 : toleranceSec * 2000));
    return { body, timestamp, id: nonce };
  };
}

export interface GitHubVerifierOptions {
  readonly secret: Secret | readonly Secret[];
  /** Remembers `X-GitHub-Delivery` ids for 24 h so a redelivered or replayed event is refused. Default none. */
  readonly deliveryStore?: NonceStore;
  readonly now?: () => number;
}

/** GitHub: `X-Hub-Signature-256: sha256=<hex HMAC of the body>`; GitHub signs no timestamp. */
export function createGitHubVerifier(options: GitHubVerifierOptions): WebhookVerifier {
  const secrets = resolveSecrets(options.secret);
  const now = options.now ?? Date.now;
  return async (request) => {
    const body = toBytes(request.body);
    const raw = header(request, 'x-hub-signature-256');
    if (raw === undefined) throw missing('x-hub-signature-256');
    if (!raw.startsWith('sha256=')) throw invalid();
    const provided = raw.slice('sha256='.length);
    if (!secrets.some((s) => signatureMatches(computeSignature(s, 'sha256', body), provided, 'hex'))) throw invalid();
    const id = header(request, 'x-github-delivery');
    if (options.deliveryStore !== undefined && (id === undefined || id.length === 0 || id.length > 256))
      throw missing('x-github-delivery');
    await claimNonce(options.deliveryStore, id, now() + 86_400_000);
    return { body, timestamp: undefined, id };
  };
}

export interface StripeVerifierOptions {
  /** The endpoint's signing secret (`whsec_…`). */
  readonly secret: Secret | readonly Secret[];
  /** Default 300 s, as Stripe's libraries. */
  readonly toleranceSec?: number;
  /** Optional: also refuse an exact repeat of a signature within the tolerance. */
  readonly nonceStore?: NonceStore;
  readonly now?: () => number;
}

/** Stripe: `Stripe-Signature: t=<ts>,v1=<hex>[,v1=…]` over `<ts>.<body>`, HMAC-SHA256; any v1 may match. */
export function createStripeVerifier(options: StripeVerifierOptions): WebhookVerifier {
  const secrets = resolveSecrets(options.secret);
  const toleranceSec = options.toleranceSec ?? 300;
  assertOption(Number.isInteger(toleranceSec) && toleranceSec >= 1, 'toleranceSec', 'must be a positive integer');
  const now = options.now ?? Date.now;
  return async (request) => {
    const body = toBytes(request.body);
    const raw = header(request, 'stripe-signature');
    if (raw === undefined) throw missing('stripe-signature');
    let t: string | undefined;
    const v1: string[] = [];
    for (const part of raw.split(',')) {
      const eq = part.indexOf('=');
      if (eq <= 0) continue;
      const key = part.slice(0, eq).trim();
      const value = part.slice(eq + 1).trim();
      if (key === 't') t = value;
      else if (key === 'v1') v1.push(value);
    }
    if (t === undefined || v1.length === 0) throw invalid();
    const timestamp = checkTimestamp(t, 'stripe-signature', toleranceSec, now());
    const payload = Buffer.concat([Buffer.from(`${t}.`), body]);
    const ok = secrets.some((s) => {
      const expected = computeSignature(s, 'sha256', payload);
      // Every candidate is compared, so the time does not reveal which one matched.
      return v1.map((sig) => signatureMatches(expected, sig, 'hex')).includes(true);
    });
    if (!ok) throw invalid();
    await claimNonce(options.nonceStore, `${t}:${v1[0]}`, now() + toleranceSec * 2000);
    return { body, timestamp, id: undefined };
  };
}
