import { describe, expect, it } from 'vitest';
import { createRequest, writeResponse } from 'plumego/contract';
import { isGatewayError } from 'plumego/x/gateway';
import type { ProtocolAdapter } from './adapter.ts';
import { ProtocolRegistry } from './registry.ts';

function adapter(name: string, prefix: string, closed: string[] = []): ProtocolAdapter {
  return {
    name,
    matches: (r) => r.path.startsWith(prefix),
    handle: async (w, r) => writeResponse(w, r, 200, { by: name }),
    close: () => void closed.push(name),
  };
}

describe('protocol registry', () => {
  it('finds the first adapter that claims a request, in registration order', () => {
    const reg = new ProtocolRegistry().register(adapter('grpc', '/rpc/')).register(adapter('wide', '/'));
    expect(reg.find(createRequest({ url: '/rpc/x' }))?.name).toBe('grpc');
    expect(reg.find(createRequest({ url: '/other' }))?.name).toBe('wide');
    expect(reg.names).toEqual(['grpc', 'wide']);
    expect(new ProtocolRegistry().find(createRequest({ url: '/' }))).toBeUndefined();
  });

  it.each([
    {
      title: 'a duplicate name',
      add: (r: ProtocolRegistry) => r.register(adapter('a', '/')).register(adapter('a', '/x')),
    },
    { title: 'an upper-case name', add: (r: ProtocolRegistry) => r.register(adapter('GRPC', '/')) },
    {
      title: 'an adapter without handle',
      add: (r: ProtocolRegistry) => r.register({ name: 'x', matches: () => true } as unknown as ProtocolAdapter),
    },
  ])('rejects $title', ({ add }) => {
    let caught: unknown;
    try {
      add(new ProtocolRegistry());
    } catch (error) {
      caught = error;
    }
    expect(isGatewayError(caught)).toBe(true);
  });

  it('closes every adapter once and refuses registration afterwards', async () => {
    const closed: string[] = [];
    const reg = new ProtocolRegistry().register(adapter('a', '/a', closed)).register(adapter('b', '/b', closed));
    await reg.close();
    await reg.close();
    expect(closed).toEqual(['a', 'b']);
    expect(() => reg.register(adapter('c', '/c'))).toThrow(/closed/);
  });

  it('joins close failures without skipping the other adapters', async () => {
    const closed: string[] = [];
    const failing: ProtocolAdapter = { ...adapter('f', '/f'), close: () => Promise.reject(new Error('boom')) };
    const reg = new ProtocolRegistry().register(failing).register(adapter('ok', '/ok', closed));
    await expect(reg.close()).rejects.toBeInstanceOf(AggregateError);
    expect(closed).toEqual(['ok']);
  });
});
