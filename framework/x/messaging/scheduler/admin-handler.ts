import { createHash, timingSafeEqual } from 'node:crypto';
import { APIError, writeError, writeResponse, type Handler, type Request } from 'plumego/contract';
import { assertOption, isSchedulerError, SCHEDULER_ERROR_CODES } from './errors.ts';
import type { Scheduler } from './scheduler.ts';

export interface SchedulerAdminOptions {
  /** Bearer token the caller must present. One of `token` or `authorize` is required. */
  readonly token?: string;
  /** Custom guard (e.g. a principal with an admin role); true admits the request. */
  readonly authorize?: (request: Request) => boolean | Promise<boolean>;
  /** Path prefix the handler is mounted under. Default `/admin/scheduler`. */
  readonly prefix?: string;
}

const digest = (s: string): Buffer => createHash('sha256').update(s).digest();

/**
 * A small admin API: `GET <prefix>/jobs`, `POST <prefix>/jobs/:id/{pause,resume,trigger}`. It cannot
 * be built without a guard, and every request is checked before anything else (fail closed).
 */
export function createSchedulerAdminHandler(scheduler: Scheduler, options: SchedulerAdminOptions): Handler {
  assertOption(
    options.token !== undefined || options.authorize !== undefined,
    'token',
    'an admin handler needs a token or an authorize guard',
  );
  assertOption(options.token === undefined || options.token.length >= 16, 'token', 'must be at least 16 characters');
  const prefix = (options.prefix ?? '/admin/scheduler').replace(/\/$/, '');
  const expected = options.token === undefined ? undefined : digest(options.token);

  const allowed = async (r: Request): Promise<boolean> => {
    if (expected !== undefined) {
      const header = r.header('authorization') ?? '';
      const presented = header.startsWith('Bearer ') ? header.slice(7) : '';
      // Digests have equal length, so the comparison time does not depend on the token.
      if (!timingSafeEqual(digest(presented), expected)) return false;
    }
    return options.authorize === undefined ? true : options.authorize(r);
  };

  return async (w, r) => {
    if (!(await allowed(r))) {
      w.setHeader('www-authenticate', 'Bearer');
      writeError(
        w,
        r,
        new APIError({ status: 401, code: SCHEDULER_ERROR_CODES.unauthorized, message: 'authentication required' }),
      );
      return;
    }
    if (!r.path.startsWith(`${prefix}/`)) return notFound(w, r);
    const parts = r.path.slice(prefix.length + 1).split('/');
    try {
      if (parts.length === 1 && parts[0] === 'jobs') {
        if (r.method !== 'GET') return methodNotAllowed(w, r, 'GET');
        writeResponse(w, r, 200, { jobs: scheduler.list() });
        return;
      }
      if (parts.length === 3 && parts[0] === 'jobs' && ['pause', 'resume', 'trigger'].includes(parts[2]!)) {
        if (r.method !== 'POST') return methodNotAllowed(w, r, 'POST');
        const id = decodeURIComponent(parts[1]!);
        const action = parts[2] as 'pause' | 'resume' | 'trigger';
        await scheduler[action](id);
        writeResponse(w, r, action === 'trigger' ? 202 : 200, { id, action });
        return;
      }
      notFound(w, r);
    } catch (error) {
      if (isSchedulerError(error) && error.code === SCHEDULER_ERROR_CODES.jobNotFound) {
        writeError(w, r, new APIError({ status: 404, code: error.code, message: 'no such job' }));
        return;
      }
      throw error;
    }
  };
}

function notFound(w: Parameters<Handler>[0], r: Request): void {
  writeError(w, r, new APIError({ status: 404, code: SCHEDULER_ERROR_CODES.jobNotFound, message: 'not found' }));
}

function methodNotAllowed(w: Parameters<Handler>[0], r: Request, allow: string): void {
  w.setHeader('allow', allow);
  writeError(w, r, new APIError({ type: 'method_not_allowed' }));
}
