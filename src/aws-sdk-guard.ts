// @opentelemetry/instrumentation-aws-sdk 0.79 calls its per-service hooks
// outside any try/catch. Its Bedrock hooks JSON.parse the InvokeModel request
// and response bodies, so a Uint8Array request body (what the AWS examples use)
// or a non-JSON response body makes the app's own `client.send()` throw a
// SyntaxError. Telemetry must never break the call it observes: we decode byte
// bodies before the hook sees them and contain whatever the hooks throw.

type Hook = (...args: unknown[]) => unknown;

interface ServicesExtensions {
  requestPreSpanHook?: Hook;
  requestPostSpanHook?: Hook;
  responseHook?: Hook;
}

interface AwsRequest {
  commandInput?: { body?: unknown };
}

/** What the instrumentation itself uses for a service it has no extension for. */
const NO_METADATA = { isIncoming: false };

export function guardAwsSdkInstrumentation(instance: object): void {
  const extensions = (instance as { servicesExtensions?: ServicesExtensions }).servicesExtensions;
  if (!extensions) return;
  contain(extensions, 'requestPreSpanHook', () => NO_METADATA, (args) => [textBody(args[0] as AwsRequest), ...args.slice(1)]);
  contain(extensions, 'requestPostSpanHook', () => undefined);
  contain(extensions, 'responseHook', () => undefined);
}

function contain(target: ServicesExtensions, name: keyof ServicesExtensions, fallback: () => unknown, prepare = (args: unknown[]) => args): void {
  const original = target[name];
  if (typeof original !== 'function') return;
  target[name] = function (this: unknown, ...args: unknown[]) {
    try {
      return original.apply(this, prepare(args));
    } catch {
      return fallback();
    }
  };
}

/** The same request with a byte body decoded to text (the hook only reads it). */
function textBody(request: AwsRequest): AwsRequest {
  const body = request?.commandInput?.body;
  if (!(body instanceof Uint8Array)) return request;
  return { ...request, commandInput: { ...request.commandInput, body: new TextDecoder().decode(body) } };
}
