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

export interface InstrumentationSpec {
  name: string;
  packageName: string;
  className: string;
  modules: string[];
  builtin?: boolean;
  onByDefault: boolean;
}

export const INSTRUMENTATIONS: readonly InstrumentationSpec[] = [
  { name: 'http', packageName: '@opentelemetry/instrumentation-http', className: 'HttpInstrumentation', modules: ['http', 'https'], builtin: true, onByDefault: true },
  // undici and global fetch report through diagnostics_channel: no module to hook.
  { name: 'undici', packageName: '@opentelemetry/instrumentation-undici', className: 'UndiciInstrumentation', modules: [], builtin: true, onByDefault: true },
  { name: 'runtime-node', packageName: '@opentelemetry/instrumentation-runtime-node', className: 'RuntimeNodeInstrumentation', modules: [], builtin: true, onByDefault: true },
  {
    name: 'aws-sdk', packageName: '@opentelemetry/instrumentation-aws-sdk', className: 'AwsInstrumentation',
    modules: ['@smithy/smithy-client', '@smithy/middleware-stack', '@smithy/core', '@aws-sdk/smithy-client', '@aws-sdk/middleware-stack'],
    onByDefault: true,
  },
  { name: 'openai', packageName: '@opentelemetry/instrumentation-openai', className: 'OpenAIInstrumentation', modules: ['openai'], onByDefault: true },
  { name: 'winston', packageName: '@opentelemetry/instrumentation-winston', className: 'WinstonInstrumentation', modules: ['winston'], onByDefault: true },
  { name: 'express', packageName: '@opentelemetry/instrumentation-express', className: 'ExpressInstrumentation', modules: ['express'], onByDefault: true },
  { name: 'koa', packageName: '@opentelemetry/instrumentation-koa', className: 'KoaInstrumentation', modules: ['koa'], onByDefault: true },
  { name: 'pg', packageName: '@opentelemetry/instrumentation-pg', className: 'PgInstrumentation', modules: ['pg', 'pg-pool'], onByDefault: true },
  { name: 'mysql2', packageName: '@opentelemetry/instrumentation-mysql2', className: 'MySQL2Instrumentation', modules: ['mysql2'], onByDefault: true },
  { name: 'mongodb', packageName: '@opentelemetry/instrumentation-mongodb', className: 'MongoDBInstrumentation', modules: ['mongodb'], onByDefault: true },
  { name: 'ioredis', packageName: '@opentelemetry/instrumentation-ioredis', className: 'IORedisInstrumentation', modules: ['ioredis'], onByDefault: true },
  { name: 'redis', packageName: '@opentelemetry/instrumentation-redis', className: 'RedisInstrumentation', modules: ['redis', '@redis/client', '@node-redis/client'], onByDefault: true },
  { name: 'socket.io', packageName: '@opentelemetry/instrumentation-socket.io', className: 'SocketIoInstrumentation', modules: ['socket.io'], onByDefault: true },
  { name: 'fs', packageName: '@opentelemetry/instrumentation-fs', className: 'FsInstrumentation', modules: ['fs', 'fs/promises'], builtin: true, onByDefault: false },
  { name: 'dns', packageName: '@opentelemetry/instrumentation-dns', className: 'DnsInstrumentation', modules: ['dns', 'dns/promises'], builtin: true, onByDefault: false },
  { name: 'net', packageName: '@opentelemetry/instrumentation-net', className: 'NetInstrumentation', modules: ['net'], builtin: true, onByDefault: false },
];

export const INSTRUMENTATION_NAMES: readonly string[] = INSTRUMENTATIONS.map((spec) => spec.name);
