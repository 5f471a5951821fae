// Baseline: bare node:http returning the same JSON for both routes.
import { createServer } from 'node:http';

const server = createServer((req, res) => {
  const url = req.url ?? '/';
  if (url === '/') {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ hello: 'world' }));
    return;
  }
  if (url.startsWith('/users/')) {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ id: url.slice(7) }));
    return;
  }
  res.writeHead(404);
  res.end();
});
server.listen(Number(process.env.PORT), '127.0.0.1', () => console.log('READY'));
