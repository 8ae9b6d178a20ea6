// The resource every span, metric and log carries: our resolved attributes
// (service.name etc.) over host/os/process facts. AWS detectors run only when
// the environment shows we are on AWS, so nobody elsewhere waits for a metadata
// probe that can only time out; GCP/Azure detectors are not shipped at all.

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import {
  type Resource,
  type ResourceDetector,
  defaultResource,
  detectResources,
  hostDetector,
  osDetector,
  processDetector,
  resourceFromAttributes,
} from '@opentelemetry/resources';
import type { Config } from './config.js';
import type { Env } from './env.js';

const requireHere = createRequire(import.meta.url);

export function buildResource(config: Config): Resource {
  const detectors: ResourceDetector[] = [hostDetector, osDetector, processDetector, ...awsDetectors(process.env)];
  // telemetry.sdk.* first, then what was detected, then ours (later wins).
  return defaultResource().merge(detectResources({ detectors })).merge(resourceFromAttributes(config.resourceAttributes));
}

/** Names of the AWS detectors that apply here, from cheap local signals only. */
export function awsDetectorNames(env: Env, readText: (path: string) => string | undefined = readSmallFile): string[] {
  if (env.AWS_LAMBDA_FUNCTION_NAME) return ['awsLambdaDetector'];
  if (env.ECS_CONTAINER_METADATA_URI_V4 || env.ECS_CONTAINER_METADATA_URI) return ['awsEcsDetector'];
  const names: string[] = [];
  if (env.KUBERNETES_SERVICE_HOST && (env.AWS_REGION || env.AWS_WEB_IDENTITY_TOKEN_FILE)) names.push('awsEksDetector');
  // EC2 (and EKS on EC2): the hypervisor says so in DMI, no network needed.
  const vendor = readText('/sys/devices/virtual/dmi/id/sys_vendor') ?? '';
  const uuid = readText('/sys/hypervisor/uuid') ?? '';
  if (/amazon/i.test(vendor) || uuid.startsWith('ec2')) names.push('awsEc2Detector');
  return names;
}

function awsDetectors(env: Env): ResourceDetector[] {
  const names = awsDetectorNames(env);
  if (names.length === 0) return [];
  const aws = requireHere('@opentelemetry/resource-detector-aws') as Record<string, ResourceDetector>;
  return names.map((name) => aws[name]).filter((detector): detector is ResourceDetector => detector !== undefined);
}

function readSmallFile(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch {
    return undefined;
  }
}
