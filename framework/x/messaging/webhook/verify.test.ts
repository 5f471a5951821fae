import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { MemoryNonceStore } from './nonce-store.ts';
import { createGitHubVerifier, createHmacVerifier, createStripeVerifier, type InboundWebhook } from './verify.ts';

const NOW = 1_700_000_000_000;
const now = (): number => NOW;
const sec = NOW / 1000;
const hmac = (secret: string, alg: 'sha256' | 'sha512', payload: string, enc: 'hex' | 'base64' = 'hex'): string =>
  createHmac(alg, secret).update(payload).digest(enc);

describe('GitHub verifier', () => {
  // GitHub's documented example ("Validating webhook deliveries").
  const verify = createGitHubVerifier({ secret: "It's a Secret to Everybody" });
  const good = 'sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17';

  it('accepts the documented example over the raw body', async () => {
    const out = await verify({ headers: { 'x-hub-signature-256': good }, body: 'Hello, World!' });
    expect(Buffer.from(out.body).toString()).toBe('Hello, World!');
  });

  const bad: Array<{ title: string; request: InboundWebhook; code: string }> = [
    { title: 'missing header', request: { headers: {}, body: 'Hello, World!' }, code: 'WEBHOOK_MISSING_SIGNATURE' },
    {
      title: 'body changed by one byte',
      request: { headers: { 'x-hub-signature-256': good }, body: 'Hello, World?' },
      code: 'WEBHOOK_INVALID_SIGNATURE',
    },
    {
      title: 'wrong prefix',
      request: { headers: { 'x-hub-signature-256': good.replace('sha256=', 'sha1=') }, body: 'Hello, World!' },
      code: 'WEBHOOK_INVALID_SIGNATURE',
    },
    {
      title: 'truncated signature',
      request: { headers: { 'x-hub-signature-256': good.slice(0, -2) }, body: 'Hello, World!' },
      code: 'WEBHOOK_INVALID_SIGNATURE',
    },
    {
      title: 'non-hex signature',
      request: { headers: { 'x-hub-signature-256': `sha256=${'z'.repeat(64)}` }, body: 'Hello, World!' },
      code: 'WEBHOOK_INVALID_SIGNATURE',
    },
    {
      title: 'upper-cased hex of another body',
      request: { headers: { 'x-hub-signature-256': good.toUpperCase() }, body: 'x' },
      code: 'WEBHOOK_INVALID_SIGNATURE',
    },
  ];
  for (const c of bad) {
    it(`refuses: ${c.title}`, async () => {
      await expect(verify(c.request)).rejects.toMatchObject({ code: c.code, status: 401 });
    });
  }

  it('refuses a replayed delivery id when a delivery store is set', async () => {
    const v = createGitHubVerifier({
      secret: "It's a Secret to Everybody",
      deliveryStore: new MemoryNonceStore({ now }),
      now,
    });
    const request = { headers: { 'x-hub-signature-256': good, 'x-github-delivery': 'd-1' }, body: 'Hello, World!' };
    expect((await v(request)).id).toBe('d-1');
    await expect(v(request)).rejects.toMatchObject({ code: 'WEBHOOK_REPLAYED', status: 409 });
    await expect(v({ ...request, headers: { 'x-hub-signature-256': good } })).rejects.toMatchObject({
      code: 'WEBHOOK_MISSING_SIGNATURE',
    });
  });

  it('tries every configured secret so one can be rotated', async () => {
    const v = createGitHubVerifier({ secret: ['new-secret', "It's a Secret to Everybody"] });
    await expect(v({ headers: { 'x-hub-signature-256': good }, body: 'Hello, World!' })).resolves.toBeDefined();
  });
});

describe('Stripe verifier', () => {
  const secret = 'whsec_test_secret';
  const body = '{"id":"evt_1","type":"payment_intent.succeeded"}';
  const header = (t: number, sig = hmac(secret, 'sha256', `${t}.${body}`)): string => `t=${t},v1=${sig},v0=ignored`;
  const verify = createStripeVerifier({ secret, now });

  it('accepts a fresh signature and any matching v1 among several', async () => {
    expect((await verify({ headers: { 'stripe-signature': header(sec) }, body })).timestamp).toBe(sec);
    const two = `t=${sec},v1=${'0'.repeat(64)},v1=${hmac(secret, 'sha256', `${sec}.${body}`)}`;
    await expect(verify({ headers: { 'stripe-signature': two }, body })).resolves.toBeDefined();
  });

  it('refuses old, future, malformed and forged headers', async () => {
    await expect(verify({ headers: { 'stripe-signature': header(sec - 301) }, body })).rejects.toMatchObject({
      code: 'WEBHOOK_TIMESTAMP_OUT_OF_TOLERANCE',
    });
    await expect(verify({ headers: { 'stripe-signature': header(sec + 301) }, body })).rejects.toMatchObject({
      code: 'WEBHOOK_TIMESTAMP_OUT_OF_TOLERANCE',
    });
    await expect(verify({ headers: { 'stripe-signature': `t=${sec}` }, body })).rejects.toMatchObject({
      code: 'WEBHOOK_INVALID_SIGNATURE',
    });
    await expect(verify({ headers: { 'stripe-signature': 'garbage' }, body })).rejects.toMatchObject({
      code: 'WEBHOOK_INVALID_SIGNATURE',
    });
    await expect(verify({ headers: { 'stripe-signature': `t=abc,v1=${'0'.repeat(64)}` }, body })).rejects.toMatchObject(
      { code: 'WEBHOOK_INVALID_SIGNATURE' },
    );
    // The timestamp is signed: moving it invalidates the signature.
    await expect(
      verify({ headers: { 'stripe-signature': `t=${sec + 1},v1=${hmac(secret, 'sha256', `${sec}.${body}`)}` }, body }),
    ).rejects.toMatchObject({ code: 'WEBHOOK_INVALID_SIGNATURE' });
    await expect(verify({ headers: {}, body })).rejects.toMatchObject({ code: 'WEBHOOK_MISSING_SIGNATURE' });
  });

  it('refuses an exact replay when a nonce store is set', async () => {
    const v = createStripeVerifier({ secret, now, nonceStore: new MemoryNonceStore({ now }) });
    await v({ headers: { 'stripe-signature': header(sec) }, body });
    await expect(v({ headers: { 'stripe-signature': header(sec) }, body })).rejects.toMatchObject({
      code: 'WEBHOOK_REPLAYED',
    });
  });
});

describe('generic HMAC verifier', () => {
  const secret = 'generic-secret';
  const body = 'raw \u00e9 body';

  const accepted: Array<{ title: string; alg: 'sha256' | 'sha512'; enc: 'hex' | 'base64' }> = [
    { title: 'sha256 hex', alg: 'sha256', enc: 'hex' },
    { title: 'sha256 base64', alg: 'sha256', enc: 'base64' },
    { title: 'sha512 hex', alg: 'sha512', enc: 'hex' },
    { title: 'sha512 base64', alg: 'sha512', enc: 'base64' },
  ];
  for (const c of accepted) {
    it(`accepts ${c.title} with a signed timestamp`, async () => {
      const v = createHmacVerifier({
        secret,
        algorithm: c.alg,
        encoding: c.enc,
        signaturePrefix: `${c.alg}=`,
        timestampHeader: 'x-ts',
        now,
      });
      const sig = `${c.alg}=${hmac(secret, c.alg, `${sec}.${body}`, c.enc)}`;
      await expect(
        v({ headers: { 'x-signature': sig, 'x-ts': String(sec) }, body: Buffer.from(body) }),
      ).resolves.toMatchObject({ timestamp: sec });
      // The other encoding of the same digest is refused.
      const other = `${c.alg}=${hmac(secret, c.alg, `${sec}.${body}`, c.enc === 'hex' ? 'base64' : 'hex')}`;
      await expect(v({ headers: { 'x-signature': other, 'x-ts': String(sec) }, body })).rejects.toMatchObject({
        code: 'WEBHOOK_INVALID_SIGNATURE',
      });
    });
  }

  it('refuses a stale timestamp, a missing timestamp and a replayed nonce', async () => {
    const store = new MemoryNonceStore({ now });
    const v = createHmacVerifier({
      secret,
      timestampHeader: 'x-ts',
      nonceHeader: 'x-nonce',
      nonceStore: store,
      toleranceSec: 60,
      now,
    });
    const sign = (t: number): string => hmac(secret, 'sha256', `${t}.${body}`);
    await expect(
      v({ headers: { 'x-signature': sign(sec - 61), 'x-ts': String(sec - 61), 'x-nonce': 'n1' }, body }),
    ).rejects.toMatchObject({ code: 'WEBHOOK_TIMESTAMP_OUT_OF_TOLERANCE' });
    await expect(v({ headers: { 'x-signature': sign(sec) }, body })).rejects.toMatchObject({
      code: 'WEBHOOK_MISSING_SIGNATURE',
    });
    await expect(v({ headers: { 'x-signature': sign(sec), 'x-ts': String(sec) }, body })).rejects.toMatchObject({
      code: 'WEBHOOK_MISSING_SIGNATURE',
    });
    await expect(
      v({ headers: { 'x-signature': sign(sec), 'x-ts': String(sec), 'x-nonce': 'n2' }, body }),
    ).resolves.toMatchObject({ id: 'n2' });
    await expect(
      v({ headers: { 'x-signature': sign(sec), 'x-ts': String(sec), 'x-nonce': 'n2' }, body }),
    ).rejects.toMatchObject({ code: 'WEBHOOK_REPLAYED' });
  });

  it('fails closed at construction without a secret or with bad options', () => {
    expect(() => createHmacVerifier({ secret: '' })).toThrow(
      expect.objectContaining({ code: 'WEBHOOK_MISSING_SECRET' }),
    );
    expect(() => createHmacVerifier({ secret: [] })).toThrow(
      expect.objectContaining({ code: 'WEBHOOK_MISSING_SECRET' }),
    );
    expect(() => createGitHubVerifier({ secret: undefined as unknown as string })).toThrow(
      expect.objectContaining({ code: 'WEBHOOK_MISSING_SECRET' }),
    );
    expect(() => createHmacVerifier({ secret, algorithm: 'md5' as 'sha256' })).toThrow(
      expect.objectContaining({ code: 'WEBHOOK_INVALID_OPTIONS' }),
    );
    expect(() => createHmacVerifier({ secret, nonceHeader: 'x-nonce' })).toThrow(
      expect.objectContaining({ code: 'WEBHOOK_INVALID_OPTIONS' }),
    );
    expect(() => createHmacVerifier({ secret, signatureHeader: 'Bad Header' })).toThrow(
      expect.objectContaining({ code: 'WEBHOOK_INVALID_OPTIONS' }),
    );
  });

  it('never puts the secret or the provided signature into error messages', async () => {
    const v = createHmacVerifier({ secret: 'top-secret-value' });
    const error = (await v({ headers: { 'x-signature': 'deadbeef' }, body }).then(
      () => new Error('accepted'),
      (e: unknown) => e,
    )) as Error;
    expect(error).toMatchObject({ code: 'WEBHOOK_INVALID_SIGNATURE' });
    expect(error.message).not.toContain('top-secret-value');
    expect(error.message).not.toContain('deadbeef');
  });
});

describe('MemoryNonceStore', () => {
  it('forgets a nonce once it expires and stays bounded', async () => {
    let t = 0;
    const store = new MemoryNonceStore({ maxEntries: 10, now: () => t });
    expect(await store.claim('a', 100)).toBe(true);
    expect(await store.claim('a', 100)).toBe(false);
    t = 101;
    expect(await store.claim('a', 200)).toBe(true);
    for (let i = 0; i < 50; i++) await store.claim(`n${i}`, 10_000 + i);
    expect(await store.claim('n49', 20_000)).toBe(false);
  });
});
