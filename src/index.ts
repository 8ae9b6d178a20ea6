// The public API of "callscope": re-exports only.

export { start, shutdown, flush } from './start.js';
export type { CallscopeOptions, OtlpProtocol, PropagatorName, SamplerName } from './options.js';
