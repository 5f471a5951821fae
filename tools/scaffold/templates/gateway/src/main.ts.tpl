// The process entry: `npm start` or `npm run dev`. APP_UPSTREAMS lists the backends behind /api.
import { createLogger } from 'plumego/log';
import { loadConfig } from './config.ts';
import { createService } from './service.ts';

const logger = createLogger({ buffered: false });
try {
  const config = loadConfig();
  const upstreams = (process.env['APP_UPSTREAMS'] ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  if (upstreams.length === 0) throw new Error('APP_UPSTREAMS: list at least one backend URL, comma-separated');
  const service = createService(config, { upstreams });
  await service.app.listen();
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    logger.info('shutdown requested', { signal });
    service.close().then(() => process.exit(0), () => process.exit(1));
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
} catch (error) {
  logger.error('startup failed', { error: error instanceof Error ? error.message : String(error) });
  process.exitCode = 1;
}
