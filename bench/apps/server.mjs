// The start-up benchmark's app: a small ESM HTTP server with named imports that
// makes one outbound fetch per request. Prints "listening <port> <maxRSS KiB>"
// once it can serve, which is where start-up ends.
import { createServer } from 'node:http';

const upstream = process.env.UPSTREAM_URL ?? 'http://127.0.0.1:9';
const server = createServer(async (req, res) => {
  try {
    await (await fetch(upstream)).text();
  } catch {}
  res.end('ok');
});
server.listen(0, '127.0.0.1', () => {
  console.log(`listening ${server.address().port} ${process.resourceUsage().maxRSS}`);
});
