import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { writeResponse } from 'plumego/contract';
import { createApp } from 'plumego/core';
import { t } from 'plumego/x/validate';
import { createOpenAPIHandler, registerOpenAPI } from './handler.ts';

function makeApp() {
  const app = createApp();
  app.get('/items/:id', (w, r) => writeResponse(w, r, 200, { id: r.param('id') }), {
    name: 'getItem',
    tags: ['items'],
  });
  app.post('/items', (w, r) => writeResponse(w, r, 201, {}), { name: 'createItem' });
  return app;
}

describe('OpenAPI handlers', () => {
  it('serves JSON and YAML built from the app route table, without the document routes', async () => {
    const app = makeApp();
    registerOpenAPI(app, {
      info: { title: 'Items', version: '1.0.0' },
      hints: { createItem: { requestBody: t.object({ name: t.string() }) } },
    });
    const json = await app.request('/openapi.json');
    expect(json.status).toBe(200);
    expect(json.headers['content-type']).toBe('application/json');
    const doc = json.json<{ paths: Record<string, unknown> }>();
    expect(Object.keys(doc.paths)).toEqual(['/items', '/items/{id}']);
    const yaml = await app.request('/openapi.yaml');
    expect(yaml.headers['content-type']).toBe('application/yaml');
    expect(parse(yaml.text())).toEqual(doc);
  });

  it('answers 304 to a matching If-None-Match', async () => {
    const app = makeApp();
    registerOpenAPI(app);
    const first = await app.request('/openapi.json');
    const etag = String(first.headers['etag']);
    expect(etag).toMatch(/^"[\w-]+"$/);
    const again = await app.request('/openapi.json', { headers: { 'if-none-match': `"other", ${etag}` } });
    expect(again.status).toBe(304);
    expect(again.body.length).toBe(0);
  });

  it('answers 500 (without leaking the cause) when hints name no route', async () => {
    const app = makeApp();
    app.get('/doc', createOpenAPIHandler(app, { hints: { typo: {} } }));
    const res = await app.request('/doc');
    expect(res.status).toBe(500);
    expect(res.text()).not.toContain('typo');
  });

  it('refuses an unknown format at wiring time', () => {
    expect(() => createOpenAPIHandler(() => [], { format: 'xml' as never })).toThrow('format');
  });
});
