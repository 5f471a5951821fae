// node-http-proxy 1.18 with a keep-alive agent (its default agent opens a socket per request).
import { Agent, createServer } from 'node:http';
import httpProxy from 'http-proxy';

const proxy = httpProxy.createProxyServer({
  target: process.env.UPSTREAM,
  agent: new Agent({ keepAlive: true, maxSockets: 128 }),
  xfwd: true,
});
proxy.on('error', (_err, _req, res) => {
  if (!res.headersSent) res.writeHead(502);
  res.end();
});
createServer((req, res) => proxy.web(req, res)).listen(Number(process.env.PORT), '127.0.0.1', () =>
  console.log('READY'),
);
process.once('SIGINT', () => process.exit(0));
