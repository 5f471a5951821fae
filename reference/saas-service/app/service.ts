import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { Redis } from 'ioredis';
import { createApp, type App } from 'plumego/core';
import type { Context } from 'plumego/contract';
import { authenticate, createCanonicalStack } from 'plumego/middleware';
import {
  KyselyRepository,
  MemoryRepository,
  registerResource,
  resourceDocs,
  type Repository,
  type Row,
} from 'plumego/x/rest';
import {
  createTenantChain,
  InMemoryTenantConfigs,
  RedisTenantLimitsStore,
  tenantIdFromContext,
  tenantScopedDb,
} from 'plumego/x/tenant';
import { registerOpenAPI } from 'plumego/x/openapi';
import type { SaasConfig } from '../config.ts';
import { projectsResource, tasksResource } from '../domain/resources.ts';
import { SCHEMA_SQL, TENANT_TABLES } from './schema.ts';
import { createTokenTableAuthenticator } from './token-auth.ts';

export interface SaasService {
  readonly app: App;
  /** Closes the pool and the Redis connection (after `app.shutdown`). */
  close(): Promise<void>;
}

interface Storage {
  projects: Repository<Row>;
  tasks: Repository<Row>;
  projectExists(id: number, ctx: Context): Promise<boolean>;
  close(): Promise<void>;
}

async function postgresStorage(url: string): Promise<Storage> {
  const pool = new pg.Pool({ connectionString: url, max: 10 });
  for (const statement of SCHEMA_SQL) await pool.query(statement);
  const db = new Kysely<Record<string, Row>>({ dialect: new PostgresDialect({ pool }) });
  // Every statement of a request goes through its tenant's scoped view of the database.
  const scoped = (ctx: Context) => tenantScopedDb(db, tenantIdFromContext(ctx), TENANT_TABLES);
  // Lists run their (scoped, compiled) statements straight on the pool: this Kysely has no query log
  // and no per-connection hooks to skip. The isolation suite covers that path too.
  return {
    projects: new KyselyRepository<Row>({ db: scoped, table: 'projects', versionField: 'version', pool }),
    tasks: new KyselyRepository<Row>({ db: scoped, table: 'tasks', versionField: 'version', pool }),
    projectExists: async (id, ctx) =>
      (await scoped(ctx).selectFrom('projects').select('id').where('id', '=', id).executeTakeFirst()) !== undefined,
    close: () => db.destroy(),
  };
}

function memoryStorage(): Storage {
  const partition = (ctx: Context): string => tenantIdFromContext(ctx);
  const projects = new MemoryRepository<Row>({ partition, unique: [['name']], versionField: 'version' });
  return {
    projects,
    tasks: new MemoryRepository<Row>({ partition, versionField: 'version' }),
    projectExists: async (id, ctx) => (await projects.get(id, { ctx })) !== undefined,
    close: async () => undefined,
  };
}

/** Builds the service; all wiring is here, top to bottom. */
export async function createSaasService(config: SaasConfig): Promise<SaasService> {
  const storage = config.databaseUrl ? await postgresStorage(config.databaseUrl) : memoryStorage();
  const redis = config.redisUrl ? new Redis(config.redisUrl, { maxRetriesPerRequest: 1 }) : undefined;

  const tenants = new InMemoryTenantConfigs(
    [...new Set(config.users.map((u) => u.tenantId))].map((id) => ({
      id,
      policy: { paths: ['/api/*'] },
      quota: { limit: config.quotaPerMinute, windowMs: 60_000, window: 'sliding' as const },
      rateLimit: { ratePerSecond: config.ratePerSecond, burst: config.burst },
    })),
  );

  const app = createApp();
  app.use(...createCanonicalStack());
  app.addRoute('GET', '/healthz', (w) => {
    w.writeHead(200);
    w.end('ok\n');
  });

  // Authentication, then resolve → policy → rate limit → quota: nothing under /api runs without a tenant.
  // On Redis the rate limit and the quota are one script: one round trip per request.
  const api = app.group(
    '/api',
    authenticate(createTokenTableAuthenticator(config.users)),
    ...createTenantChain({
      tenants,
      ...(redis ? { limitsStore: new RedisTenantLimitsStore({ client: redis }) } : {}),
    }),
  );
  const tasks = tasksResource(storage.projectExists);
  registerResource(api, projectsResource, storage.projects);
  registerResource(api, tasks, storage.tasks);
  // The API document is public and lists every route, from the same declarations the handlers validate with.
  registerOpenAPI(app, {
    info: { title: 'saas-service', version: '1' },
    hints: { ...resourceDocs(projectsResource), ...resourceDocs(tasks) },
  });

  return {
    app,
    close: async () => {
      await storage.close();
      redis?.disconnect();
    },
  };
}
