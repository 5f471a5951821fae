import { describe, it, expect } from 'vitest';
import {
  BufferedResponseWriter,
  createRequest,
  writeError,
  writeNotFound,
  writeResponse,
  APIError,
  type Handler,
} from 'plumego/contract';
import { debugErrors } from './debug-errors.ts';

async function send(handler: Handler, url = '/things?page=2&token=abc123', headers: Record<string, string> = {}) {
  const w = new BufferedResponseWriter();
  await handler(w, createRequest({ url, headers }));
  return { status: w.status, text: w.getBody().toString(), header: (n: string) => w.getHeader(n) };
}

describe('debugErrors', () => {
  it('turns a plain-text error into JSON with redacted request details', async () => {
    const handler = debugErrors({ enabled: true })((w) => writeNotFound(w));
    const res = await send(handler, '/things?page=2&token=abc123&password=hunter2', {
      authorization: 'Bearer secret-token-xyz',
      cookie: 'sid=s3cr3t',
      'x-trace': 'ok',
    });
    expect(res.status).toBe(404);
    expect(res.header('content-type')).toBe('application/json');
    const body = JSON.parse(res.text) as {
      error: Record<string, string>;
      debug: { query: Record<string, string>; headers: Record<string, string>; path: string };
    };
    expect(body.error).toMatchObject({ code: 'RESOURCE_NOT_FOUND', message: '404 page not found' });
    expect(body.debug.path).toBe('/things');
    expect(body.debug.query).toMatchObject({ page: '2' });
    expect(body.debug.headers['x-trace']).toBe('ok');
    for (const secret of ['abc123', 'hunter2', 'secret-token-xyz', 's3cr3t']) expect(res.text).not.toContain(secret);
  });

  it('fills an empty error body with the status text', async () => {
    const handler = debugErrors({ enabled: true })((w) => {
      w.writeHead(503);
      w.end();
    });
    const body = JSON.parse((await send(handler)).text) as { error: { message: string; category: string } };
    expect(body.error).toMatchObject({ message: 'Service Unavailable', category: 'server_error' });
  });

  it('leaves JSON errors and successes alone', async () => {
    const apiError: Handler = (w, r) => {
      writeError(w, r, new APIError({ type: 'bad_request', message: 'nope' }));
    };
    const json = await send(debugErrors({ enabled: true })(apiError));
    expect(JSON.parse(json.text)).not.toHaveProperty('debug');
    const ok = await send(debugErrors({ enabled: true })((w, r) => writeResponse(w, r, 200, { ok: 1 })));
    expect(ok.text).toBe('{"data":{"ok":1}}\n');
  });

  it('is an identity function unless enabled', () => {
    const inner: Handler = () => {};
    expect(debugErrors({ enabled: false })(inner)).toBe(inner);
  });
});
