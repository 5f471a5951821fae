// Fastify 5 with the plugins a production service typically adds — the counterpart of
// plumego.ts with BENCH_STACK=full: security headers (helmet), CORS, rate limit, compression, and
// a JSON request log (pino, Fastify's own logger) to /dev/null. The rate limit is high enough
// that no request is refused; the responses are too small to compress (as on the Plumego side).
import compress from '@fastify/compress';
import cors from '@fastify/cors';
import helmet from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
import Fastify from 'fastify';

// Fastify's logger is pino; `file` makes it a pino.destination (sonic-boom) on that path.
const app = Fastify({ logger: { level: 'info', file: '/dev/null' } });
await app.register(helmet);
await app.register(cors, { origin: '*' });
await app.register(rateLimit, { max: 1e9, timeWindow: 1000 });
await app.register(compress);
app.get('/', async () => ({ hello: 'world' }));
app.get('/users/:id', async (req) => ({ id: req.params.id }));
await app.listen({ port: Number(process.env.PORT), host: '127.0.0.1' });
console.log('READY');
