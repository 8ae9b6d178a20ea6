// Builds and starts the OpenTelemetry SDK from a Config: providers for traces,
// metrics and logs, their exporters, the global context manager and propagator,
// and the instrumentations. Returns a handle to flush and shut it all down.

import { type TextMapPropagator, context, metrics, propagation, trace } from '@opentelemetry/api';
import { logs } from '@opentelemetry/api';
import { CompositePropagator, W3CBaggagePropagator, W3CTraceContextPropagator } from '@opentelemetry/core';
import { type Instrumentation, registerInstrumentations } from '@opentelemetry/instrumentation';
import { AWSXRayPropagator } from '@opentelemetry/propagator-aws-xray';
import { BatchLogRecordProcessor, LoggerProvider } from '@opentelemetry/sdk-logs';
import { InstrumentType, MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import {
  AlwaysOffSampler,
  AlwaysOnSampler,
  BatchSpanProcessor,
  ParentBasedSampler,
  type Sampler,
  TraceIdRatioBasedSampler,
  TracerProvider,
} from '@opentelemetry/sdk-trace';
import type { Config } from './config.js';
import { ConsoleTreeProcessor } from './console-traces.js';
import { EnvContextManager } from './context/carrier.js';
import { installChildProcessCarrier } from './context/child-process.js';
import { OutageReporter, createLogExporter, createMetricExporter, createSpanExporter } from './exporters.js';
import { logSpanProcessors } from './logs/install.js';
import { buildResource } from './resource.js';
import { CallMetrics } from './spans/call-metrics.js';
import { callLogProcessors, callSpanProcessors, recordOutbound } from './spans/pipeline.js';
import { XRayIdGenerator } from './xray-id-generator.js';

export interface Sdk {
  tracerProvider: TracerProvider;
  meterProvider: MeterProvider;
  loggerProvider: LoggerProvider;
  forceFlush(): Promise<void>;
  shutdown(): Promise<void>;
}

export function startSdk(config: Config, instrumentations: Instrumentation[]): Sdk {
  const resource = buildResource(config);
  const outages = new OutageReporter();

  // callscope.external.duration is aggregated by CallMetrics itself (cheaper per call than an SDK histogram) and collected through the reader.
  const callMetrics = new CallMetrics();
  const metricReader = new PeriodicExportingMetricReader({
    exporter: createMetricExporter(config.export.metrics, outages),
    exportIntervalMillis: config.metricExportIntervalMs,
    exportTimeoutMillis: Math.min(config.export.metrics.timeoutMs, config.metricExportIntervalMs),
    metricProducers: [callMetrics],
  });
  callMetrics.setTemporality(metricReader.selectAggregationTemporality(InstrumentType.HISTOGRAM));
  const meterProvider = new MeterProvider({ resource, readers: [metricReader] });
  const tracerProvider = new TracerProvider({
    resource,
    // Record-only spans for unsampled traces, so call metrics count every call.
    sampler: recordOutbound(buildSampler(config)),
    idGenerator: new XRayIdGenerator(),
    spanProcessors: [
      ...logSpanProcessors(),
      ...callSpanProcessors(config.spans, callMetrics),
      ...(config.consoleTraces === 'tree' ? [new ConsoleTreeProcessor()] : []),
      new BatchSpanProcessor({ exporter: createSpanExporter(config.export.traces, outages), ...config.spanBatch }),
    ],
  });
  const loggerProvider = new LoggerProvider({
    resource,
    processors: [...callLogProcessors(config.spans), new BatchLogRecordProcessor({ exporter: createLogExporter(config.export.logs, outages), ...config.logBatch })],
  });

  // TRACEPARENT in the environment (a traced parent started us) becomes the base context.
  context.setGlobalContextManager(new EnvContextManager().enable());
  const uninstallCarrier = installChildProcessCarrier();
  propagation.setGlobalPropagator(buildPropagator(config));
  trace.setGlobalTracerProvider(tracerProvider);
  metrics.setGlobalMeterProvider(meterProvider);
  logs.setGlobalLoggerProvider(loggerProvider);
  const unregister = registerInstrumentations({ instrumentations, tracerProvider, meterProvider, loggerProvider });

  type Provider = { forceFlush(): Promise<void>; shutdown(): Promise<void> };
  const all = (fn: (provider: Provider) => Promise<void>) =>
    Promise.allSettled([fn(tracerProvider), fn(meterProvider), fn(loggerProvider)]).then(() => undefined);

  return {
    tracerProvider,
    meterProvider,
    loggerProvider,
    forceFlush: () => all((provider) => provider.forceFlush()),
    shutdown: async () => {
      unregister();
      uninstallCarrier();
      await all((provider) => provider.shutdown());
      trace.disable();
      metrics.disable();
      logs.disable();
      propagation.disable();
      context.disable();
    },
  };
}

function buildSampler(config: Config): Sampler {
  switch (config.sampler) {
    case 'always_on':
      return new AlwaysOnSampler();
    case 'always_off':
      return new AlwaysOffSampler();
    case 'traceidratio':
      return new TraceIdRatioBasedSampler(config.samplerRatio);
    case 'parentbased_always_off':
      return new ParentBasedSampler({ root: new AlwaysOffSampler() });
    case 'parentbased_traceidratio':
      return new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(config.samplerRatio) });
    case 'parentbased_always_on':
      return new ParentBasedSampler({ root: new AlwaysOnSampler() });
  }
}

function buildPropagator(config: Config): TextMapPropagator {
  const propagators: TextMapPropagator[] = [];
  for (const name of config.propagators) {
    if (name === 'tracecontext') propagators.push(new W3CTraceContextPropagator());
    else if (name === 'baggage') propagators.push(new W3CBaggagePropagator());
    else if (name === 'xray') propagators.push(new AWSXRayPropagator());
  }
  return new CompositePropagator({ propagators });
}
