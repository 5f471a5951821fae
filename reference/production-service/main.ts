// Entry point: `node --conditions=source --import tsx reference/production-service/main.ts`.
import { createLogger } from 'plumego/log';
import { createProductionService } from './app/service.ts';
import { loadConfig } from './config.ts';

const logger = createLogger({ format: 'json' });
try {
  const config = loadConfig(process.env);
  const service = await createProductionService(config, { logger });
  await service.app.listen();
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    logger.info('shutting down', { signal, timeout_ms: config.shutdownTimeoutMs });
    // Whatever still holds the event loop after the deadline (a stuck store close, a timer) must not
    // delay the exit: a supervisor waiting for the process counts on the deadline it configured.
    setTimeout(() => {
      logger.error('shutdown overran its deadline; exiting');
      logger.flush();
      process.exit(1);
    }, config.shutdownTimeoutMs + 1_000).unref();
    service.close().then(
      (result) => {
        logger.info('shutdown complete', { forced: result.forced });
        logger.flush();
        process.exit(0);
      },
      (err: unknown) => {
        logger.error('shutdown failed', { error: err instanceof Error ? err.message : String(err) });
        logger.flush();
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', () => stop('SIGINT'));
  process.once('SIGTERM', () => stop('SIGTERM'));
} catch (err) {
  logger.error('startup failed', { error: err instanceof Error ? err.message : String(err) });
  logger.flush();
  process.exit(1);
}
