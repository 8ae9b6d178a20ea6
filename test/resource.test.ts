// AWS detection only where the environment shows AWS (no probes elsewhere),
// and X-Ray-compatible trace ids.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { awsDetectorNames } from '../src/resource.ts';
import { XRayIdGenerator } from '../src/xray-id-generator.ts';

describe('AWS detector selection', () => {
  const noFiles = () => undefined;
  test('nothing off AWS', () => {
    assert.deepEqual(awsDetectorNames({ HOME: '/root', KUBERNETES_SERVICE_HOST: '10.0.0.1' }, noFiles), []);
  });
  test('Lambda, ECS, EKS and EC2 from their local signals', () => {
    assert.deepEqual(awsDetectorNames({ AWS_LAMBDA_FUNCTION_NAME: 'fn' }, noFiles), ['awsLambdaDetector']);
    assert.deepEqual(awsDetectorNames({ ECS_CONTAINER_METADATA_URI_V4: 'http://169.254.170.2/v4/x' }, noFiles), ['awsEcsDetector']);
    assert.deepEqual(awsDetectorNames({ KUBERNETES_SERVICE_HOST: '10.0.0.1', AWS_REGION: 'eu-west-1' }, noFiles), ['awsEksDetector']);
    assert.deepEqual(awsDetectorNames({}, (path) => (path.endsWith('sys_vendor') ? 'Amazon EC2' : undefined)), ['awsEc2Detector']);
    assert.deepEqual(awsDetectorNames({}, (path) => (path === '/sys/hypervisor/uuid' ? 'ec2e1916-9099-7caf-fd21-012345abcdef' : undefined)), ['awsEc2Detector']);
  });
});

describe('XRayIdGenerator', () => {
  test('trace ids start with the current epoch second; ids are valid hex of the right length', () => {
    const ids = new XRayIdGenerator();
    const before = Math.floor(Date.now() / 1000);
    const seen = new Set<string>();
    for (let i = 0; i < 5000; i++) {
      const traceId = ids.generateTraceId();
      const spanId = ids.generateSpanId();
      assert.match(traceId, /^[0-9a-f]{32}$/);
      assert.match(spanId, /^[0-9a-f]{16}$/);
      const seconds = parseInt(traceId.slice(0, 8), 16);
      assert.ok(seconds >= before && seconds <= Math.floor(Date.now() / 1000));
      seen.add(traceId);
    }
    assert.equal(seen.size, 5000, 'no repeats');
  });
});
