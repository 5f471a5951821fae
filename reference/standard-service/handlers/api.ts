import { APIError, writeResponse, type Handler } from 'plumego/contract';

/** Small informational endpoints. */
export function createApiHandlers(
  serviceName: string,
  version: string,
): { root: Handler; hello: Handler; info: Handler; greet: Handler } {
  return {
    root: (w, r) =>
      writeResponse(w, r, 200, {
        service: serviceName,
        version,
        links: { health: '/healthz', ready: '/readyz', items: '/api/v1/items' },
      }),
    hello: (w, r) => writeResponse(w, r, 200, { message: 'hello, world' }),
    info: (w, r) => writeResponse(w, r, 200, { service: serviceName, version, runtime: `node ${process.version}` }),
    greet: (w, r) => {
      const name = r.query.get('name')?.trim();
      if (!name)
        throw new APIError({
          type: 'required_field_missing',
          code: 'GREET_NAME_REQUIRED',
          message: 'query parameter "name" is required',
        });
      if (name.length > 100)
        throw new APIError({
          type: 'value_out_of_range',
          code: 'GREET_NAME_TOO_LONG',
          message: 'name is too long',
          details: { max_length: 100 },
        });
      writeResponse(w, r, 200, { message: `hello, ${name}` });
    },
  };
}
