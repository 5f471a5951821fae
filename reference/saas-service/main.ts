// Entry point: `node --conditions=source --import tsx reference/saas-service/main.ts` with SAAS_USERS set
// (and SAAS_DATABASE_URL / SAAS_REDIS_URL to run on PostgreSQL and Redis).
import { loadConfig } from './config.ts';
import { createSaasService } from './app/service.ts';

async function run(): Promise<void> {
  const config = loadConfig();
  const { app, close } = await createSaasService(config);
  const [host, port] = config.addr.startsWith(':') ? [undefined, config.addr.slice(1)] : config.addr.split(':');
  const address = await app.listen(Number(port), host);
  console.log(
    `saas-service listening on ${address.address}:${address.port} (${config.databaseUrl ? 'PostgreSQL' : 'memory'}${config.redisUrl ? ' + Redis' : ''})`,
  );
  const stop = (): void => {
    void app
      .shutdown({ timeoutMs: 10_000 })
      .then(close)
      .then(
        () => process.exit(0),
        () => process.exit(1),
      );
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

run().catch((err: unknown) => {
  console.error(`saas-service failed to start: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
