/**
 * Figure 4's root listing, measured in its own process on jubjub's built code (dist/):
 * `initial` writes the listing of N projects from nothing (RootIndex.apply of every
 * entry, then writePages), `update` changes a few entries of that listing in a fresh
 * process (as the next sync would) and writes the pages again. Prints one JSON line.
 *
 *   node listing-probe.js <initial|update> <dir> <count> <seed> [changes] [rep]
 */
import { mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { REPO } from './proc.js';
import { normalizeName, projectNames } from './rng.js';

type RootIndexModule = typeof import('../src/publish/root-index.js');
type StorageModule = typeof import('../src/storage/storage.js');
type ListingEntry = import('../src/state/types.js').ListingEntry;

// As bin/jubjub.js does, before the first file operation starts libuv's pool: the probe
// measures the CLI's code, so it runs with the CLI's 16 threads rather than Node's 4.
process.env.UV_THREADPOOL_SIZE ??= '16';

const [mode, dir, countArg, seedArg, changesArg, repArg] = process.argv.slice(2);
if ((mode !== 'initial' && mode !== 'update') || !dir || !countArg || !seedArg) {
  process.stderr.write('usage: listing-probe.js <initial|update> <dir> <count> <seed> [changes]\n');
  process.exit(2);
}
const count = Number(countArg);
const seed = Number(seedArg);
const changes = Number(changesArg ?? 10);
/** Successive updates of one listing change different entries, each to a newer serial. */
const rep = Number(repArg ?? 0);

const dist = (rel: string) => pathToFileURL(path.join(REPO, 'dist', rel)).href;
const { RootIndex } = (await import(dist('publish/root-index.js'))) as RootIndexModule;
const { Storage } = (await import(dist('storage/storage.js'))) as StorageModule;

const entryOf = (display: string, i: number, serial: number): ListingEntry => ({ display, serial, files: 1 + (i % 9), bytes: 20_000 * (1 + (i % 37)) });
const storage = new Storage(path.join(dir, 'web'), path.join(dir, 'state'));
await storage.ensureDirs();
const index = new RootIndex(storage);
const formats: Array<'html' | 'json'> = ['html', 'json'];

/** In a function, so the 750,000 generated names are garbage once the changes are built. */
function buildUpdates(): { updates: Map<string, ListingEntry | null>; serial: number } {
  const names = projectNames(seed, count);
  const updates = new Map<string, ListingEntry | null>();
  if (mode === 'initial') {
    names.forEach((display, i) => updates.set(normalizeName(display), entryOf(display, i, i + 1)));
    return { updates, serial: count };
  }
  // Changes spread over the alphabet, as real ones are: each lands in its own shard.
  const step = Math.floor(count / changes);
  const serial = count + (rep + 1) * changes;
  for (let k = 0; k < changes; k++) {
    const i = (k * step + rep * 13) % count;
    const display = names[i];
    if (display) updates.set(normalizeName(display), entryOf(display, i + rep + 1, serial - k));
  }
  return { updates, serial };
}
const { updates, serial } = buildUpdates();

// The probe's own garbage (the generated names) is collected before the clock starts, when
// the bench runs it with --expose-gc: a sync's process never builds it.
(globalThis as { gc?: () => void }).gc?.();
const c0 = process.cpuUsage();
const t0 = performance.now();
const changed = await index.apply(updates);
const t1 = performance.now();
const c1 = process.cpuUsage(c0);
await index.writePages(formats, serial);
const t2 = performance.now();
const c2 = process.cpuUsage(c0);

// Baseline: the same root pages written from memory, one writeFile each.
const pages = ['simple/index.html', 'simple/index.v1_html', 'simple/index.v1_json'];
const bodies = pages.map((p) => readFileSync(path.join(dir, 'web', p)));
const plainDir = path.join(dir, 'plain');
rmSync(plainDir, { recursive: true, force: true });
mkdirSync(plainDir, { recursive: true });
const b0 = performance.now();
bodies.forEach((b, i) => writeFileSync(path.join(plainDir, String(i)), b));
const b1 = performance.now();
rmSync(plainDir, { recursive: true, force: true });

process.stdout.write(
  `${JSON.stringify({
    mode,
    count,
    changed,
    entries: updates.size,
    applyMs: t1 - t0,
    pagesMs: t2 - t1,
    totalMs: t2 - t0,
    /** CPU time of all threads (user + system): steadier than wall time on a shared machine. */
    applyCpuMs: (c1.user + c1.system) / 1000,
    pagesCpuMs: (c2.user + c2.system - c1.user - c1.system) / 1000,
    pageBytes: pages.reduce((n, p) => n + statSync(path.join(dir, 'web', p)).size, 0),
    plainWriteMs: b1 - b0,
  })}\n`,
);
