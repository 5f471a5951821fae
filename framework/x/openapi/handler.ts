import { createHash } from 'node:crypto';
import type { Handler } from 'plumego/contract';
import { generateDocument, type GenerateOptions, type RouteEntry } from './generator.ts';
import { toJson, toYaml } from './serialize.ts';

/** Anything that can list routes: an `App`, a `Router`, or a function. */
export type RouteSource = { routes(): readonly RouteEntry[] } | (() => readonly RouteEntry[]);

export interface OpenAPIHandlerOptions extends GenerateOptions {
  /** Serialisation. Default `json`. */
  format?: 'json' | 'yaml';
}

const CONTENT_TYPES = { json: 'application/json', yaml: 'application/yaml' } as const;

function listRoutes(source: RouteSource): readonly RouteEntry[] {
  return typeof source === 'function' ? source() : source.routes();
}

interface Rendered {
  body: string;
  etag: string;
}

/**
 * Serves the generated document. It is built on the first request, when the route table is frozen, and
 * then cached with a strong ETag so clients and proxies revalidate for free. A generation error (an unknown
 * hint, say) surfaces as a 500 on every request rather than being cached, so a fix only needs a restart.
 */
export function createOpenAPIHandler(source: RouteSource, options: OpenAPIHandlerOptions = {}): Handler {
  const { format = 'json', ...generate } = options;
  const contentType = CONTENT_TYPES[format];
  if (contentType === undefined) throw new TypeError(`format must be json or yaml, got ${String(format)}`);
  let rendered: Rendered | undefined;
  return (w, r) => {
    if (rendered === undefined) {
      const doc = generateDocument(listRoutes(source), generate);
      const body = format === 'json' ? toJson(doc) : toYaml(doc);
      rendered = { body, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"` };
    }
    w.setHeader('etag', rendered.etag);
    w.setHeader('cache-control', 'no-cache');
    if (
      r
        .header('if-none-match')
        ?.split(',')
        .some((tag) => tag.trim() === rendered!.etag)
    ) {
      // RFC 9110 §8.6: a 304 may carry Content-Length only as the size a 200 would have had.
      w.setHeader('content-length', String(Buffer.byteLength(rendered.body)));
      w.writeHead(304);
      w.end();
      return;
    }
    w.setHeader('content-type', contentType);
    w.writeHead(200);
    w.end(rendered.body);
  };
}

/** The part of an app or router that `registerOpenAPI` needs. */
export interface RouteRegistrarLike {
  get(path: string, handler: Handler, options?: { name?: string; tags?: readonly string[] }): void;
  routes(): readonly RouteEntry[];
}

export interface RegisterOpenAPIOptions extends GenerateOptions {
  /** Default `/openapi.json`; `false` skips it. */
  jsonPath?: string | false;
  /** Default `/openapi.yaml`; `false` skips it. */
  yamlPath?: string | false;
}

/** Registers the JSON and YAML documents on `app`; the document routes leave themselves out of the document. */
export function registerOpenAPI(app: RouteRegistrarLike, options: RegisterOpenAPIOptions = {}): void {
  const { jsonPath = '/openapi.json', yamlPath = '/openapi.yaml', include, ...generate } = options;
  const own = new Set([jsonPath, yamlPath].filter((p): p is string => typeof p === 'string'));
  const filter = (route: RouteEntry): boolean => !own.has(route.path) && (include?.(route) ?? true);
  if (jsonPath !== false)
    app.get(jsonPath, createOpenAPIHandler(app, { ...generate, include: filter, format: 'json' }));
  if (yamlPath !== false)
    app.get(yamlPath, createOpenAPIHandler(app, { ...generate, include: filter, format: 'yaml' }));
}
