/**
 * Figure 4: PyPI-scale listing. A first sync streams `list_packages_with_serial` of an
 * upstream listing `listing` projects (750,000 in the full run); a deny pattern keeps
 * only a handful of them (which have files), so the run measures the streamed listing
 * and its filtering rather than 750,000 JSON requests. Peak RSS is the figure; the
 * baseline is curl fetching the same XML-RPC response to /dev/null.
 *
 * The root listing of that many projects is measured apart (listing-probe.ts), on
 * jubjub's built RootIndex: writing it from nothing, then updating it after a few
 * changed projects in a fresh process, as the next sync would.
 */
import { writeFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { FakePypi } from '../../test/fake-pypi/index.js';
import { addRow, repeat, type Bench } from '../context.js';
import { lastRun, makeMirror, wipe } from '../mirror.js';
import { must, sh, timed, jubjub, shellQuote } from '../proc.js';
import { normalizeName, projectNames } from '../rng.js';
import { MB, median } from '../stats.js';
import { addProjects } from '../upstream.js';

const LISTING_SEED = 750;

interface ProbeResult {
  applyMs: number;
  pagesMs: number;
  totalMs: number;
  pageBytes: number;
  plainWriteMs: number;
  changed: boolean;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

async function listingSync(b: Bench): Promise<void> {
  const n = b.scale.listing;
  const keep = b.corpus.projects.slice(0, b.scale.listingKeep);
  const keepNames = new Set(keep.map((p) => normalizeName(p.display)));
  b.log(`figure 4: first sync of a ${n.toLocaleString('en-US')}-project listing, ${keep.length} pass the filter`);
  const fake = await FakePypi.start();
  try {
    const names = projectNames(LISTING_SEED, n - keep.length, new Set(keepNames));
    // The kept projects sit spread through the listing, as they would on PyPI.
    const every = Math.floor(names.length / Math.max(1, keep.length));
    let k = 0;
    names.forEach((name, i) => {
      if (i % every === 0 && k < keep.length) addProjects(fake, [keep[k++]!], b.store);
      fake.addProject(name);
    });
    addProjects(fake, keep.slice(k), b.store);
    const deny = `^(?!(?:${[...keepNames].map(escapeRegExp).join('|')})$)`;
    const m = await makeMirror(path.join(b.work, 'listing'), { url: fake.url, filesUrl: b.nginx.url }, { deny_patterns: [deny] });

    const body = path.join(b.work, 'list_packages_with_serial.xml');
    await writeFile(body, "<?xml version='1.0'?>\n<methodCall>\n<methodName>list_packages_with_serial</methodName>\n<params>\n</params>\n</methodCall>\n");
    const curlCmd = `curl -s -S --fail -H 'Content-Type: text/xml' --data-binary @${shellQuote(body)} -o /dev/null -w '%{size_download}' ${shellQuote(`${fake.url}/pypi`)}`;

    const wall: number[] = [];
    const rss: number[] = [];
    const curl: number[] = [];
    let size = 0;
    await repeat(b, 'listing sync', b.scale.reps.listingSync, b.scale.minReps, b.scale.budgetS.listing / 2, async () => {
      await wipe(m);
      const r = await jubjub(['sync', '-c', m.config], { stderrFile: m.log, timeoutMs: 30 * 60_000 });
      if (r.code !== 0) throw new Error(`listing sync exited ${r.code}; see ${m.log}`);
      const lr = await lastRun(m);
      if (lr.projects !== keep.length || lr.failed) throw new Error(`listing sync visited ${lr.projects} projects (expected ${keep.length}), ${lr.failed} failed`);
      wall.push(r.wallMs / 1000);
      if (r.maxRss !== null) rss.push(r.maxRss);
      const c = await must('curl listing', sh(curlCmd));
      size = Number(c.stdout);
      curl.push(c.wallMs / 1000);
    });
    b.log(`  sync: ${wall.map((x) => x.toFixed(2)).join(' ')} s, peak RSS ${rss.map((x) => (x / MB).toFixed(0)).join(' ')} MB; curl of the ${(size / MB).toFixed(0)} MB listing: ${curl.map((x) => x.toFixed(2)).join(' ')} s`);
    const nodeRss = typeof b.details.nodeBaselineRss === 'number' ? b.details.nodeBaselineRss : (await timed(process.execPath, ['-e', '0'])).maxRss;
    if (rss.length > 0) {
      addRow(b, {
        figure: 4, what: `Listing of ${n.toLocaleString('en-US')} projects: peak RSS of the sync`, unit: 'MB',
        jubjub: median(rss) / MB, baseline: nodeRss ? nodeRss / MB : null, baselineName: 'node -e 0', ratio: null,
        target: { kind: 'value<', value: 256 },
        samples: { jubjub: rss.map((x) => x / MB), baseline: nodeRss ? [nodeRss / MB] : [] },
        note: `listing response ${(size / MB).toFixed(0)} MB of XML`,
      });
    }
    addRow(b, {
      figure: 4, what: `Listing of ${n.toLocaleString('en-US')} projects: sync wall time`, unit: 's',
      jubjub: median(wall), baseline: median(curl), baselineName: 'curl of the listing',
      target: null,
      samples: { jubjub: wall, baseline: curl },
      note: `${keep.length} projects pass the filter and are synced`,
    });
    b.details.listingSync = { projects: n, kept: keep.length, responseBytes: size, wallS: wall, maxRss: rss, curlS: curl };
  } finally {
    await fake.close();
  }
}

async function probe(b: Bench, mode: 'initial' | 'update', dir: string, rep: number): Promise<ProbeResult> {
  const script = path.join(path.dirname(new URL(import.meta.url).pathname), '..', 'listing-probe.js');
  // Each update changes different entries (the rep shifts them), so every one is a real change.
  const r = await timed(process.execPath, ['--expose-gc', script, mode, dir, String(b.scale.listing), String(LISTING_SEED), String(b.scale.listingChanges), String(rep)]);
  if (r.code !== 0) throw new Error(`listing-probe ${mode} exited ${r.code}: ${r.stderr.slice(0, 1000)}`);
  return JSON.parse(r.stdout) as ProbeResult;
}

async function rootListing(b: Bench): Promise<void> {
  const n = b.scale.listing;
  b.log(`figure 4: root listing of ${n.toLocaleString('en-US')} projects written from nothing, then after ${b.scale.listingChanges} changes`);
  const initial: ProbeResult[] = [];
  const update: ProbeResult[] = [];
  await repeat(b, 'root listing', b.scale.reps.rootListing, b.scale.minReps, b.scale.budgetS.listing / 2, async (i) => {
    const dir = path.join(b.work, 'root-listing');
    await rm(dir, { recursive: true, force: true });
    initial.push(await probe(b, 'initial', dir, i));
    await must('sync(1)', sh('sync'));
    update.push(await probe(b, 'update', dir, i));
    if (!update[update.length - 1]!.changed) throw new Error('listing-probe update changed nothing');
  });
  const s = (rs: ProbeResult[], k: keyof ProbeResult) => rs.map((r) => Number(r[k]) / 1000);
  b.log(`  write: ${initial.map((r) => `${(r.applyMs / 1000).toFixed(2)}+${(r.pagesMs / 1000).toFixed(2)}`).join(' ')} s (shards + pages); update: ${update.map((r) => `${(r.applyMs / 1000).toFixed(3)}+${(r.pagesMs / 1000).toFixed(3)}`).join(' ')} s`);
  addRow(b, {
    figure: 4, what: `Root listing of ${n.toLocaleString('en-US')} projects, written from nothing`, unit: 's',
    jubjub: median(s(initial, 'totalMs')), baseline: median(s(initial, 'plainWriteMs')), baselineName: 'writeFile of the pages',
    target: { kind: 'value<', value: 3 },
    samples: { jubjub: s(initial, 'totalMs'), baseline: s(initial, 'plainWriteMs') },
    note: `RootIndex.apply ${median(s(initial, 'applyMs')).toFixed(2)} s + writePages ${median(s(initial, 'pagesMs')).toFixed(2)} s; ${((initial[0]?.pageBytes ?? 0) / MB).toFixed(0)} MB of root pages`,
  });
  addRow(b, {
    figure: 4, what: `Root listing update after ${b.scale.listingChanges} changed projects`, unit: 's',
    jubjub: median(s(update, 'totalMs')), baseline: median(s(update, 'plainWriteMs')), baselineName: 'writeFile of the pages',
    target: { kind: 'value<', value: 0.3 },
    samples: { jubjub: s(update, 'totalMs'), baseline: s(update, 'plainWriteMs') },
    note: `RootIndex.apply ${median(s(update, 'applyMs')).toFixed(3)} s + writePages ${median(s(update, 'pagesMs')).toFixed(3)} s`,
  });
  b.details.rootListing = { projects: n, changes: b.scale.listingChanges, initial, update };
}

export async function listing(b: Bench): Promise<void> {
  await listingSync(b);
  await rootListing(b);
}
