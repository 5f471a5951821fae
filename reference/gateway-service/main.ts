// Entry point: `node --conditions=source --import tsx reference/gateway-service/main.ts` with
// GATEWAY_API_UPSTREAMS, GATEWAY_CATALOG_UPSTREAM (and optionally GATEWAY_GRPC_TARGET) set.
import { loadConfig } from './config.ts';
import { createGatewayService } from './app/service.ts';

async function run(): Promise<void> {
  const config = loadConfig();
  const { app, close } = createGatewayService(config);
  const [host, port] = config.addr.startsWith(':') ? [undefined, config.addr.slice(1)] : config.addr.split(':');
  const address = await app.listen(Number(port), host);
  console.log(
    `gateway-service listening on ${address.address}:${address.port} (${config.apiUpstreams.length} api upstreams)`,
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
  console.error(`gateway-service failed to start: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
