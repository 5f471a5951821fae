// The upstream every proxy forwards to: a small JSON GET, a 100 MB download and an upload sink.
import { createServer } from 'node:http';

const JSON_BODY = JSON.stringify({ hello: 'world', items: [1, 2, 3] });
const CHUNK = Buffer.alloc(64 * 1024, 'x');
const BIG_BYTES = 100 * 1024 * 1024;

const server = createServer((req, res) => {
  if (req.url === '/big') {
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(BIG_BYTES) });
    let sent = 0;
    const pump = () => {
      while (sent < BIG_BYTES) {
        sent += CHUNK.length;
        if (!res.write(CHUNK)) return void res.once('drain', pump);
      }
      res.end();
    };
    pump();
    return;
  }
  if (req.url === '/sink') {
    let n = 0;
    req.on('data', (c) => (n += c.length));
    req.on('end', () => res.end(JSON.stringify({ received: n })));
    return;
  }
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(JSON_BODY)) });
  res.end(JSON_BODY);
});
server.keepAliveTimeout = 60_000;
server.listen(Number(process.env.PORT), '127.0.0.1', () => console.log('READY'));
