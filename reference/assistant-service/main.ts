// Entry point: `node --conditions=source --import tsx reference/assistant-service/main.ts` with
// ASSISTANT_ANTHROPIC_API_KEY and/or ASSISTANT_OPENAI_API_KEY set (and *_BASE_URL for a proxy or local server).
import { loadConfig } from './config.ts';
import { createAssistantService } from './app/service.ts';

async function run(): Promise<void> {
  const config = loadConfig();
  const { app, close } = createAssistantService(config);
  const [host, port] = config.addr.startsWith(':') ? [undefined, config.addr.slice(1)] : config.addr.split(':');
  const address = await app.listen(Number(port), host);
  console.log(
    `assistant-service listening on ${address.address}:${address.port} (${config.vendors.map((v) => v.vendor).join(' → ')})`,
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
  console.error(`assistant-service failed to start: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
