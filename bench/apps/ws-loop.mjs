// The ws echo server and its 50 closed-loop clients in one process, on one
// thread: no scheduler between client and server, so the CPU time per round
// trip repeats within a few percent from run to run, where the two-process
// throughput moves by 10% with the neighbours' load. The clients speak raw TCP
// (a handshake, then one pre-masked frame each) so that client-side work is small
// and the same in every variant; what differs between variants is the server's
// telemetry, measured on real sockets (an in-process fake socket misses the costs
// that only show on them — see bench/results/ws.md).
// Usage: node [--import callscope/register] bench/apps/ws-loop.mjs [seconds=4] [warm-up seconds=2]
// Prints {"rate": round trips/s, "usPerMsg": CPU µs per round trip (client + server)}.
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { connect } from 'node:net';
import { Sender, WebSocketServer } from 'ws';

const seconds = Number(process.argv[2] ?? 4);
const warmup = Number(process.argv[3] ?? 2);
const CLIENTS = 50;

const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
wss.on('connection', (ws) => {
  ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary }));
});
await once(wss, 'listening');
const { port } = wss.address();

const payload = Buffer.from(JSON.stringify({ type: 'chat', text: 'hello there' }));
// One masked text frame (clients must mask), built by ws itself and sent again and again.
const frame = Buffer.concat(Sender.frame(payload, { fin: true, rsv1: false, opcode: 1, mask: true, maskKey: randomBytes(4), readOnly: false }));
const replyLength = 2 + payload.length; // server frames are unmasked

let replies = 0;
let stopped = false;
async function client() {
  const socket = connect(port, '127.0.0.1');
  await once(socket, 'connect');
  socket.setNoDelay(true);
  socket.write(`GET /chat HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\nSec-WebSocket-Version: 13\r\n\r\n`);
  let head = '';
  await new Promise((resolve) => {
    const onHead = (chunk) => {
      head += chunk.toString('latin1');
      if (!head.includes('\r\n\r\n')) return;
      socket.off('data', onHead);
      if (!head.startsWith('HTTP/1.1 101')) throw new Error(`handshake failed: ${head.split('\r\n')[0]}`);
      resolve();
    };
    socket.on('data', onHead);
  });
  let pending = 0;
  socket.on('data', (chunk) => {
    pending += chunk.length;
    while (pending >= replyLength) {
      pending -= replyLength;
      replies++;
      if (!stopped) socket.write(frame);
    }
  });
  socket.write(frame);
  return socket;
}

const sockets = await Promise.all(Array.from({ length: CLIENTS }, client));
await new Promise((resolve) => setTimeout(resolve, warmup * 1000));
const cpuBefore = process.cpuUsage();
const countBefore = replies;
const started = performance.now();
await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
const cpu = process.cpuUsage(cpuBefore);
const count = replies - countBefore;
const elapsed = (performance.now() - started) / 1000;
stopped = true;
for (const socket of sockets) socket.destroy();
process.stdout.write(`${JSON.stringify({ rate: Math.round(count / elapsed), usPerMsg: (cpu.user + cpu.system) / count })}\n`);
process.exit(0);
