/**
 * The benchmark's upstream content: a deterministic corpus of projects, releases and real
 * wheels/sdists (built by the fake PyPI's own artifact builder), materialized once onto
 * disk and cached. The cached tree is what nginx serves under /packages/, and its
 * manifest is what the fake PyPI's catalog is filled from (see upstream.ts).
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { logNormalSize, projectNames, rng } from './rng.js';

/** Bump when the corpus shape changes, so stale caches are not reused. */
const GENERATOR_VERSION = 2;

export interface CorpusParams {
  seed: number;
  projects: number;
  /** Fraction of projects that ship native wheels (4 of their 9 files per release are Windows wheels). */
  nativeShare: number;
  /** Releases per project: 1 + floor(rand * releaseSpread). */
  releaseSpread: number;
  sizeMedian: number;
  sizeSigma: number;
  sizeMin: number;
  sizeMax: number;
  /**
   * Projects among the first `changedPool` that get a new release in each of
   * `changeRounds` rounds, for the "cost grows with change" figure.
   */
  changed: number;
  changedPool: number;
  changeRounds: number;
}

export interface FileSpec {
  kind: 'wheel' | 'sdist';
  tags?: string;
  size: number;
}

export interface ReleaseSpec {
  version: string;
  files: FileSpec[];
}

export interface ProjectSpec {
  display: string;
  native: boolean;
  releases: ReleaseSpec[];
}

/** One built file, everything the fake's catalog needs except the bytes (read from `docroot`). */
export interface BuiltFile {
  project: string;
  version: string;
  filename: string;
  size: number;
  sha256: string;
  md5: string;
  blake2b256: string;
  metadataSha256: string | null;
  metadataSize: number;
  packagetype: string;
  pythonVersion: string;
  /** `/packages/<b2[0:2]>/<b2[2:4]>/<b2[4:]>/<filename>`, as on PyPI. */
  path: string;
}

export interface BuiltProject {
  display: string;
  native: boolean;
  releases: Array<{ version: string; files: BuiltFile[] }>;
}

export interface Corpus {
  key: string;
  dir: string;
  docroot: string;
  params: CorpusParams;
  projects: BuiltProject[];
  /** New releases (one per changed project and round), added to the upstream only by the change figure. */
  changes: Array<{ display: string; version: string; round: number; files: BuiltFile[] }>;
}

const MANYLINUX = 'manylinux_2_17_x86_64.manylinux2014_x86_64';

function releaseFiles(rand: () => number, p: CorpusParams, native: boolean): FileSpec[] {
  const size = () => logNormalSize(rand, p.sizeMedian, p.sizeSigma, p.sizeMin, p.sizeMax);
  const files: FileSpec[] = [{ kind: 'sdist', size: size() }];
  if (!native) {
    files.push({ kind: 'wheel', tags: 'py3-none-any', size: size() });
    return files;
  }
  for (const cp of ['cp311', 'cp312']) {
    for (const plat of [MANYLINUX, 'win_amd64', 'win32', 'macosx_11_0_arm64']) files.push({ kind: 'wheel', tags: `${cp}-${cp}-${plat}`, size: size() });
  }
  return files;
}

export function corpusSpec(p: CorpusParams): { projects: ProjectSpec[]; changes: Array<{ display: string; round: number; release: ReleaseSpec }> } {
  const rand = rng(p.seed);
  const names = projectNames(p.seed + 1, p.projects);
  const projects: ProjectSpec[] = names.map((display) => {
    const native = rand() < p.nativeShare;
    const count = 1 + Math.floor(rand() * p.releaseSpread);
    const releases: ReleaseSpec[] = [];
    for (let i = 0; i < count; i++) releases.push({ version: `1.${i}.0`, files: releaseFiles(rand, p, native) });
    return { display, native, releases };
  });
  const changes: Array<{ display: string; round: number; release: ReleaseSpec }> = [];
  const step = Math.max(1, Math.floor(Math.min(p.changedPool, projects.length) / Math.max(1, p.changed)));
  for (let round = 0; round < p.changeRounds; round++) {
    let n = 0;
    for (let i = 0; n < p.changed && i < projects.length; i += step, n++) {
      const proj = projects[i];
      if (proj) changes.push({ display: proj.display, round, release: { version: `9.${round}.0`, files: releaseFiles(rand, p, false) } });
    }
  }
  return { projects, changes };
}

export function corpusKey(p: CorpusParams): string {
  return createHash('sha256').update(JSON.stringify({ GENERATOR_VERSION, p })).digest('hex').slice(0, 16);
}

/** A job for the build workers: one file, staged under its index. */
export interface BuildJob {
  index: number;
  display: string;
  version: string;
  spec: FileSpec;
}

export interface BuildResult {
  index: number;
  filename: string;
  size: number;
  sha256: string;
  md5: string;
  metadataSha256: string | null;
  metadataSize: number;
  packagetype: string;
  pythonVersion: string;
}

function run(cmd: string, args: string[], opts: { cwd?: string } = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: opts.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) resolve(Buffer.concat(out).toString('utf8'));
      else reject(new Error(`${cmd} exited ${code}: ${Buffer.concat(err).toString('utf8').slice(0, 500)}`));
    });
  });
}

/** BLAKE2b-256 of many files with coreutils' b2sum (the fake's pure-JS BLAKE2b would take minutes). */
async function blake2bMany(dir: string, names: string[], log: (s: string) => void): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const BATCH = 2000;
  const batches: string[][] = [];
  for (let i = 0; i < names.length; i += BATCH) batches.push(names.slice(i, i + BATCH));
  let next = 0;
  const workers = Array.from({ length: availableParallelism() }, async () => {
    for (let b = batches[next++]; b; b = batches[next++]) {
      const text = await run('b2sum', ['-l', '256', '--', ...b], { cwd: dir });
      for (const line of text.split('\n')) {
        const m = /^([0-9a-f]{64}) [ *](.+)$/.exec(line);
        if (m?.[1] && m[2]) out.set(m[2], m[1]);
      }
    }
  });
  await Promise.all(workers);
  log(`  blake2b-256 of ${out.size} files`);
  return out;
}

async function build(dir: string, params: CorpusParams, log: (s: string) => void): Promise<void> {
  const spec = corpusSpec(params);
  const jobs: BuildJob[] = [];
  for (const p of spec.projects) for (const r of p.releases) for (const f of r.files) jobs.push({ index: jobs.length, display: p.display, version: r.version, spec: f });
  for (const c of spec.changes) for (const f of c.release.files) jobs.push({ index: jobs.length, display: c.display, version: c.release.version, spec: f });

  const staging = path.join(dir, 'staging');
  const docroot = path.join(dir, 'docroot');
  await rm(dir, { recursive: true, force: true });
  await mkdir(staging, { recursive: true });
  const started = Date.now();
  const threads = Math.max(1, availableParallelism());
  const results: BuildResult[] = new Array<BuildResult>(jobs.length);
  let done = 0;
  await Promise.all(
    Array.from({ length: threads }, (_, t) => {
      const mine = jobs.filter((j) => j.index % threads === t);
      return new Promise<void>((resolve, reject) => {
        const w = new Worker(new URL('./corpus-worker.js', import.meta.url), { workerData: { staging, jobs: mine } });
        w.on('message', (r: BuildResult) => {
          results[r.index] = r;
          done++;
          if (done % 10000 === 0) log(`  built ${done}/${jobs.length} files (${((Date.now() - started) / 1000).toFixed(0)} s)`);
        });
        w.on('error', reject);
        w.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`corpus worker exited ${code}`))));
      });
    }),
  );
  const b2 = await blake2bMany(staging, jobs.map((j) => String(j.index)), log);

  const toBuilt = (j: BuildJob): BuiltFile => {
    const r = results[j.index];
    const digest = b2.get(String(j.index));
    if (!r || !digest) throw new Error(`corpus: file ${j.index} was not built`);
    return {
      project: j.display,
      version: j.version,
      filename: r.filename,
      size: r.size,
      sha256: r.sha256,
      md5: r.md5,
      blake2b256: digest,
      metadataSha256: r.metadataSha256,
      metadataSize: r.metadataSize,
      packagetype: r.packagetype,
      pythonVersion: r.pythonVersion,
      path: `/packages/${digest.slice(0, 2)}/${digest.slice(2, 4)}/${digest.slice(4)}/${r.filename}`,
    };
  };
  let k = 0;
  const projects: BuiltProject[] = spec.projects.map((p) => ({
    display: p.display,
    native: p.native,
    releases: p.releases.map((r) => ({ version: r.version, files: r.files.map(() => toBuilt(jobs[k++]!)) })),
  }));
  const changes = spec.changes.map((c) => ({ display: c.display, version: c.release.version, round: c.round, files: c.release.files.map(() => toBuilt(jobs[k++]!)) }));

  // Move the staged files to their PyPI-shaped paths.
  const all = [...projects.flatMap((p) => p.releases.flatMap((r) => r.files)), ...changes.flatMap((c) => c.files)];
  const dirs = new Set(all.map((f) => path.dirname(path.join(docroot, f.path))));
  for (const d of dirs) await mkdir(d, { recursive: true });
  for (let i = 0; i < all.length; i++) {
    const f = all[i]!;
    const dest = path.join(docroot, f.path);
    await rename(path.join(staging, String(i)), dest);
    if (f.metadataSha256) await rename(path.join(staging, `${i}.metadata`), `${dest}.metadata`);
  }
  await rm(staging, { recursive: true, force: true });
  await writeFile(path.join(dir, 'manifest.json'), JSON.stringify({ params, projects, changes }));
  await writeFile(path.join(dir, 'complete'), new Date().toISOString() + '\n');
  log(`  corpus built in ${((Date.now() - started) / 1000).toFixed(0)} s`);
}

/** The corpus for `params`, built under `cacheDir` unless a complete copy is there already. */
export async function loadCorpus(cacheDir: string, params: CorpusParams, log: (s: string) => void): Promise<Corpus> {
  const key = corpusKey(params);
  const dir = path.join(cacheDir, `corpus-${key}`);
  if (!existsSync(path.join(dir, 'complete'))) {
    log(`building corpus ${key} in ${dir} (cached for later runs)`);
    await build(dir, params, log);
  } else {
    log(`using cached corpus ${dir}`);
  }
  const manifest = JSON.parse(await readFile(path.join(dir, 'manifest.json'), 'utf8')) as Pick<Corpus, 'params' | 'projects' | 'changes'>;
  return { key, dir, docroot: path.join(dir, 'docroot'), ...manifest };
}

export function corpusFiles(projects: BuiltProject[]): BuiltFile[] {
  return projects.flatMap((p) => p.releases.flatMap((r) => r.files));
}

export function isWindows(f: BuiltFile): boolean {
  return /-win(32|_[a-z0-9_]+)\.whl$/.test(f.filename);
}
