// The servers most fixture tests need: a test OTLP receiver and an upstream
// "external API", started before the file's tests and stopped after them.

import { createServer } from 'node:net';
import { after, before } from 'node:test';
import { OtlpReceiver } from './otlp-receiver.ts';
import { Upstream } from './upstream.ts';

export interface TestServers {
  receiver: OtlpReceiver;
  upstream: Upstream;
}

/** Call at the top level of a test file; the fields are set once `before` has run. */
export function useTestServers(): TestServers {
  const servers = {} as TestServers;
  before(async () => {
    servers.receiver = await new OtlpReceiver().start();
    servers.upstream = await new Upstream().start();
  });
  after(async () => {
    await servers.receiver?.stop();
    await servers.upstream?.stop();
  });
  return servers;
}

/** A loopback port nothing listens on (a connection to it is refused), found by binding port 0 and closing. */
export async function findClosedPort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}
