// The process entry: `npm start` or `npm run dev`.
import { createService } from './service.ts';

const app = createService({ addr: process.env['APP_ADDR'] ?? ':8080' });
await app.listen();

const stop = (): void => {
  app.shutdown({ timeoutMs: 10_000 }).then(
    () => process.exit(0),
    () => process.exit(1),
  );
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
