import Fastify from 'fastify';

const app = Fastify({ logger: false });
app.get('/', async () => ({ hello: 'world' }));
app.get('/users/:id', async (req) => ({ id: req.params.id }));
await app.listen({ port: Number(process.env.PORT), host: '127.0.0.1' });
console.log('READY');
