// The public API of "callscope": re-exports only.

export { start, shutdown, flush } from './start.js';
export type { CallscopeOptions, OtlpProtocol, PropagatorName, SamplerName } from './options.js';
export { background, contextMessage, envCarrier, extractCarrier, injectCarrier, onContextMessage, traced, tracedMethod, tracedWorker } from './context/index.js';
export type { BackgroundOptions, ContextMessage, MessageAttributeCarrier, TraceCarrier, TracedOptions } from './context/index.js';
export { markProcessCrashing } from './spans/severity.js';
export { BUILTIN_RULES, type Category, type HostRule } from './spans/rules.js';
export { getLogger, type CallscopeLogger } from './logs/logger.js';
export { withLogContext, type LogFields } from './logs/context.js';
export type { LogFormat, LogsOptions } from './logs/logs-config.js';
export type { LevelName } from './logs/levels.js';
// The ws instrumentation, for apps that assemble their own OpenTelemetry SDK (register enables it by itself).
export { WsInstrumentation } from './instrumentation-ws/instrumentation.js';
export type { MessageSpans, WsInstrumentationConfig } from './instrumentation-ws/types.js';
export type { WsOptions } from './instrumentation-ws/settings.js';
