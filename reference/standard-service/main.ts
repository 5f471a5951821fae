// Entry point: `npm start`, or `node --conditions=source --import tsx reference/standard-service/main.ts [--addr :8080] [--env-file .env]`.
import { createLogger } from 'plumego/log';
import { loadConfig } from './config.ts';
import { createService } from './app/service.ts';

async function run(): Promise<void> {
  const config = loadConfig({ argv: process.argv.slice(2) });
  const { app, logger } = createService(config);
  const flush = (): void => (logger as { flush?: () => void }).flush?.();
  await app.listen();
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    logger.info('shutdown requested', { signal });
    app.shutdown({ timeoutMs: config.shutdownTimeoutMs }).then(
      (result) => {
        logger.info('shutdown complete', { forced: result.forced });
        flush();
        process.exit(0);
      },
      (err: unknown) => {
        logger.error('shutdown failed', { error: err instanceof Error ? err.message : String(err) });
        flush();
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
}

run().catch((err: unknown) => {
  const logger = createLogger({ buffered: false });
  logger.error('startup failed', { error: err instanceof Error ? err.message : String(err) });
  process.exit(1);
});
