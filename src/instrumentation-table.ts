// Which instrumentations callscope knows, as data. Kept apart from the loader so
// that config validation can read the names without loading any of them.
//
// - name: the short name used in OTEL_NODE_ENABLED/DISABLED_INSTRUMENTATIONS.
// - modules: what the instrumentation patches. These are also the only modules
//   the ESM hook intercepts, and (for packages) how we tell whether the app has
//   the library installed at all: no `pg` in node_modules, no pg instrumentation
//   loaded, which is most of why start-up stays fast.
// - builtin: patches a Node core module (always "installed").
// - onByDefault: fs, dns and net are off unless asked for (too noisy).
// - load: returns the instrumentation class. The three that every app uses are
//   imported statically, so the build bundles them; the others are required by
//   package name only when selected, so an app without pg never loads the pg one.

import { createRequire } from 'node:module';
import type { Instrumentation } from '@opentelemetry/instrumentation';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { RuntimeNodeInstrumentation } from '@opentelemetry/instrumentation-runtime-node';
import { UndiciInstrumentation } from '@opentelemetry/instrumentation-undici';
import { WsInstrumentation } from './instrumentation-ws/instrumentation.js';
import { winstonInstrumentation } from './logs/winston-export.js';

export type InstrumentationClass = new (config?: object) => Instrumentation;

export interface InstrumentationSpec {
  name: string;
  modules: string[];
  builtin?: boolean;
  onByDefault: boolean;
  /** On by default only if the app's package.json names one of `modules` (not just node_modules). */
  appMustDeclare?: boolean;
  load(): InstrumentationClass;
}

const requireHere = createRequire(import.meta.url);

/** A loader for an instrumentation kept as its own package (not bundled). */
function fromPackage(packageName: string, className: string): () => InstrumentationClass {
  return () => {
    const Class = (requireHere(packageName) as Record<string, InstrumentationClass | undefined>)[className];
    if (typeof Class !== 'function') throw new Error(`${packageName} has no export ${className}`);
    return Class;
  };
}

export const INSTRUMENTATIONS: readonly InstrumentationSpec[] = [
  { name: 'http', modules: ['http', 'https'], builtin: true, onByDefault: true, load: () => HttpInstrumentation },
  // undici and global fetch report through diagnostics_channel: no module to hook.
  { name: 'undici', modules: [], builtin: true, onByDefault: true, load: () => UndiciInstrumentation },
  { name: 'runtime-node', modules: [], builtin: true, onByDefault: true, load: () => RuntimeNodeInstrumentation },
  {
    name: 'aws-sdk', modules: ['@smithy/smithy-client', '@smithy/middleware-stack', '@smithy/core', '@aws-sdk/smithy-client', '@aws-sdk/middleware-stack'],
    onByDefault: true, load: fromPackage('@opentelemetry/instrumentation-aws-sdk', 'AwsInstrumentation'),
  },
  { name: 'openai', modules: ['openai'], onByDefault: true, load: fromPackage('@opentelemetry/instrumentation-openai', 'OpenAIInstrumentation') },
  // callscope itself depends on winston, so node_modules/winston proves nothing:
  // on by default only when the app's package.json names winston.
  // The upstream instrumentation (trace ids on records), exporting the app's loggers' records through ours.
  { name: 'winston', modules: ['winston'], onByDefault: true, appMustDeclare: true, load: () => winstonInstrumentation(requireHere) },
  { name: 'express', modules: ['express'], onByDefault: true, load: fromPackage('@opentelemetry/instrumentation-express', 'ExpressInstrumentation') },
  { name: 'koa', modules: ['koa'], onByDefault: true, load: fromPackage('@opentelemetry/instrumentation-koa', 'KoaInstrumentation') },
  { name: 'pg', modules: ['pg', 'pg-pool'], onByDefault: true, load: fromPackage('@opentelemetry/instrumentation-pg', 'PgInstrumentation') },
  { name: 'mysql2', modules: ['mysql2'], onByDefault: true, load: fromPackage('@opentelemetry/instrumentation-mysql2', 'MySQL2Instrumentation') },
  { name: 'mongodb', modules: ['mongodb'], onByDefault: true, load: fromPackage('@opentelemetry/instrumentation-mongodb', 'MongoDBInstrumentation') },
  { name: 'ioredis', modules: ['ioredis'], onByDefault: true, load: fromPackage('@opentelemetry/instrumentation-ioredis', 'IORedisInstrumentation') },
  { name: 'redis', modules: ['redis', '@redis/client', '@node-redis/client'], onByDefault: true, load: fromPackage('@opentelemetry/instrumentation-redis', 'RedisInstrumentation') },
  { name: 'socket.io', modules: ['socket.io'], onByDefault: true, load: fromPackage('@opentelemetry/instrumentation-socket.io', 'SocketIoInstrumentation') },
  // callscope's own (src/instrumentation-ws/): bundled, so loaded like the built-in three.
  { name: 'ws', modules: ['ws'], onByDefault: true, load: () => WsInstrumentation },
  { name: 'fs', modules: ['fs', 'fs/promises'], builtin: true, onByDefault: false, load: fromPackage('@opentelemetry/instrumentation-fs', 'FsInstrumentation') },
  { name: 'dns', modules: ['dns', 'dns/promises'], builtin: true, onByDefault: false, load: fromPackage('@opentelemetry/instrumentation-dns', 'DnsInstrumentation') },
  { name: 'net', modules: ['net'], builtin: true, onByDefault: false, load: fromPackage('@opentelemetry/instrumentation-net', 'NetInstrumentation') },
];

export const INSTRUMENTATION_NAMES: readonly string[] = INSTRUMENTATIONS.map((spec) => spec.name);
