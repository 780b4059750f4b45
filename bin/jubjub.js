#!/usr/bin/env node
// A run is thousands of small file operations; libuv's default of 4 threads for them
// leaves the disk idle most of the time. Read when the pool first starts, so set here.
// (Node's compile cache is not enabled: it writes to $TMPDIR, and jubjub writes nowhere
// but mirror.root, mirror.state and the metrics file.)
process.env.UV_THREADPOOL_SIZE ??= '16';
await import('../dist/jubjub.mjs');
