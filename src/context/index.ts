// The context helpers, for src/index.ts to re-export.
export { background, type BackgroundOptions } from './background.js';
export { type MessageAttributeCarrier, type TraceCarrier, envCarrier, extractCarrier, injectCarrier } from './carrier.js';
export { traced, tracedMethod, type TracedOptions } from './traced.js';
export { type ContextMessage, contextMessage, onContextMessage, tracedWorker } from './worker.js';
