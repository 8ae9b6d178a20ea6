import { readFileSync } from 'node:fs';
import { defineConfig } from 'tsup';

const pkg = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8')) as { version: string };

// One build, two module formats: ESM (.js) for `import`, CJS (.cjs) for `require`.
// Dependencies stay external so the app and callscope share one copy of each
// OpenTelemetry package (their globals are per-copy).
export default defineConfig({
  entry: { index: 'src/index.ts', register: 'src/register.ts', cli: 'src/cli/main.ts' },
  format: ['esm', 'cjs'],
  platform: 'node',
  target: 'node22',
  dts: true,
  sourcemap: true,
  clean: true,
  splitting: true,
  shims: true,
  define: { __CALLSCOPE_VERSION__: JSON.stringify(pkg.version) },
});
