/**
 * The servers' own ceilings, measured with curl alone writing to /dev/null: nginx (which
 * serves the files in every figure), the fake PyPI serving the same files from memory
 * (why it does not), and the fake's JSON API (which every figure's metadata comes from).
 */
import path from 'node:path';
import { corpusFiles } from '../corpus.js';
import type { Bench } from '../context.js';
import { curlParallel, writeCurlConfig, type Download } from '../curl.js';
import { MB } from '../stats.js';

export interface Ceiling {
  server: string;
  requests: number;
  bytes: number;
  parallel: number;
  /** Best of the repetitions. */
  seconds: number;
  requestsPerSecond: number;
  megabytesPerSecond: number;
  samples: number[];
}

async function measure(b: Bench, name: string, base: string, downloads: Download[], bytes: number, parallel: number): Promise<Ceiling> {
  const cfg = path.join(b.work, `ceiling-${name.replace(/\W+/g, '-')}.curl`);
  await writeCurlConfig(cfg, base, downloads);
  const secs: number[] = [];
  for (let i = 0; i < b.scale.reps.ceiling; i++) {
    const r = await curlParallel(cfg, parallel, { createDirs: false });
    if (r.code !== 0) throw new Error(`curl against ${name} exited ${r.code}: ${r.stderr.slice(0, 500)}`);
    secs.push(r.wallMs / 1000);
  }
  const best = Math.min(...secs);
  const c: Ceiling = {
    server: name,
    requests: downloads.length,
    bytes,
    parallel,
    seconds: best,
    requestsPerSecond: downloads.length / best,
    megabytesPerSecond: bytes / MB / best,
    samples: secs,
  };
  b.log(`  ${name}: ${downloads.length} requests, ${(bytes / MB).toFixed(0)} MB in ${best.toFixed(2)} s: ${c.requestsPerSecond.toFixed(0)} req/s, ${c.megabytesPerSecond.toFixed(0)} MB/s`);
  return c;
}

/** Every file and `.metadata` URL of the corpus, with sizes. */
export function corpusDownloads(b: Bench, output: (urlPath: string) => string): Array<Download & { size: number }> {
  const out: Array<Download & { size: number }> = [];
  for (const f of corpusFiles(b.corpus.projects)) {
    out.push({ path: f.path, output: output(f.path), size: f.size });
    if (f.metadataSha256) out.push({ path: `${f.path}.metadata`, output: output(`${f.path}.metadata`), size: f.metadataSize });
  }
  return out;
}

const total = (ds: Array<{ size: number }>) => ds.reduce((n, d) => n + d.size, 0);

export async function ceilings(b: Bench): Promise<Ceiling[]> {
  b.log('server ceilings (curl alone, to /dev/null)');
  const all = corpusDownloads(b, () => '/dev/null');
  const out: Ceiling[] = [];
  out.push(await measure(b, `nginx (${b.nginx.workers} worker${b.nginx.workers > 1 ? 's' : ''}), files`, b.nginx.url, all, total(all), 16));
  const sample = b.scale.fakeCeilingSample > 0 ? all.slice(0, b.scale.fakeCeilingSample) : all;
  out.push(await measure(b, 'fake PyPI (Node, from memory), files', b.fake.url, sample, total(sample), 16));
  const json: Download[] = b.corpus.projects.map((p) => ({ path: `/pypi/${p.display.replace(/[-_.]+/g, '-').toLowerCase()}/json`, output: '/dev/null' }));
  out.push(await measure(b, 'fake PyPI, JSON API', b.fake.url, json, 0, 8));
  b.fake.resetCounts();
  return out;
}
