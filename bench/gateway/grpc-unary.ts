// gRPC unary: x/rpc's RpcClientPool vs a raw @grpc/grpc-js client, same server, same proto, closed loop.
// Run by run.mjs; prints one JSON line. Usage: node --conditions=source --import tsx bench/gateway/grpc-unary.ts
import { fileURLToPath } from 'node:url';
import {
  Client,
  Metadata,
  Server,
  ServerCredentials,
  credentials,
  type sendUnaryData,
  type ServerUnaryCall,
} from '@grpc/grpc-js';
import { Context } from 'plumego/contract';
import { RpcClientPool, deadlineInterceptor, loadProtos, traceContextInterceptor } from 'plumego/x/rpc';

const DURATION_MS = Number(process.env.GRPC_DURATION_MS ?? 3_000);
const CONCURRENCY = Number(process.env.GRPC_CONCURRENCY ?? 50);
const ROUNDS = Number(process.env.GRPC_ROUNDS ?? 3);
const protos = loadProtos(fileURLToPath(new URL('../../framework/x/rpc/testdata/echo.proto', import.meta.url)));
const say = protos.getMethod('plumego.test.Echo/Say');

const server = new Server();
server.addService(protos.getService('plumego.test.Echo'), {
  Say: (call: ServerUnaryCall<{ text: string }, unknown>, cb: sendUnaryData<unknown>) =>
    cb(null, { text: call.request.text }),
});
const port = await new Promise<number>((resolve, reject) =>
  server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (e, p) => (e ? reject(e) : resolve(p))),
);
const target = `127.0.0.1:${port}`;

const raw = new Client(target, credentials.createInsecure());
const rawCall = (): Promise<unknown> =>
  new Promise((resolve, reject) =>
    raw.makeUnaryRequest(
      say.path,
      say.requestSerialize,
      say.responseDeserialize,
      { text: 'hi' },
      new Metadata(),
      {},
      (e, v) => (e ? reject(e) : resolve(v)),
    ),
  );
const bare = new RpcClientPool();
const bareCall = (): Promise<unknown> => bare.unary(target, say, { text: 'hi' });
const intercepted = new RpcClientPool({
  interceptors: [deadlineInterceptor({ defaultTimeoutMs: 5_000 }), traceContextInterceptor()],
});
const ctx = Context.empty.withTrace({
  traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
  spanId: '00f067aa0ba902b7',
  parentSpanId: '',
  flags: 1,
  traceState: '',
});
const interceptedCall = (): Promise<unknown> => intercepted.unary(target, say, { text: 'hi' }, { ctx });

async function measure(
  call: () => Promise<unknown>,
  ms: number,
): Promise<{ callsPerSec: number; p99Ms: number; cpuUsPerCall: number }> {
  const latencies: number[] = [];
  const cpu0 = process.cpuUsage();
  const end = performance.now() + ms;
  const worker = async (): Promise<void> => {
    while (performance.now() < end) {
      const t = performance.now();
      await call();
      latencies.push(performance.now() - t);
    }
  };
  const t0 = performance.now();
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  const elapsed = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  latencies.sort((a, b) => a - b);
  // Client and server share this process, so CPU per call covers both; the server half is the same for every variant.
  return {
    callsPerSec: (latencies.length / elapsed) * 1000,
    p99Ms: latencies[Math.floor(latencies.length * 0.99)] ?? 0,
    cpuUsPerCall: (cpu.user + cpu.system) / latencies.length,
  };
}

const variants = { raw: rawCall, 'x/rpc': bareCall, 'x/rpc+interceptors': interceptedCall } as const;
const runs: Record<string, { callsPerSec: number; p99Ms: number; cpuUsPerCall: number }[]> = {};
for (const call of Object.values(variants)) await measure(call, 500);
for (let round = 0; round < ROUNDS; round++) {
  const order = Object.entries(variants);
  if (round % 2 === 1) order.reverse();
  for (const [name, call] of order) (runs[name] ??= []).push(await measure(call, DURATION_MS));
}
raw.close();
bare.close();
intercepted.close();
server.forceShutdown();
console.log(JSON.stringify({ concurrency: CONCURRENCY, durationMs: DURATION_MS, rounds: ROUNDS, runs }));
