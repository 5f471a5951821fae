// Plumego app whose routes forward to the upstream through x/gateway.
import { createApp } from 'plumego';
import { createProxy } from 'plumego/x/gateway';

const proxy = createProxy({ targets: [process.env.UPSTREAM!], retries: 0 });
const app = createApp({ addr: `127.0.0.1:${process.env.PORT ?? '3000'}` });
app.any('/', proxy.handler);
app.any('/*path', proxy.handler);
await app.listen();
console.log('READY');
process.once('SIGINT', () => process.exit(0));
