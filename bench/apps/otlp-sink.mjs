// The overhead benchmark's collector stand-in: accepts every OTLP export and discards it.
// Its own process, so its work does not slow the load generator.
import { createServer } from 'node:http';

const server = createServer((req, res) => {
  req.resume();
  req.on('end', () => res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end());
});
server.listen(0, '127.0.0.1', () => console.log(`listening ${server.address().port}`));
