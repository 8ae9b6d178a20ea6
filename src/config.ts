// env + options -> one validated Config. Never throws: every bad value becomes a
// warning (variable, bad part, value used instead) and a sane default.

import { findAppPackage } from './app-package.js';
import { type Env, Warnings, firstSet, readBoolean, readChoice, readKeyValueList, readList, readNumber, readUrl } from './env.js';
import { INSTRUMENTATION_NAMES } from './instrumentation-table.js';
import { type LogsSettings, resolveLogsSettings } from './logs/logs-config.js';
import { type WsSettings, resolveWsSettings } from './instrumentation-ws/settings.js';
import type { CallscopeOptions, OtlpProtocol, PropagatorName, SamplerName } from './options.js';
import { type SpansSettings, resolveSpansSettings } from './spans/spans-config.js';

export const DEFAULT_ENDPOINT = 'http://localhost:4318';

export type Signal = 'traces' | 'metrics' | 'logs';

export interface ExportTarget {
  url: string;
  protocol: OtlpProtocol;
  headers: Record<string, string>;
  timeoutMs: number;
}

export interface BatchSettings {
  scheduledDelayMillis: number;
  exportTimeoutMillis: number;
  maxQueueSize: number;
  maxExportBatchSize: number;
}

export type DiagLevelName = 'none' | 'error' | 'warn' | 'info' | 'debug' | 'verbose' | 'all';

export interface Config {
  /** OTEL_SDK_DISABLED=true: register and start() do nothing. */
  disabled: boolean;
  serviceName: string;
  resourceAttributes: Record<string, string>;
  export: Record<Signal, ExportTarget>;
  sampler: SamplerName;
  samplerRatio: number;
  propagators: PropagatorName[];
  /** Explicitly enabled instrumentations (forced on even if their module is not found), or undefined for the defaults. */
  enabledInstrumentations: string[] | undefined;
  disabledInstrumentations: string[];
  /** The ws instrumentation: CALLSCOPE_WS_MESSAGE_SPANS, CALLSCOPE_WS_SEND_SPANS. */
  ws: WsSettings;
  /** External calls: CALLSCOPE_SERVICES(_FILE), CALLSCOPE_SLOW_MS, CALLSCOPE_REDACT. */
  spans: SpansSettings;
  /** Logging: CALLSCOPE_LOG_LEVEL (LOG_LEVEL), CALLSCOPE_LOG_FORMAT, CALLSCOPE_CONSOLE, CALLSCOPE_LOG_SPAN_EVENTS. */
  logs: LogsSettings;
  spanBatch: BatchSettings;
  logBatch: BatchSettings;
  metricExportIntervalMs: number;
  shutdownTimeoutMs: number;
  /** CALLSCOPE_CONSOLE_TRACES: print each finished trace as a tree on stderr. */
  consoleTraces: 'tree' | 'off';
  diagLevel: DiagLevelName;
  /** True when OTEL_LOG_LEVEL was set: the user asked for OpenTelemetry's own diagnostics. */
  diagRequested: boolean;
  warnings: string[];
}

const SAMPLERS: readonly SamplerName[] = [
  'always_on', 'always_off', 'traceidratio', 'parentbased_always_on', 'parentbased_always_off', 'parentbased_traceidratio',
];
const PROPAGATORS: readonly PropagatorName[] = ['tracecontext', 'baggage', 'xray', 'none'];
const PROTOCOLS: readonly OtlpProtocol[] = ['http/protobuf', 'http/json'];
const DIAG_LEVELS: readonly DiagLevelName[] = ['none', 'error', 'warn', 'info', 'debug', 'verbose', 'all'];

export function resolveConfig(options: CallscopeOptions = {}, env: Env = process.env): Config {
  const warnings = new Warnings();
  const disabled = readBoolean(warnings, 'OTEL_SDK_DISABLED', env.OTEL_SDK_DISABLED, false);
  const diag = firstSet(env, 'OTEL_LOG_LEVEL');
  const diagLevel = readChoice(warnings, 'OTEL_LOG_LEVEL', diag?.value, DIAG_LEVELS, 'info');

  const resourceAttributes = resolveResource(options, env, warnings);
  const serviceName = resourceAttributes['service.name'] ?? 'unknown_service:node';

  const sampler = readChoice(warnings, 'OTEL_TRACES_SAMPLER', env.OTEL_TRACES_SAMPLER ?? options.sampler, SAMPLERS, 'parentbased_always_on');
  const samplerRatio = resolveRatio(options, env, warnings);

  const propagators = resolvePropagators(options, env, warnings);
  const enabled = resolveInstrumentationList(warnings, 'OTEL_NODE_ENABLED_INSTRUMENTATIONS', env, options.enabledInstrumentations);
  const disabledList = resolveInstrumentationList(warnings, 'OTEL_NODE_DISABLED_INSTRUMENTATIONS', env, options.disabledInstrumentations) ?? [];

  return {
    disabled,
    serviceName,
    resourceAttributes,
    export: {
      traces: resolveExport('traces', options, env, warnings),
      metrics: resolveExport('metrics', options, env, warnings),
      logs: resolveExport('logs', options, env, warnings),
    },
    sampler,
    samplerRatio,
    propagators,
    enabledInstrumentations: enabled,
    disabledInstrumentations: disabledList,
    ws: resolveWsSettings(options.ws, env, warnings),
    spans: resolveSpansSettings(options, env, warnings),
    logs: resolveLogsSettings(options.logs, env, warnings),
    spanBatch: resolveBatch('OTEL_BSP', env, warnings, { delay: 5000, timeout: 30000, queue: 2048, batch: 512 }),
    logBatch: resolveBatch('OTEL_BLRP', env, warnings, { delay: 1000, timeout: 30000, queue: 2048, batch: 512 }),
    metricExportIntervalMs: readNumber(warnings, env.OTEL_METRIC_EXPORT_INTERVAL ? 'OTEL_METRIC_EXPORT_INTERVAL' : 'metricExportIntervalMs',
      env.OTEL_METRIC_EXPORT_INTERVAL ?? options.metricExportIntervalMs, 60000, { min: 1 }),
    shutdownTimeoutMs: readNumber(warnings, env.CALLSCOPE_SHUTDOWN_TIMEOUT_MS ? 'CALLSCOPE_SHUTDOWN_TIMEOUT_MS' : 'shutdownTimeoutMs',
      env.CALLSCOPE_SHUTDOWN_TIMEOUT_MS ?? options.shutdownTimeoutMs, 5000, { min: 0 }),
    consoleTraces: readChoice(warnings, env.CALLSCOPE_CONSOLE_TRACES !== undefined ? 'CALLSCOPE_CONSOLE_TRACES' : 'consoleTraces',
      env.CALLSCOPE_CONSOLE_TRACES ?? options.consoleTraces, ['tree', 'off'] as const, 'off'),
    diagLevel,
    diagRequested: diag !== undefined,
    warnings: warnings.messages,
  };
}

function resolveResource(options: CallscopeOptions, env: Env, warnings: Warnings): Record<string, string> {
  const app = findAppPackage();
  const attributes: Record<string, string> = {};
  const set = (key: string, value: string | undefined) => {
    if (value !== undefined && value !== '') attributes[key] = value;
  };
  set('service.name', app?.name);
  set('service.version', app?.version);
  set('deployment.environment.name', env.NODE_ENV);
  for (const [key, value] of Object.entries(options.resourceAttributes ?? {})) set(key, String(value));
  set('service.name', options.serviceName);
  set('service.version', options.serviceVersion);
  set('deployment.environment.name', options.environment);
  Object.assign(attributes, readKeyValueList(warnings, 'OTEL_RESOURCE_ATTRIBUTES', env.OTEL_RESOURCE_ATTRIBUTES));
  set('service.name', env.OTEL_SERVICE_NAME?.trim());
  return attributes;
}

function resolveRatio(options: CallscopeOptions, env: Env, warnings: Warnings): number {
  const name = env.OTEL_TRACES_SAMPLER_ARG !== undefined ? 'OTEL_TRACES_SAMPLER_ARG' : 'samplerRatio';
  const ratio = readNumber(warnings, name, env.OTEL_TRACES_SAMPLER_ARG ?? options.samplerRatio, 1, { integer: false });
  if (ratio > 1) {
    warnings.add(name, `${ratio} is above 1`, '1');
    return 1;
  }
  return ratio;
}

function resolvePropagators(options: CallscopeOptions, env: Env, warnings: Warnings): PropagatorName[] {
  const fromEnv = env.OTEL_PROPAGATORS !== undefined;
  const names = fromEnv ? readList(env.OTEL_PROPAGATORS) : options.propagators ?? ['tracecontext', 'baggage'];
  const valid: PropagatorName[] = [];
  for (const name of names) {
    const lower = name.toLowerCase() as PropagatorName;
    if (PROPAGATORS.includes(lower)) valid.push(lower);
    else warnings.add(fromEnv ? 'OTEL_PROPAGATORS' : 'propagators', `${JSON.stringify(name)} is not supported (${PROPAGATORS.join(', ')})`, 'the others');
  }
  return valid.includes('none') ? [] : valid;
}

function resolveInstrumentationList(warnings: Warnings, variable: string, env: Env, fromOptions: string[] | undefined): string[] | undefined {
  const raw = env[variable];
  const names = raw !== undefined ? readList(raw) : fromOptions;
  if (names === undefined) return undefined;
  const known: string[] = [];
  for (const name of names) {
    // Accept the full package name too: @opentelemetry/instrumentation-http -> http.
    const short = name.replace(/^@opentelemetry\/instrumentation-/, '').toLowerCase();
    if (INSTRUMENTATION_NAMES.includes(short)) known.push(short);
    else warnings.add(raw !== undefined ? variable : 'instrumentations', `unknown instrumentation ${JSON.stringify(name)} (known: ${INSTRUMENTATION_NAMES.join(', ')})`, 'the others');
  }
  return known;
}

function resolveExport(signal: Signal, options: CallscopeOptions, env: Env, warnings: Warnings): ExportTarget {
  const upper = signal.toUpperCase();
  const path = `/v1/${signal}`;
  let url = DEFAULT_ENDPOINT + path;

  const base = env.OTEL_EXPORTER_OTLP_ENDPOINT !== undefined
    ? { name: 'OTEL_EXPORTER_OTLP_ENDPOINT', value: env.OTEL_EXPORTER_OTLP_ENDPOINT.trim() }
    : options.endpoint !== undefined ? { name: 'endpoint', value: options.endpoint } : undefined;
  if (base) {
    const parsed = readUrl(warnings, base.name, base.value, DEFAULT_ENDPOINT);
    if (parsed) url = parsed.href.replace(/\/+$/, '') + path;
  }
  const specific = firstSet(env, `OTEL_EXPORTER_OTLP_${upper}_ENDPOINT`);
  if (specific) {
    // The per-signal endpoint is used exactly as given (OTLP spec): no path is appended.
    const parsed = readUrl(warnings, specific.name, specific.value, url);
    if (parsed) url = parsed.href;
  }

  const protocolVar = firstSet(env, `OTEL_EXPORTER_OTLP_${upper}_PROTOCOL`, 'OTEL_EXPORTER_OTLP_PROTOCOL');
  let protocol: OtlpProtocol = options.protocol ?? 'http/protobuf';
  if (protocolVar) {
    if (protocolVar.value === 'grpc') {
      warnings.add(protocolVar.name, 'grpc is not shipped (it adds ~100 ms to start-up); send OTLP/HTTP to port 4318', 'http/protobuf');
      protocol = 'http/protobuf';
    } else {
      protocol = readChoice(warnings, protocolVar.name, protocolVar.value, PROTOCOLS, 'http/protobuf');
    }
  }

  const headers: Record<string, string> = { ...(options.headers ?? {}) };
  Object.assign(headers, readKeyValueList(warnings, 'OTEL_EXPORTER_OTLP_HEADERS', env.OTEL_EXPORTER_OTLP_HEADERS));
  const signalHeaders = `OTEL_EXPORTER_OTLP_${upper}_HEADERS`;
  Object.assign(headers, readKeyValueList(warnings, signalHeaders, env[signalHeaders]));

  const timeoutVar = firstSet(env, `OTEL_EXPORTER_OTLP_${upper}_TIMEOUT`, 'OTEL_EXPORTER_OTLP_TIMEOUT');
  const timeoutMs = readNumber(warnings, timeoutVar?.name ?? 'OTEL_EXPORTER_OTLP_TIMEOUT', timeoutVar?.value, 10000, { min: 1 });

  return { url, protocol, headers, timeoutMs };
}

function resolveBatch(
  prefix: 'OTEL_BSP' | 'OTEL_BLRP',
  env: Env,
  warnings: Warnings,
  defaults: { delay: number; timeout: number; queue: number; batch: number },
): BatchSettings {
  const read = (suffix: string, fallback: number, min: number) =>
    readNumber(warnings, `${prefix}_${suffix}`, env[`${prefix}_${suffix}`], fallback, { min });
  const maxQueueSize = read('MAX_QUEUE_SIZE', defaults.queue, 1);
  let maxExportBatchSize = read('MAX_EXPORT_BATCH_SIZE', defaults.batch, 1);
  if (maxExportBatchSize > maxQueueSize) {
    warnings.add(`${prefix}_MAX_EXPORT_BATCH_SIZE`, `${maxExportBatchSize} is larger than ${prefix}_MAX_QUEUE_SIZE`, String(maxQueueSize));
    maxExportBatchSize = maxQueueSize;
  }
  return {
    scheduledDelayMillis: read('SCHEDULE_DELAY', defaults.delay, 0),
    exportTimeoutMillis: read('EXPORT_TIMEOUT', defaults.timeout, 1),
    maxQueueSize,
    maxExportBatchSize,
  };
}
