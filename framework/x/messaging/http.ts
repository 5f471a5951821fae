import {
  APIError,
  isAPIError,
  readJson,
  writeError,
  writeResponse,
  type Handler,
  type Request,
  type ResponseWriter,
} from 'plumego/contract';
import { assertOption, invalidRequest, isMessagingError, MESSAGING_ERROR_CODES } from './errors.ts';
import type { MessagingService } from './service.ts';
import type { ReceiptStatus, SendRequest } from './types.ts';

export interface MessagingHandlerOptions {
  /** The caller's tenant (from its principal, API key…); undefined refuses the request with 401. Required. */
  readonly resolveTenant: (request: Request) => string | undefined | Promise<string | undefined>;
  /** Mount path. Default `/messages`. */
  readonly prefix?: string;
  /** Largest request body. Default 256 KiB. */
  readonly maxBodyBytes?: number;
}

const STATUSES: readonly ReceiptStatus[] = ['queued', 'sending', 'sent', 'failed'];

/**
 * HTTP API of the messaging service, scoped to the caller's tenant:
 * `POST <prefix>` send (202 + receipt), `POST <prefix>/batch`, `GET <prefix>/receipts[/:id]`,
 * `GET <prefix>/stats`, `GET <prefix>/health`. Another tenant's receipt answers 404, like a missing one.
 */
export function createMessagingHandler(service: MessagingService, options: MessagingHandlerOptions): Handler {
  assertOption(
    typeof options?.resolveTenant === 'function',
    'resolveTenant',
    'is required: every request is scoped to a tenant',
  );
  const prefix = (options.prefix ?? '/messages').replace(/\/$/, '');
  const maxBytes = options.maxBodyBytes ?? 256 * 1024;

  const route = async (w: ResponseWriter, r: Request, tenantId: string): Promise<void> => {
    const rest = r.path === prefix ? '' : r.path.startsWith(`${prefix}/`) ? r.path.slice(prefix.length + 1) : undefined;
    if (rest === undefined) throw new APIError({ type: 'resource_not_found' });
    const method = r.method;
    if (rest === '' && method === 'POST') {
      const body = await readJson(r, { maxBytes });
      writeResponse(w, r, 202, { receipt: await service.send(scope(body, tenantId)) });
    } else if (rest === 'batch' && method === 'POST') {
      const body = (await readJson(r, { maxBytes })) as { messages?: unknown };
      if (!Array.isArray(body?.messages)) throw invalidRequest('messages', 'must be an array');
      writeResponse(w, r, 200, { results: await service.sendBatch(body.messages.map((m) => scope(m, tenantId))) });
    } else if (rest === 'receipts' && method === 'GET') {
      const status = r.query.get('status') ?? undefined;
      if (status !== undefined && !STATUSES.includes(status as ReceiptStatus))
        throw invalidRequest('status', `must be one of ${STATUSES.join(', ')}`);
      const limit = Number(r.query.get('limit') ?? 50);
      if (!Number.isInteger(limit) || limit < 1 || limit > 500)
        throw invalidRequest('limit', 'must be an integer in 1..500');
      writeResponse(w, r, 200, {
        receipts: service.listReceipts({
          tenantId,
          limit,
          ...(status === undefined ? {} : { status: status as ReceiptStatus }),
        }),
      });
    } else if (rest.startsWith('receipts/') && method === 'GET') {
      const receipt = service.getReceipt(decodeURIComponent(rest.slice('receipts/'.length)));
      if (receipt === undefined || receipt.tenantId !== tenantId) {
        throw new APIError({ status: 404, code: MESSAGING_ERROR_CODES.receiptNotFound, message: 'no such receipt' });
      }
      writeResponse(w, r, 200, { receipt });
    } else if (rest === 'stats' && method === 'GET') {
      writeResponse(w, r, 200, { stats: service.stats(tenantId) });
    } else if (rest === 'health' && method === 'GET') {
      writeResponse(w, r, 200, { channels: service.channelHealth() });
    } else {
      throw new APIError({ type: 'resource_not_found' });
    }
  };

  return async (w, r) => {
    const tenantId = await options.resolveTenant(r);
    if (tenantId === undefined) {
      writeError(
        w,
        r,
        new APIError({ status: 401, code: MESSAGING_ERROR_CODES.unauthorized, message: 'authentication required' }),
      );
      return;
    }
    try {
      await route(w, r, tenantId);
    } catch (error) {
      if (isMessagingError(error)) {
        writeError(
          w,
          r,
          new APIError({
            status: error.status,
            code: error.code,
            message: error.message,
            details: pick(error.details),
          }),
        );
        return;
      }
      // Body-reading and routing refusals (415, 413, 400, 404) are answered here; anything else is a bug for recovery middleware.
      if (isAPIError(error)) {
        writeError(w, r, error);
        return;
      }
      throw error;
    }
  };
}

/** The body's tenantId is never trusted: the resolved tenant replaces it. */
function scope(body: unknown, tenantId: string): SendRequest {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw invalidRequest('body', 'must be a JSON object');
  return { ...(body as SendRequest), tenantId };
}

function pick(details: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of ['field', 'retry_after_ms', 'quota', 'channel', 'template', 'variable'])
    if (details[k] !== undefined) out[k] = details[k];
  return out;
}
