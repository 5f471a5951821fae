// Fastify 5 with @fastify/http-proxy (undici underneath), the fastest well-known Node proxy.
import Fastify from 'fastify';
import proxy from '@fastify/http-proxy';

const app = Fastify({ logger: false });
await app.register(proxy, { upstream: process.env.UPSTREAM });
await app.listen({ port: Number(process.env.PORT), host: '127.0.0.1' });
console.log('READY');
