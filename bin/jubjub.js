#!/usr/bin/env node
// Runs the CLI bundle (dist/jubjub.cjs) with V8's code cache when the build made one for
// this bundle and this Node: compiling the bundle took 40-90 ms of every command's start.
// The cache's name carries a digest of the bundle, Node's version and flags, because V8
// itself checks only the source's length. A missing or rejected cache just means a
// normal compile. (Node's own compile cache is not used: it writes to $TMPDIR, and jubjub
// writes nowhere but mirror.root, mirror.state and the metrics file.)
import { isAscii } from 'node:buffer';
import { createHash } from 'node:crypto';
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Script } from 'node:vm';

// A run is thousands of small file operations; libuv's default of 4 threads for them
// leaves the disk idle most of the time. Read when the pool first starts, so set here.
process.env.UV_THREADPOOL_SIZE ??= '16';

const bundle = fileURLToPath(new URL('../dist/jubjub.cjs', import.meta.url));
const source = readFileSync(bundle);
const key = createHash('sha256')
  .update(source)
  .update(`\0${process.version}\0${process.arch}\0${process.execArgv.join(' ')}`)
  .digest('hex')
  .slice(0, 16);
const cacheFile = `${bundle}.${key}.cache`;
let cachedData;
try {
  cachedData = readFileSync(cacheFile);
} catch {
  cachedData = undefined;
}
// The wrapper is CommonJS's own; the shebang becomes a comment so line numbers hold.
// The build makes the bundle ASCII, and decoding that as latin1 is a copy: as UTF-8, the
// 1.5 MB took 4-6 ms of every start.
const text = (isAscii(source) ? source.toString('latin1') : source.toString('utf8')).replace(/^#!/, '//');
const script = new Script(`(function (exports, require, module, __filename, __dirname) {${text}\n})`, { filename: bundle, cachedData });
if (process.env.JUBJUB_WRITE_CODE_CACHE === '1') {
  // Only the build sets this (scripts/bundle.mjs), after a run compiled the start-up path.
  process.once('exit', () => {
    writeFileSync(`${cacheFile}.tmp`, script.createCachedData());
    renameSync(`${cacheFile}.tmp`, cacheFile);
  });
}
if (process.env.JUBJUB_DEBUG) {
  const state = cachedData === undefined ? 'none' : script.cachedDataRejected ? 'rejected' : 'used';
  process.stderr.write(`jubjub: code cache ${state} (${path.basename(cacheFile)})\n`);
}
const module = { exports: {} };
script.runInThisContext()(module.exports, createRequire(bundle), module, bundle, path.dirname(bundle));
