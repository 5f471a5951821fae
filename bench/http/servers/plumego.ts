// Plumego bare (BENCH_STACK unset), with the canonical middleware stack (BENCH_STACK=canonical), or
// with the canonical stack plus rate limiting and compression (BENCH_STACK=full) in the
// production-service order.
import { createFileOutput } from 'plumego/log';
import { buildBenchApp } from './plumego-app.ts';

// Access log to /dev/null through the recommended file output (batched lines, one write(2) per
// batch): the formatting and the write cost are real, the disk is not.
const app = buildBenchApp(
  process.env.BENCH_STACK,
  process.env.BENCH_LOG === 'none' ? { write() {} } : createFileOutput('/dev/null'),
  `127.0.0.1:${process.env.PORT ?? '3000'}`,
);
await app.listen();
console.log('READY');
process.once('SIGINT', () => process.exit(0)); // lets --cpu-prof write its profile
