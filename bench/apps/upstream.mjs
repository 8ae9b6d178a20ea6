// The overhead benchmark's "external API": answers every request with a small JSON body.
import { createServer } from 'node:http';

const server = createServer((req, res) => {
  req.resume();
  res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
});
server.listen(0, '127.0.0.1', () => console.log(`listening ${server.address().port}`));
