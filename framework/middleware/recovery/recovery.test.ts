import { describe, expect, it } from 'vitest';
import {
  APIError,
  BufferedResponseWriter,
  ClientDisconnectedError,
  composeMiddleware,
  createRequest,
  type Handler,
} from 'plumego/contract';
import type { Fields, StructuredLogger } from 'plumego/log';
import { recovery } from './recovery.ts';

function memoryLogger(lines: { msg: string; fields: Fields }[]): StructuredLogger {
  const logger: StructuredLogger = {
    withFields: () => logger,
    debug: () => {},
    info: (msg, ...f) => lines.push({ msg, fields: Object.assign({}, ...f) }),
    warn: (msg, ...f) => lines.push({ msg, fields: Object.assign({}, ...f) }),
    error: (msg, ...f) => lines.push({ msg, fields: Object.assign({}, ...f) }),
    isEnabled: () => true,
  };
  return logger;
}

async function run(h: Handler) {
  const lines: { msg: string; fields: Fields }[] = [];
  const w = new BufferedResponseWriter();
  const r = createRequest({ url: '/x' });
  await composeMiddleware([recovery({ logger: memoryLogger(lines) })], h)(w, r.withContext(r.ctx.withRequestId('rid')));
  return { w, lines, body: w.getBody().toString() };
}

describe('recovery', () => {
  it.each([
    {
      title: 'a synchronous throw',
      h: (() => {
        throw new Error('secret-sauce');
      }) as Handler,
    },
    {
      title: 'a rejected promise',
      h: (async () => {
        throw new Error('secret-sauce');
      }) as Handler,
    },
    {
      title: 'a thrown non-error',
      h: (() => {
        throw 'plain string';
      }) as Handler,
    },
  ])('answers 500 for $title without leaking the message to the client', async ({ h }) => {
    const { w, lines, body } = await run(h);
    expect(w.status).toBe(500);
    expect(JSON.parse(body)).toEqual({
      error: {
        code: 'INTERNAL_ERROR',
        message: 'internal server error',
        category: 'server_error',
        type: 'internal_error',
      },
      request_id: 'rid',
    });
    expect(body).not.toContain('secret-sauce');
    expect(body).not.toContain('plain string');
    expect(lines).toHaveLength(1);
    expect(lines[0]!.msg).toBe('handler error recovered');
  });

  it('logs the message and stack of a recovered 500 server-side', async () => {
    const { lines } = await run(() => {
      throw new Error('secret-sauce');
    });
    expect(lines[0]!.fields).toMatchObject({ error: 'secret-sauce', error_type: 'Error', status: 500 });
    expect(String(lines[0]!.fields['stack'])).toMatch(/^Error: secret-sauce\n\s+at /);
    const nonError = await run(() => {
      throw 'plain string';
    });
    expect(nonError.lines[0]!.fields).toMatchObject({ error: 'plain string', error_type: 'string', stack: undefined });
  });

  it('neither answers nor logs an error when the client went away', async () => {
    const { w, lines } = await run(async () => {
      throw new ClientDisconnectedError();
    });
    expect(lines).toEqual([]);
    expect(w.status).not.toBe(500);
    const reset = await run(() => {
      throw Object.assign(new Error('aborted'), { code: 'ECONNRESET' });
    });
    expect(reset.lines).toEqual([]);
  });

  it('sends a thrown APIError as is and does not log client errors', async () => {
    const { w, lines, body } = await run(() => {
      throw new APIError({ type: 'resource_not_found', code: 'ITEM_NOT_FOUND', message: 'item not found' });
    });
    expect(w.status).toBe(404);
    expect(JSON.parse(body).error.code).toBe('ITEM_NOT_FOUND');
    expect(lines).toHaveLength(0);
  });

  it('ends a response that already started instead of writing a second status', async () => {
    const { w, body } = await run((w) => {
      w.writeHead(200);
      w.write('partial');
      throw new Error('mid-stream');
    });
    expect(w.status).toBe(200);
    expect(w.finished).toBe(true);
    expect(body).toBe('partial');
  });

  it('passes successful responses through untouched', async () => {
    const { w, body } = await run((w) => w.end('fine'));
    expect([w.status, body]).toEqual([200, 'fine']);
  });
});
