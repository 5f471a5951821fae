import type { IncomingHttpHeaders } from 'node:http';

/** The response of an in-process `app.request(…)`. */
export interface TestResponse {
  readonly status: number;
  /** Lowercase header names; repeated headers joined with `, ` (set-cookie kept as an array). */
  readonly headers: Readonly<IncomingHttpHeaders>;
  readonly body: Buffer;
  text(): string;
  /** Parses the body as JSON (throws on invalid JSON). */
  json<T = unknown>(): T;
}

export function createTestResponse(status: number, list: readonly string[], body: Buffer): TestResponse {
  const headers: IncomingHttpHeaders = {};
  for (let i = 0; i < list.length; i += 2) {
    const k = list[i]!;
    const v = list[i + 1]!;
    if (k === 'set-cookie') (headers['set-cookie'] ??= []).push(v);
    else headers[k] = headers[k] === undefined ? v : `${String(headers[k])}, ${v}`;
  }
  return {
    status,
    headers,
    body,
    text: () => body.toString('utf8'),
    json: <T>() => JSON.parse(body.toString('utf8')) as T,
  };
}
