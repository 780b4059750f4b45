/**
 * Figures 1 and 7: a first `jubjub sync` of the whole corpus (files/s, bytes/s, peak
 * RSS) against curl's parallel mode fetching the same file and `.metadata` URLs from
 * the same nginx at the same concurrency into files. curl skips the JSON metadata,
 * hashing, fsync and the index; jubjub does all of it. Repetitions alternate the two.
 *
 * Every repetition writes into folders of its own, and nothing is deleted until the
 * whole bench is done: on the development machine's disk (ext4, online discard) a run
 * that followed the deletion of the previous run's 88,000 files was consistently slower,
 * up to three times for curl and 1.4 times for jubjub. Without room for that (about
 * 3.5 GB a repetition) the folders are emptied between repetitions instead.
 */
import { statfsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { corpusFiles } from '../corpus.js';
import { addRow, repeat, type Bench } from '../context.js';
import { curlParallel, writeCurlConfig } from '../curl.js';
import { lastRun, makeMirror, wipe } from '../mirror.js';
import { jubjub, must, sh } from '../proc.js';
import { MB, median } from '../stats.js';
import { corpusDownloads } from './ceiling.js';

/** jubjub's `upstream.download_concurrency` default (src/config/schema.ts). */
export const DOWNLOAD_CONCURRENCY = 16;

export async function firstSync(b: Bench, opts: { measure: boolean }): Promise<void> {
  const files = corpusFiles(b.corpus.projects);
  const downloads = corpusDownloads(b, (p) => p);
  const bytes = downloads.reduce((n, d) => n + d.size, 0);
  const reps = opts.measure ? b.scale.reps.firstSync : 1;
  const fs = statfsSync(b.work);
  const fresh = (fs.bavail * fs.bsize) > reps * 2.5 * bytes + 4e9;
  const folder = (name: string, i: number) => path.join(b.work, fresh ? `${name}-${i + 1}` : name);
  b.log(`figure 1/7: first sync of ${b.corpus.projects.length} projects, ${files.length} files + ${downloads.length - files.length} .metadata, ${(bytes / MB).toFixed(0)} MB (up to ${reps} repetition${reps > 1 ? 's' : ''} each, ${fresh ? 'each in fresh folders' : 'folders emptied in between'})`);

  const jw: number[] = [];
  const jr: number[] = [];
  const cw: number[] = [];
  const cr: number[] = [];
  const curlSync: number[] = [];
  const runs: unknown[] = [];
  let outDir = '';
  await repeat(b, 'first sync', reps, b.scale.minReps, b.scale.budgetS.firstSync, async (i) => {
    const m = await makeMirror(folder('mirror', i), { url: b.fake.url, filesUrl: b.nginx.url });
    b.mirror = m;
    // Each measurement starts with nothing dirty in the page cache: the previous run's
    // writeback must not be billed to the next one.
    await wipe(m);
    await must('sync(1)', sh('sync'));
    b.fake.resetCounts();
    const r = await jubjub(['sync', '-c', m.config], { stderrFile: m.log, timeoutMs: 60 * 60_000 });
    if (r.code !== 0) throw new Error(`jubjub sync exited ${r.code}; see ${m.log}`);
    const lr = await lastRun(m);
    if (lr.filesAdded !== files.length || lr.failed !== 0) throw new Error(`first sync added ${lr.filesAdded} files (expected ${files.length}), ${lr.failed} failed; see ${m.log}`);
    jw.push(r.wallMs / 1000);
    if (r.maxRss !== null) jr.push(r.maxRss);
    runs.push({ wallS: r.wallMs / 1000, maxRss: r.maxRss, lastRun: lr, fakeRequests: b.fake.requests.total });
    b.log(`  jubjub sync: ${(r.wallMs / 1000).toFixed(2)} s, peak RSS ${r.maxRss === null ? '?' : (r.maxRss / MB).toFixed(0)} MB, ${lr.requests} requests, ${lr.retries} retries`);
    if (!opts.measure) return;

    outDir = folder('curl-out', i);
    const cfg = path.join(b.work, 'first-sync.curl');
    await writeCurlConfig(cfg, b.nginx.url, downloads.map((d) => ({ path: d.path, output: path.join(outDir, d.path) })));
    await rm(outDir, { recursive: true, force: true });
    await must('sync(1)', sh('sync'));
    const c = await curlParallel(cfg, DOWNLOAD_CONCURRENCY, { createDirs: true });
    if (c.code !== 0) throw new Error(`curl exited ${c.code}: ${c.stderr.slice(0, 500)}`);
    cw.push(c.wallMs / 1000);
    if (c.maxRss !== null) cr.push(c.maxRss);
    // For reference only: what making curl's files durable would add (jubjub fsyncs each file).
    const s = await sh('sync');
    curlSync.push(s.wallMs / 1000);
    b.log(`  curl -Z:      ${(c.wallMs / 1000).toFixed(2)} s (+ ${(s.wallMs / 1000).toFixed(2)} s for sync(1) afterwards)`);
  });
  if (!fresh && outDir) await rm(outDir, { recursive: true, force: true });
  if (!opts.measure) return;

  const n = files.length;
  addRow(b, {
    figure: 1, what: 'First sync throughput', unit: 'files/s',
    jubjub: n / median(jw), baseline: n / median(cw), baselineName: 'curl -Z',
    target: { kind: 'ratio>=', value: 0.9 },
    samples: { jubjub: jw.map((s) => n / s), baseline: cw.map((s) => n / s) },
    note: `${n} files + ${downloads.length - n} .metadata, ${(bytes / MB).toFixed(0)} MB, ${DOWNLOAD_CONCURRENCY} downloads in flight`,
  });
  addRow(b, {
    figure: 1, what: 'First sync throughput', unit: 'MB/s',
    jubjub: bytes / MB / median(jw), baseline: bytes / MB / median(cw), baselineName: 'curl -Z',
    target: { kind: 'ratio>=', value: 0.9 },
    samples: { jubjub: jw.map((s) => bytes / MB / s), baseline: cw.map((s) => bytes / MB / s) },
  });
  if (jr.length > 0) {
    addRow(b, {
      figure: 7, what: 'Peak RSS of the first sync', unit: 'MB',
      jubjub: median(jr) / MB, baseline: cr.length ? median(cr) / MB : null, baselineName: 'curl -Z', ratio: null,
      target: { kind: 'value<', value: 200 },
      samples: { jubjub: jr.map((x) => x / MB), baseline: cr.map((x) => x / MB) },
      note: `max over repetitions ${(Math.max(...jr) / MB).toFixed(0)} MB`,
    });
  }
  b.details.firstSync = { freshFoldersPerRepetition: fresh, files: n, metadataFiles: downloads.length - n, bytes, jubjubWallS: jw, curlWallS: cw, curlThenSyncS: curlSync, jubjubMaxRss: jr, curlMaxRss: cr, runs };
}
