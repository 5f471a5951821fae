// Entry point: `node --conditions=source --import tsx reference/events-service/main.ts` (env: see config.ts).
import { createLogger } from 'plumego/log';
import { createService } from './app/service.ts';
import { loadConfig } from './config.ts';

async function run(): Promise<void> {
  const config = loadConfig();
  const service = await createService(config);
  await service.app.listen();
  service.logger.info('listening', { addr: config.addr, broker: config.broker, queue: config.queue });
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    service.logger.info('shutdown requested', { signal });
    service.app
      .shutdown()
      .then(() => service.close())
      .then(
        () => process.exit(0),
        () => process.exit(1),
      );
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
}

run().catch((err: unknown) => {
  createLogger().error('startup failed', { error: err instanceof Error ? err.message : String(err) });
  process.exit(1);
});
