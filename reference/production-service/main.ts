// Entry point: `node --conditions=source --import tsx reference/production-service/main.ts`.
import { createLogger } from 'plumego/log';
import { createProductionService } from './app/service.ts';
import { loadConfig } from './config.ts';

const logger = createLogger({ format: 'json' });
try {
  const config = loadConfig(process.env);
  const service = await createProductionService(config, { logger });
  await service.app.listen();
  const stop = (signal: string): void => {
    logger.info('shutting down', { signal });
    service.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', () => stop('SIGINT'));
  process.once('SIGTERM', () => stop('SIGTERM'));
} catch (err) {
  logger.error('startup failed', { error: err instanceof Error ? err.message : String(err) });
  logger.flush();
  process.exit(1);
}
