// Bundles the compiled CLI (dist/cli/main.js) and its dependencies into one file,
// dist/jubjub.cjs, which bin/jubjub.js runs, and each worker thread's script into its own
// file beside it. Loading one file instead of ~400 modules halves the start-up of every
// command; a no-op sync is mostly start-up.
//
// The CLI bundle is CommonJS so that bin/jubjub.js can compile it with V8's code cache
// (vm.Script's cachedData; Node 20 has no code cache for ES modules). The cache is made
// here, by a sync whose upstream refuses the connection at once: it compiles what a no-op
// sync runs. Compiling the 2.3 MB bundle was 43 ms of a 270 ms no-op, lazy compiles aside.
import { isAscii } from 'node:buffer';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { build } from 'esbuild';

// got's @sindresorhus/is makes two Intl.ListFormat at load, for the text of assertion
// errors only; the first loads ICU's data and cost 26 ms of every start (a tenth of a
// no-op sync). In the bundle they are made on first use. The build fails if the module
// no longer has exactly those two, so an update that changes it is noticed here.
const lazyListFormat = {
  name: 'lazy-list-format',
  setup(b) {
    b.onLoad({ filter: /@sindresorhus[\\/]is[\\/]distribution[\\/]index\.js$/ }, (args) => {
      const text = readFileSync(args.path, 'utf8');
      const made = text.match(/new Intl\.ListFormat\(/g)?.length ?? 0;
      if (made !== 2) throw new Error(`${args.path}: expected 2 Intl.ListFormat, found ${made}: review scripts/bundle.mjs`);
      const lazy = 'const __jubjubListFormat = (...a) => { let f; return { format: (v) => (f ??= new Intl.ListFormat(...a)).format(v) }; };\n';
      return { contents: lazy + text.replace(/new Intl\.ListFormat\(/g, '__jubjubListFormat('), loader: 'js', resolveDir: path.dirname(args.path) };
    });
  },
};

// got's options module imports http2-wrapper (which loads node:http2 and makes a TLS
// socket to find a class) and cacheable-lookup (node:dns) at load. got uses them only
// with its `http2` and `dnsCache` options, which jubjub never sets; loading them cost
// about 6 ms of every start. In the bundle they load on first use.
const lazyGotOptionals = {
  name: 'lazy-got-optionals',
  setup(b) {
    b.onLoad({ filter: /got[\\/]dist[\\/]source[\\/]core[\\/]options\.js$/ }, (args) => {
      const lines = {
        "import CacheableLookup from 'cacheable-lookup';":
          "const CacheableLookup = function (...a) { return new (require('cacheable-lookup').default)(...a); };",
        "import http2wrapper from 'http2-wrapper';":
          "const http2wrapper = { get globalAgent() { return require('http2-wrapper').globalAgent; }, get auto() { return require('http2-wrapper').auto; } };",
      };
      let text = readFileSync(args.path, 'utf8');
      // This got's file names them 8 times: the imports, three uses, three in its docs.
      const named = text.match(/\b(CacheableLookup|http2wrapper)\b/g)?.length ?? 0;
      if (named !== 8) throw new Error(`${args.path}: expected 8 mentions of the lazy imports, found ${named}: review scripts/bundle.mjs`);
      for (const [from, to] of Object.entries(lines)) {
        if (!text.includes(from)) throw new Error(`${args.path}: no \`${from}\`: review scripts/bundle.mjs`);
        text = text.replace(from, to);
      }
      return { contents: text, loader: 'js', resolveDir: path.dirname(args.path) };
    });
  },
};

const common = {
  plugins: [lazyListFormat, lazyGotOptionals],
  bundle: true,
  platform: 'node',
  target: 'node20',
  sourcemap: true,
  // Loaded with require() only on a terminal (src/log.ts); never needed unattended.
  external: ['pino-pretty'],
  logLevel: 'warning',
};

// Threads run ES modules; bundled CommonJS dependencies call require() for Node built-ins.
const esm = {
  ...common,
  format: 'esm',
  banner: { js: "import { createRequire as __jubjubRequire } from 'node:module'; const require = __jubjubRequire(import.meta.url);" },
};

for (const name of readdirSync('dist')) {
  if (/^jubjub\.(mjs|cjs)(\.map|\..+\.cache)?$/.test(name)) rmSync(`dist/${name}`);
}
await build({
  ...common,
  format: 'cjs',
  // Without comments and indentation the bundle is a third smaller (2.3 to 1.5 MB) to read
  // and scan at every start, and pure ASCII (esbuild escapes strings; only comments had
  // other characters), which bin/jubjub.js decodes faster. The source map keeps lines.
  minifyWhitespace: true,
  entryPoints: ['dist/cli/main.js'],
  outfile: 'dist/jubjub.cjs',
  // The sources locate files beside themselves (thread scripts, package.json).
  define: { 'import.meta.url': '__jubjubModuleUrl' },
  banner: { js: "var __jubjubModuleUrl = require('node:url').pathToFileURL(__filename).href;" },
});
if (!isAscii(readFileSync('dist/jubjub.cjs'))) console.warn('bundle: dist/jubjub.cjs is not ASCII; each start decodes it as UTF-8, a few ms slower');
// The threads' scripts (src/thread-script.ts looks for them beside the bundle).
await build({ ...esm, entryPoints: ['dist/download/file-thread.js'], outfile: 'dist/file-thread.mjs' });
await build({ ...esm, entryPoints: ['dist/verify/check-thread.js'], outfile: 'dist/check-thread.mjs' });
await build({ ...esm, entryPoints: ['dist/publish/fragment-thread.js'], outfile: 'dist/fragment-thread.mjs' });

// Port 1 on the loopback refuses (nothing listens there); the run fails, as expected, and
// the cache is written on exit either way. Without a cache jubjub still runs, only its
// start is slower: a build that cannot make one says so and goes on.
function makeCodeCache() {
  const scratch = mkdtempSync(path.join(tmpdir(), 'jubjub-build-'));
  try {
    const config = path.join(scratch, 'mirror.yaml');
    writeFileSync(config, 'upstream:\n  url: http://127.0.0.1:1\n  retries: 0\n  timeout: 2s\nlog:\n  level: error\n');
    spawnSync(process.execPath, ['bin/jubjub.js', 'sync', '-c', config], {
      stdio: 'ignore',
      timeout: 60_000,
      env: { ...process.env, JUBJUB_WRITE_CODE_CACHE: '1' },
    });
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  if (!readdirSync('dist').some((n) => n.startsWith('jubjub.cjs.') && n.endsWith('.cache'))) throw new Error('the warm-up run wrote no cache');
}

try {
  makeCodeCache();
} catch (err) {
  console.warn(`bundle: no start-up code cache (${err.message}); jubjub runs without it`);
}
