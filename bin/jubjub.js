#!/usr/bin/env node
// A run is thousands of small file operations; libuv's default of 4 threads for them
// leaves the disk idle most of the time. Read when the pool first starts, so set here.
process.env.UV_THREADPOOL_SIZE ??= '16';
// Node 22.1+ can keep compiled code between runs; start-up is most of a no-op sync.
const { default: module } = await import('node:module');
module.enableCompileCache?.();
await import('../dist/jubjub.mjs');
