#!/usr/bin/env node
// Node 22.1+ can keep compiled code between runs; start-up is most of a no-op sync.
import module from 'node:module';

module.enableCompileCache?.();
await import('../dist/jubjub.mjs');
