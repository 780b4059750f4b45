// Bundles the compiled CLI (dist/cli/main.js) and its dependencies into one file,
// dist/jubjub.mjs, which bin/jubjub.js runs, and each worker thread's script into its own
// file beside it. Loading one file instead of ~400 modules
// halves the start-up of every command; a no-op sync is mostly start-up.
import { build } from 'esbuild';

const common = {
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  sourcemap: true,
  // Loaded with require() only on a terminal (src/log.ts); never needed unattended.
  external: ['pino-pretty'],
  // Bundled CommonJS dependencies call require() for Node built-ins.
  banner: { js: "import { createRequire as __jubjubRequire } from 'node:module'; const require = __jubjubRequire(import.meta.url);" },
  logLevel: 'warning',
};

await build({ ...common, entryPoints: ['dist/cli/main.js'], outfile: 'dist/jubjub.mjs' });
// The threads' scripts (src/thread-script.ts looks for them beside the bundle).
await build({ ...common, entryPoints: ['dist/download/file-thread.js'], outfile: 'dist/file-thread.mjs' });
await build({ ...common, entryPoints: ['dist/verify/check-thread.js'], outfile: 'dist/check-thread.mjs' });
