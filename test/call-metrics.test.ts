// callscope.external.duration as CallMetrics aggregates it: explicit buckets with
// inclusive upper bounds, one series per (service, category, severity, error.type),
// an overflow series past the cardinality limit, cumulative and delta collections.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { HrTime } from '@opentelemetry/api';
import { AggregationTemporality, type DataPoint, type Histogram } from '@opentelemetry/sdk-metrics';
import { CallMetrics } from '../src/spans/call-metrics.ts';

const openai = { service: 'openai', category: 'llm' as const };
const s3 = { service: 'aws.s3', category: 'storage' as const };

function clock(): { now: () => HrTime; advance: (seconds: number) => void } {
  let t = 1_700_000_000;
  return { now: () => [t, 0], advance: (seconds) => (t += seconds) };
}

async function points(metrics: CallMetrics): Promise<DataPoint<Histogram>[]> {
  const { resourceMetrics } = await metrics.collect();
  const all = resourceMetrics.scopeMetrics.flatMap((scope) => scope.metrics);
  assert.ok(all.every((m) => m.descriptor.name === 'callscope.external.duration' && m.descriptor.unit === 's'));
  return all.flatMap((m) => m.dataPoints as DataPoint<Histogram>[]);
}

const find = (list: DataPoint<Histogram>[], attrs: Record<string, unknown>) => list.find((p) => JSON.stringify(p.attributes) === JSON.stringify(attrs));

test('buckets, count, sum, min and max per series; error.type only on failures', async () => {
  const metrics = new CallMetrics();
  assert.deepEqual(await points(metrics), [], 'nothing recorded, nothing reported');
  for (const seconds of [0.001, 0.0011, 0.3, 500]) metrics.record(seconds, openai, 'info', undefined);
  metrics.record(-0.002, openai, 'info', undefined); // a clock step backwards: counted as zero
  metrics.record(0.02, s3, 'error', 'NoSuchKey');
  const list = await points(metrics);
  assert.equal(list.length, 2);
  const ok = find(list, { 'callscope.service.name': 'openai', 'callscope.service.category': 'llm', 'callscope.severity': 'info' })!;
  assert.equal(ok.value.count, 5);
  assert.equal(ok.value.min, 0);
  assert.equal(ok.value.max, 500);
  assert.ok(Math.abs(ok.value.sum! - 500.3021) < 1e-9);
  const { boundaries, counts } = ok.value.buckets;
  assert.equal(counts.length, boundaries.length + 1);
  assert.equal(counts[0], 2, '0 and 0.001 (upper bounds are inclusive)');
  assert.equal(counts[1], 1, '0.0011');
  assert.equal(counts[boundaries.indexOf(0.5)], 1, '0.3');
  assert.equal(counts.at(-1), 1, '500 s is past the last bound');
  const failed = find(list, { 'callscope.service.name': 'aws.s3', 'callscope.service.category': 'storage', 'callscope.severity': 'error', 'error.type': 'NoSuchKey' });
  assert.equal(failed?.value.count, 1);
});

test('cumulative: every collection reports the totals since the start', async () => {
  const time = clock();
  const metrics = new CallMetrics(time.now);
  metrics.record(0.1, openai, 'info', undefined);
  const [first] = await points(metrics);
  time.advance(60);
  metrics.record(0.1, openai, 'info', undefined);
  const [second] = await points(metrics);
  assert.equal(first!.value.count, 1);
  assert.equal(second!.value.count, 2);
  assert.deepEqual(second!.startTime, first!.startTime);
});

test('delta: each collection reports the calls since the previous one; quiet series are left out', async () => {
  const time = clock();
  const metrics = new CallMetrics(time.now);
  metrics.setTemporality(AggregationTemporality.DELTA);
  metrics.record(0.1, openai, 'info', undefined);
  metrics.record(0.1, s3, 'info', undefined);
  time.advance(60);
  const first = await points(metrics);
  assert.equal(first.length, 2);
  time.advance(60);
  metrics.record(0.2, openai, 'info', undefined);
  time.advance(60);
  const second = await points(metrics);
  assert.equal(second.length, 1);
  assert.equal(second[0]!.value.count, 1);
  assert.deepEqual(second[0]!.startTime, first[0]!.endTime, 'a delta period starts where the last one ended');
  assert.deepEqual(await points(metrics), []);
});

test('past 2000 series, calls are counted in one otel.metric.overflow series, none lost', async () => {
  const metrics = new CallMetrics();
  for (let i = 0; i < 2100; i++) metrics.record(0.01, { service: `host-${i}.example`, category: 'http' }, 'info', undefined);
  metrics.record(0.01, { service: 'host-5.example', category: 'http' }, 'info', undefined);
  const list = await points(metrics);
  assert.equal(list.length, 2001);
  assert.equal(find(list, { 'otel.metric.overflow': true })?.value.count, 100);
  assert.equal(list.reduce((sum, p) => sum + p.value.count, 0), 2101);
});
