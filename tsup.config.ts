import { readFileSync } from 'node:fs';
import { defineConfig } from 'tsup';

const pkg = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8')) as {
  version: string;
  dependencies: Record<string, string>;
};

// One build, two module formats: ESM (.js) for `import`, CJS (.cjs) for `require`.
//
// What is bundled and what is not: everything in "dependencies" stays external
// and is shared with the app — @opentelemetry/api and @opentelemetry/instrumentation
// must be single copies (their globals and hooks are per copy), and the contrib
// instrumentations load lazily from node_modules only when the app uses their
// library. The SDK itself (sdk-trace/metrics/logs, resources, exporters) and the
// http/undici/runtime-node instrumentations are devDependencies, bundled into
// dist/: one file instead of ~500 halves start-up time and saves ~9 MiB.
// (forwarded-parse, the one package the bundled http instrumentation requires,
// stays a plain dependency: tsup does not inline requires made from inside
// bundled node_modules code.)
const shared = {
  entry: { index: 'src/index.ts', register: 'src/register.ts', cli: 'src/cli/main.ts' },
  platform: 'node',
  target: 'node22',
  dts: true,
  sourcemap: true,
  clean: true,
  shims: true,
  minifySyntax: true,
  external: Object.keys(pkg.dependencies),
  noExternal: [/^@opentelemetry\/(?!api$|instrumentation$|instrumentation-(?!http$|undici$|runtime-node$))/],
  // Bundled CommonJS code calls require() for Node built-ins; give the ESM build one.
  banner: ({ format }: { format: string }) =>
    format === 'esm' ? { js: "import { createRequire as __callscopeCreateRequire } from 'node:module'; const require = __callscopeCreateRequire(import.meta.url);" } : {},
  define: { __CALLSCOPE_VERSION__: JSON.stringify(pkg.version) },
} as const;

// ESM entries share chunks. tsup's CJS code splitting goes through a sucrase
// pass that breaks class fields, so each CJS entry is a standalone file.
export default defineConfig([
  { ...shared, format: ['esm'], splitting: true },
  { ...shared, format: ['cjs'], splitting: false, clean: false },
]);
