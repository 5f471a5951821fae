import { join, relative } from 'node:path';
import type { ControlPlane, Module } from '../control-plane/index.ts';
import { editYamlFile } from './edit-yaml.ts';
import { ScaffoldError } from './errors.ts';
import { assertKebabName, toCamel, toPascal } from './names.ts';
import type { RenderedFile } from './render-template.ts';
import { writeNewFiles } from './write-files.ts';

export type CodeKind = 'middleware' | 'handler' | 'resource';

/** The folder new code goes into: the named module's, or the facade's (src/ in a generated service). */
export function resolveTargetModule(plane: ControlPlane, moduleName: string | undefined): Module {
  if (moduleName !== undefined) {
    const m = plane.moduleByName.get(moduleName);
    if (!m)
      throw new ScaffoldError(
        'PLUMEGO_SCAFFOLD_NOT_A_REPOSITORY',
        `no module named '${moduleName}' (plumego status lists them)`,
      );
    return m;
  }
  const facade = plane.modules.find((m) => m.layer === 'facade');
  if (!facade || plane.profile !== 'minimal') {
    throw new ScaffoldError(
      'PLUMEGO_SCAFFOLD_NOT_A_REPOSITORY',
      'name the module that owns the new code with --module <name>',
    );
  }
  return facade;
}

function middlewareFiles(name: string): RenderedFile[] {
  const camel = toCamel(name);
  const pascal = toPascal(name);
  return [
    {
      path: `${name}.ts`,
      content: `import type { Middleware, Request } from 'plumego/contract';

export interface ${pascal}Options {
  /**
   * Runs before the handler; throw an APIError to answer the request instead (recovery writes it).
   * Default: lets every request through.
   */
  readonly check?: (r: Request) => void | Promise<void>;
}

/** The ${name} middleware. Options are checked when it is built, never per request. */
export function ${camel}(options: ${pascal}Options = {}): Middleware {
  const check = options.check ?? (() => {});
  if (typeof check !== 'function') throw new TypeError('${camel}: check must be a function');
  return (next) => async (w, r) => {
    await check(r);
    await next(w, r);
  };
}
`,
    },
    {
      path: `${name}.test.ts`,
      content: `import { describe, expect, it } from 'vitest';
import { createApp } from 'plumego/core';
import { APIError, writeResponse } from 'plumego/contract';
import { createLogger } from 'plumego/log';
import { recovery } from 'plumego/middleware';
import { ${camel} } from './${name}.ts';

const appWith = (options: Parameters<typeof ${camel}>[0]) => {
  const logger = createLogger({ format: 'discard' });
  const app = createApp({ addr: '127.0.0.1:0' }, { logger });
  app.use(recovery({ logger }), ${camel}(options));
  app.get('/', (w, r) => writeResponse(w, r, 200, { ok: true }));
  return app;
};

describe('${camel}', () => {
  it('lets a request through to the handler by default', async () => {
    expect((await appWith({}).request('/')).status).toBe(200);
  });

  it('answers with the APIError its check throws, without running the handler', async () => {
    const res = await appWith({ check: () => { throw new APIError({ type: 'forbidden_request', code: 'FORBIDDEN', message: 'no' }); } }).request('/');
    expect(res.status).toBe(403);
  });

  it('refuses a check that is not a function when it is built', () => {
    expect(() => ${camel}({ check: 'yes' as never })).toThrow(TypeError);
  });
});
`,
    },
  ];
}

function handlerFiles(name: string): RenderedFile[] {
  const pascal = toPascal(name);
  return [
    {
      path: `${name}-handler.ts`,
      content: `import { APIError, writeResponse, type Handler } from 'plumego/contract';

/** GET handler for ${name}: answers with the resource named in the :id path parameter. */
export function create${pascal}Handler(lookup: (id: string) => unknown | undefined): Handler {
  return (w, r) => {
    const found = lookup(r.param('id'));
    if (found === undefined) throw new APIError({ type: 'resource_not_found', code: 'NOT_FOUND', message: '${name} not found' });
    writeResponse(w, r, 200, found);
  };
}
`,
    },
    {
      path: `${name}-handler.test.ts`,
      content: `import { describe, expect, it } from 'vitest';
import { createApp } from 'plumego/core';
import { createLogger } from 'plumego/log';
import { recovery } from 'plumego/middleware';
import { create${pascal}Handler } from './${name}-handler.ts';

const logger = createLogger({ format: 'discard' });
const app = createApp({ addr: '127.0.0.1:0' }, { logger });
app.use(recovery({ logger }));
app.get('/${name}/:id', create${pascal}Handler((id) => (id === '1' ? { id } : undefined)));

describe('create${pascal}Handler', () => {
  it('answers with the resource it finds', async () => {
    const res = await app.request('/${name}/1');
    expect(res.status).toBe(200);
    expect(res.json<{ data: unknown }>().data).toEqual({ id: '1' });
  });

  it('answers 404 for an id it does not know', async () => {
    expect((await app.request('/${name}/2')).status).toBe(404);
  });
});
`,
    },
  ];
}

function resourceFiles(name: string): RenderedFile[] {
  const camel = toCamel(name);
  const pascal = toPascal(name);
  return [
    {
      path: `${name}-resource.ts`,
      content: `import { MemoryRepository, registerResource, type Repository, type ResourceDefinition, type Row, type RouteRegistrar } from 'plumego/x/rest';
import { t } from 'plumego/x/validate';

/** The ${name} resource: its body schema, sortable fields and filters. x/rest derives the routes from it. */
export const ${camel}Resource: ResourceDefinition<Row> = {
  name: '${name}',
  create: t.object({
    name: t.string({ minLength: 1, maxLength: 120 }),
    note: t.optional(t.string({ maxLength: 2000 })),
  }),
  immutable: ['id'],
  list: { sort: ['name'], filters: { name: { type: 'string', ops: ['eq', 'contains'] } } },
};

/**
 * Registers GET and POST /${name} and GET, PUT, PATCH and DELETE /${name}/:id. The default
 * repository keeps rows in memory; pass a KyselyRepository for a database.
 */
export function register${pascal}(registrar: RouteRegistrar, repo: Repository<Row> = new MemoryRepository<Row>()): void {
  registerResource(registrar, ${camel}Resource, repo);
}
`,
    },
    {
      path: `${name}-resource.test.ts`,
      content: `import { describe, expect, it } from 'vitest';
import { createApp } from 'plumego/core';
import { createLogger } from 'plumego/log';
import { recovery } from 'plumego/middleware';
import { register${pascal} } from './${name}-resource.ts';

const make = () => {
  const logger = createLogger({ format: 'discard' });
  const app = createApp({ addr: '127.0.0.1:0' }, { logger });
  app.use(recovery({ logger }));
  register${pascal}(app.group('/api'));
  return app;
};
const post = (body: unknown) => ({ method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

describe('${name} resource', () => {
  it('creates a row, reads it back and lists it', async () => {
    const app = make();
    const created = await app.request('/api/${name}', post({ name: 'first' }));
    expect(created.status).toBe(201);
    expect(String(created.headers['location']).startsWith('/api/${name}/')).toBe(true);
    expect((await app.request(String(created.headers['location']))).status).toBe(200);
    expect((await app.request('/api/${name}?sort=name')).json<{ data: unknown[] }>().data).toHaveLength(1);
  });

  it('rejects a body that fails the schema with 422 and an unknown id with 404', async () => {
    const app = make();
    expect((await app.request('/api/${name}', post({ name: '' }))).status).toBe(422);
    expect((await app.request('/api/${name}/999')).status).toBe(404);
  });
});
`,
    },
  ];
}

/** Writes a middleware, handler or resource (and its test) into a module's folder; refuses to overwrite. */
export function generateCode(plane: ControlPlane, kind: CodeKind, name: string, moduleName?: string): string[] {
  assertKebabName(name, kind);
  const target = resolveTargetModule(plane, moduleName);
  const dir = join(plane.root, target.path);
  const files =
    kind === 'middleware' ? middlewareFiles(name) : kind === 'handler' ? handlerFiles(name) : resourceFiles(name);
  const written = writeNewFiles(dir, files).map((f) => relative(plane.root, join(dir, f)));
  // The new code imports plumego; the owning module must say so, or the boundary gate refuses the edge.
  if (!target.manifest.allowed_imports.packages.some((p) => p.name === 'plumego')) {
    editYamlFile(join(plane.root, target.manifestFile), (doc) =>
      doc.addIn(['allowed_imports', 'packages'], {
        name: 'plumego',
        reason: 'The HTTP framework the service is built on.',
      }),
    );
    written.push(target.manifestFile);
  }
  return written;
}
