// Test-only: a real gRPC Echo server whose behaviour each request chooses.
import { fileURLToPath } from 'node:url';
import {
  Metadata,
  status,
  type ServerUnaryCall,
  type sendUnaryData,
  type ServerWritableStream,
  type ServerReadableStream,
  type ServerDuplexStream,
} from '@grpc/grpc-js';
import { getIncomingContext } from './call-context.ts';
import { loadProtos } from './proto.ts';
import { RpcServer } from './server.ts';

export const protos = loadProtos(fileURLToPath(new URL('./testdata/echo.proto', import.meta.url)));

interface SayRequest {
  text: string;
  delay_ms: number;
  fail: string;
}

export interface EchoServer {
  server: RpcServer;
  target: string;
  calls: { text: string; traceparent: string; deadline: number; cancelled: boolean }[];
  /** Fails the next `n` calls with `code`. */
  failNext(n: number, code: number): void;
}

export async function startEchoServer(options: { shutdownTimeoutMs?: number } = {}): Promise<EchoServer> {
  const server = new RpcServer({ shutdownTimeoutMs: options.shutdownTimeoutMs ?? 2_000 });
  const calls: EchoServer['calls'] = [];
  let failures = 0;
  let failCode: number = status.UNAVAILABLE;
  server.addService(protos.getService('plumego.test.Echo'), {
    Say(call: ServerUnaryCall<SayRequest, unknown>, callback: sendUnaryData<unknown>) {
      const traceparent = String(call.metadata.get('traceparent')[0] ?? '');
      const ctx = getIncomingContext(call);
      const record = { text: call.request.text, traceparent, deadline: 0, cancelled: false };
      const d = call.getDeadline();
      record.deadline = d instanceof Date ? d.getTime() : Number.isFinite(d) ? d : 0;
      calls.push(record);
      call.on('cancelled', () => (record.cancelled = true));
      if (failures > 0) {
        failures--;
        callback({ code: failCode, details: 'induced failure with internal detail' });
        return;
      }
      if (call.request.fail === 'not_found')
        return callback({ code: status.NOT_FOUND, details: 'no such thing: secret-row-17' });
      if (call.request.fail === 'invalid') return callback({ code: status.INVALID_ARGUMENT, details: 'bad' });
      const reply = {
        text: `echo:${call.request.text}`,
        traceparent: ctx.trace === undefined ? '' : `${ctx.trace.traceId}/${ctx.trace.parentSpanId}`,
        deadline_ms: String(record.deadline),
      };
      if (call.request.delay_ms > 0) setTimeout(() => callback(null, reply), call.request.delay_ms);
      else callback(null, reply);
    },
    Count(call: ServerWritableStream<{ n: number }, unknown>) {
      if (call.request.n === 99) {
        call.write({ text: '1' });
        setTimeout(() => call.emit('error', { code: status.INTERNAL, details: 'stream broke: internal detail' }), 20);
        return;
      }
      for (let i = 1; i <= call.request.n; i++) call.write({ text: String(i) });
      call.end();
    },
    Collect(call: ServerReadableStream<SayRequest, unknown>, callback: sendUnaryData<unknown>) {
      const parts: string[] = [];
      call.on('data', (m: SayRequest) => parts.push(m.text));
      call.on('end', () => callback(null, { text: parts.join('+') }));
    },
    Chat(call: ServerDuplexStream<SayRequest, unknown>) {
      call.on('data', (m: SayRequest) => call.write({ text: m.text.toUpperCase() }));
      call.on('end', () => call.end());
    },
  });
  await server.start();
  return {
    server,
    target: `127.0.0.1:${server.port}`,
    calls,
    failNext(n, code) {
      failures = n;
      failCode = code;
    },
  };
}

export { Metadata };
