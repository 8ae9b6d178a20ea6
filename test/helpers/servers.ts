// The servers most fixture tests need: a test OTLP receiver and an upstream
// "external API", started before the file's tests and stopped after them.

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
