// Everything `start(options)` accepts, in one place. Where a standard
// OpenTelemetry environment variable covers the same setting, the variable
// wins over the option (so operators can change a deployed app without a code
// change); each field names the variable that overrides it.

import type { WsOptions } from './instrumentation-ws/settings.js';
import type { LogsOptions } from './logs/logs-config.js';
import type { SpansOptions } from './spans/spans-config.js';

export type OtlpProtocol = 'http/protobuf' | 'http/json';

export type SamplerName =
  | 'always_on'
  | 'always_off'
  | 'traceidratio'
  | 'parentbased_always_on'
  | 'parentbased_always_off'
  | 'parentbased_traceidratio';

export type PropagatorName = 'tracecontext' | 'baggage' | 'xray' | 'none';

/** Also: services, slowMs, redact (external calls, see SpansOptions). */
export interface CallscopeOptions extends SpansOptions {
  /** service.name. Overridden by OTEL_SERVICE_NAME, then OTEL_RESOURCE_ATTRIBUTES. Default: the app's package.json name. */
  serviceName?: string;
  /** service.version. Overridden by OTEL_RESOURCE_ATTRIBUTES. Default: the app's package.json version. */
  serviceVersion?: string;
  /** deployment.environment.name. Overridden by OTEL_RESOURCE_ATTRIBUTES. Default: NODE_ENV when set. */
  environment?: string;
  /** Extra resource attributes. OTEL_RESOURCE_ATTRIBUTES entries win over these. */
  resourceAttributes?: Record<string, string>;

  /** Base OTLP/HTTP endpoint; /v1/traces etc. are appended. Overridden by OTEL_EXPORTER_OTLP_ENDPOINT. Default http://localhost:4318. */
  endpoint?: string;
  /** Wire format. Overridden by OTEL_EXPORTER_OTLP_PROTOCOL (and the per-signal forms). Default http/protobuf. */
  protocol?: OtlpProtocol;
  /** Headers sent with every export (e.g. an API key). OTEL_EXPORTER_OTLP_HEADERS entries win over these. */
  headers?: Record<string, string>;

  /** Sampler. Overridden by OTEL_TRACES_SAMPLER. Default parentbased_always_on. */
  sampler?: SamplerName;
  /** Ratio for the *traceidratio samplers, 0..1. Overridden by OTEL_TRACES_SAMPLER_ARG. Default 1. */
  samplerRatio?: number;
  /** Propagators. Overridden by OTEL_PROPAGATORS. Default tracecontext, baggage. */
  propagators?: PropagatorName[];

  /**
   * Instrumentations to turn on, by short name ('http', 'undici', 'aws-sdk', 'fs', …).
   * Replaces the default set. Overridden by OTEL_NODE_ENABLED_INSTRUMENTATIONS.
   */
  enabledInstrumentations?: string[];
  /** Instrumentations to turn off. Overridden by OTEL_NODE_DISABLED_INSTRUMENTATIONS. */
  disabledInstrumentations?: string[];
  /** The ws (WebSocket) instrumentation: message spans all/none/ratio, send spans. */
  ws?: WsOptions;

  /** Logging: minimum level (per logger too), output format, the console bridge, span events. */
  logs?: LogsOptions;

  /** How long shutdown may spend flushing, in ms. Overridden by CALLSCOPE_SHUTDOWN_TIMEOUT_MS. Default 5000. */
  shutdownTimeoutMs?: number;
  /** 'tree': print each finished trace as a tree on stderr (development). Overridden by CALLSCOPE_CONSOLE_TRACES. Default 'off'. */
  consoleTraces?: 'tree' | 'off';
  /** How often metrics are exported, in ms. Overridden by OTEL_METRIC_EXPORT_INTERVAL. Default 60000. */
  metricExportIntervalMs?: number;
}
