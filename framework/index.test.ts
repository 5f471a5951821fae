import { describe, expect, it } from 'vitest';
import * as facade from './index.ts';

describe('root facade', () => {
  it('exports only app construction and param', () => {
    expect(Object.keys(facade).sort()).toEqual(['App', 'DEFAULT_APP_CONFIG', 'createApp', 'param']);
  });

  it('builds a working app from the facade alone', async () => {
    const app = facade.createApp();
    app.get('/hello/:name', (w, r) => w.end(`hi ${facade.param(r, 'name')}`));
    const res = await app.request('/hello/ada');
    expect([res.status, res.text()]).toEqual([200, 'hi ada']);
    expect(facade.DEFAULT_APP_CONFIG.addr).toBe(':8080');
  });
});
