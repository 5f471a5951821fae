import { request as httpRequest, type RequestOptions } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { LookupFunction } from 'node:net';
import { WEBHOOK_ERROR_CODES, WebhookError } from './errors.ts';

export interface PostResult {
  readonly status: number;
}

/**
 * POSTs to `url` connecting only to `address` (already checked by the SSRF guard), so a DNS answer
 * that changes between the check and the connection (rebinding) cannot redirect the request.
 * Redirects are not followed: a 3xx is an answer like any other.
 */
export function postPinned(
  url: URL,
  address: string,
  body: string,
  headers: Record<string, string>,
  timeoutMs: number,
): Promise<PostResult> {
  const family = address.includes(':') ? 6 : 4;
  const lookup: LookupFunction = (_host, options, callback) => {
    if ((options as { all?: boolean }).all)
      (callback as unknown as (e: null, a: Array<{ address: string; family: number }>) => void)(null, [
        { address, family },
      ]);
    else callback(null, address, family);
  };
  const options: RequestOptions = {
    method: 'POST',
    headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
    lookup,
    timeout: timeoutMs,
  };
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = send(url, options, (res) => {
      res.resume(); // the receiver's body is not needed; drain it so the socket is released
      res.on('end', () => resolve({ status: res.statusCode ?? 0 }));
      res.on('error', () => resolve({ status: res.statusCode ?? 0 }));
    });
    const deadline = setTimeout(
      () =>
        req.destroy(new WebhookError(WEBHOOK_ERROR_CODES.timeout, `no answer within ${timeoutMs} ms`, { timeoutMs })),
      timeoutMs,
    );
    req.on('close', () => clearTimeout(deadline));
    req.on('timeout', () =>
      req.destroy(new WebhookError(WEBHOOK_ERROR_CODES.timeout, `no answer within ${timeoutMs} ms`, { timeoutMs })),
    );
    req.on('error', (error) => reject(error));
    req.end(body);
  });
}
