import { describe, expect, it } from 'vitest';
import { BufferedResponseWriter, createRequest, type Middleware } from 'plumego/contract';
import { createChain } from './chain.ts';
import { CANONICAL_ORDER, createCanonicalStack } from './stack/canonical.ts';

const tag =
  (name: string, log: string[]): Middleware =>
  (next) => {
    log.push(`build ${name}`);
    return (w, r) => {
      log.push(name);
      return next(w, r);
    };
  };

describe('Chain', () => {
  it('runs the first added outermost and builds each middleware once', async () => {
    const log: string[] = [];
    const chain = createChain(tag('a', log)).use(tag('b', log), tag('c', log));
    const h = chain.build((w) => {
      log.push('handler');
      w.end();
    });
    expect(log).toEqual(['build c', 'build b', 'build a']);
    log.length = 0;
    await h(new BufferedResponseWriter(), createRequest({ url: '/' }));
    await h(new BufferedResponseWriter(), createRequest({ url: '/' }));
    expect(log).toEqual(['a', 'b', 'c', 'handler', 'a', 'b', 'c', 'handler']);
    expect(chain.length).toBe(3);
    expect(chain.snapshot()).toHaveLength(3);
  });

  it('rejects a non-function', () => {
    expect(() => createChain().use('x' as never)).toThrow(TypeError);
  });
});

describe('canonical stack', () => {
  it('documents nine slots in the canonical order', () => {
    expect(CANONICAL_ORDER).toEqual([
      'requestid',
      'tracing',
      'securityheaders',
      'cors',
      'recovery',
      'accesslog',
      'bodylimit',
      'httpmetrics',
      'timeout',
    ]);
  });

  it('leaves out what is not configured', () => {
    expect(createCanonicalStack()).toHaveLength(5); // requestid, securityheaders, recovery, bodylimit, timeout
    expect(
      createCanonicalStack({ requestId: false, securityHeaders: false, maxBodyBytes: 0, timeoutMs: 0 }),
    ).toHaveLength(1);
  });

  it('puts the request id and security headers on a recovered error', async () => {
    const stack = createCanonicalStack({ timeoutMs: 0 });
    const h = createChain(...stack).build(() => {
      throw new Error('x');
    });
    const w = new BufferedResponseWriter();
    await h(w, createRequest({ url: '/' }));
    expect(w.status).toBe(500);
    expect(w.getHeader('x-request-id')).toMatch(/^[0-9A-Za-z]{12}$/);
    expect(w.getHeader('x-frame-options')).toBe('SAMEORIGIN');
    expect(JSON.parse(w.getBody().toString()).request_id).toBe(w.getHeader('x-request-id'));
  });
});
