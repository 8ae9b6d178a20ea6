// Trace ids whose first 4 bytes are the current epoch second. They are ordinary
// random W3C trace ids to Jaeger, and AWS X-Ray accepts them (it rejects trace
// ids whose time prefix is not recent). Written here rather than depending on
// @opentelemetry/id-generator-aws-xray, which pulls in the 2.x SDK.

import { randomFillSync } from 'node:crypto';
import type { IdGenerator } from '@opentelemetry/sdk-trace';

const POOL_BYTES = 4096;

export class XRayIdGenerator implements IdGenerator {
  // Random bytes are drawn in blocks: one syscall per ~400 spans, not per id.
  private readonly pool = Buffer.alloc(POOL_BYTES);
  private offset = POOL_BYTES;

  generateTraceId(): string {
    const seconds = Math.floor(Date.now() / 1000).toString(16).padStart(8, '0');
    return seconds + this.randomHex(12);
  }

  generateSpanId(): string {
    return this.randomHex(8);
  }

  private randomHex(bytes: number): string {
    for (;;) {
      if (this.offset + bytes > POOL_BYTES) {
        randomFillSync(this.pool);
        this.offset = 0;
      }
      const hex = this.pool.toString('hex', this.offset, this.offset + bytes);
      this.offset += bytes;
      // All-zero ids are invalid in W3C trace context; draw again (p = 2^-64).
      if (!/^0+$/.test(hex)) return hex;
    }
  }
}
