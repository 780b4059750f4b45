/**
 * `npm run bench [-- --quick] [-- --only 1,4] ...`: jubjub's performance figures (tracker
 * issue 6), each measured in the same run as its baseline, against the test suite's fake
 * PyPI for metadata and nginx for files. Prints a table of medians and writes
 * bench/results/latest.{json,md}. See docs/performance.md.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, statfsSync } from 'node:fs';
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { corpusFiles, corpusKey, isWindows, loadCorpus } from './corpus.js';
import type { Bench, Scale } from './context.js';
import { SCALES } from './scales.js';
import { ceilings, type Ceiling } from './figures/ceiling.js';
import { change } from './figures/change.js';
import { firstSync } from './figures/first-sync.js';
import { listing } from './figures/listing.js';
import { noop } from './figures/noop.js';
import { rebuild } from './figures/rebuild.js';
import { verify } from './figures/verify.js';
import { Nginx } from './nginx.js';
import { BIN, profileJubjub, REPO, sh, shellQuote } from './proc.js';
import { consoleTable, markdownReport, type Machine } from './report.js';
import { MB } from './stats.js';
import { FileBytes, startUpstream } from './upstream.js';

const USAGE = `usage: npm run bench [-- options]
  --quick             small scales (under a minute once the corpus is cached), for iterating
  --only LIST         figures to run, e.g. 1,4 (figures 2, 3, 5 and 6 sync a mirror first, untimed, when 1 is left out)
  --reps N            every repetition count set to N
  --cache DIR         where the generated corpus is kept between runs (default $TMPDIR/jubjub-bench-cache)
  --work DIR          scratch folder, emptied first (default $TMPDIR/jubjub-bench-work)
  --out DIR           results folder (default bench/results)
  --nginx-workers N   nginx worker processes (default 1)
  --no-ceiling        skip measuring the servers' ceilings
  --keep              keep the work folder afterwards
  --profile           write a V8 CPU profile of every jubjub process to <out>/profiles/
                      (slows jubjub down; summarize with node bench/dist/bench/profile-summary.js FILE)
`;

interface Options {
  scale: Scale;
  only: Set<number>;
  cache: string;
  work: string;
  out: string;
  nginxWorkers: number;
  ceiling: boolean;
  keep: boolean;
  profile: boolean;
}

function parse(argv: string[]): Options {
  let quick = false;
  let reps: number | null = null;
  const o: Omit<Options, 'scale'> = {
    only: new Set([1, 2, 3, 4, 5, 6, 7]),
    cache: process.env.JUBJUB_BENCH_CACHE ?? path.join(os.tmpdir(), 'jubjub-bench-cache'),
    work: path.join(os.tmpdir(), 'jubjub-bench-work'),
    out: path.join(REPO, 'bench', 'results'),
    nginxWorkers: 1,
    ceiling: true,
    keep: false,
    profile: false,
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value\n${USAGE}`);
      return v;
    };
    if (a === '--quick') quick = true;
    else if (a === '--only') {
      o.only = new Set(value().split(',').map(Number));
      if ([...o.only].some((n) => !Number.isInteger(n) || n < 1 || n > 7)) throw new Error(`--only takes figure numbers 1 to 7\n${USAGE}`);
    }
    else if (a === '--reps') reps = Number(value());
    else if (a === '--cache') o.cache = path.resolve(value());
    else if (a === '--work') o.work = path.resolve(value());
    else if (a === '--out') o.out = path.resolve(value());
    else if (a === '--nginx-workers') o.nginxWorkers = Number(value());
    else if (a === '--no-ceiling') o.ceiling = false;
    else if (a === '--keep') o.keep = true;
    else if (a === '--profile') o.profile = true;
    else if (a === '--help' || a === '-h') {
      process.stdout.write(USAGE);
      process.exit(0);
    } else throw new Error(`unknown option ${a}\n${USAGE}`);
  }
  const base = SCALES[quick ? 'quick' : 'full'];
  const scale: Scale = { ...base, reps: { ...base.reps } };
  if (reps !== null) for (const k of Object.keys(scale.reps) as Array<keyof Scale['reps']>) scale.reps[k] = reps;
  return { scale, ...o };
}

function version(cmd: string, args: string[]): string {
  try {
    const out = execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    return out.split('\n')[0]?.trim() ?? cmd;
  } catch (err) {
    // nginx -v prints to stderr.
    const e = err as { stderr?: string };
    return e.stderr?.split('\n')[0]?.trim() ?? `${cmd} (unknown version)`;
  }
}

function machine(work: string): Machine {
  let disk = '';
  try {
    const df = execFileSync('df', ['-hT', work], { encoding: 'utf8' }).trim().split('\n').pop()?.split(/\s+/) ?? [];
    disk = `${df[1] ?? '?'} on ${df[0] ?? '?'} (${df[2] ?? '?'}, ${df[4] ?? '?'} free)`;
  } catch {
    disk = 'unknown disk';
  }
  return {
    cpu: os.cpus()[0]?.model.trim() ?? 'unknown CPU',
    cores: os.availableParallelism(),
    memoryGiB: os.totalmem() / 1024 ** 3,
    node: process.versions.node,
    kernel: os.release(),
    disk,
    nginx: version('sh', ['-c', 'nginx -v 2>&1']).replace('nginx version: ', ''),
    curl: version('curl', ['--version']).split(' ').slice(0, 2).join(' '),
  };
}

/** The jubjub being measured: commit, and whether the working tree differs from it. */
function revision(): string {
  try {
    const head = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: REPO, encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--', 'src', 'scripts', 'bin', 'package.json'], { cwd: REPO, encoding: 'utf8' }).trim();
    return dirty ? `${head} + uncommitted changes` : head;
  } catch {
    return 'unknown revision';
  }
}

function requireTools(): void {
  const missing = ['curl', 'nginx', 'b2sum', 'sha256sum', 'xargs'].filter((t) => {
    try {
      execFileSync('sh', ['-c', `command -v ${t}`], { stdio: 'ignore' });
      return false;
    } catch {
      return true;
    }
  });
  if (missing.length) throw new Error(`the bench needs ${missing.join(', ')} on PATH (Debian: apt-get install -y curl nginx coreutils findutils)`);
  // bin/jubjub.js runs the build; figures 4 and 6 also load these modules of it.
  for (const rel of ['dist/publish/root-index.js', 'dist/storage/storage.js', 'dist/verify/verify.js']) {
    if (!existsSync(path.join(REPO, rel))) throw new Error(`jubjub is not built (${BIN} needs dist/, ${rel} is missing): run npm run build`);
  }
}

async function main(): Promise<void> {
  const opts = parse(process.argv.slice(2));
  const started = Date.now();
  const startedAt = new Date().toISOString();
  const load0 = os.loadavg();
  const log = (msg: string) => process.stdout.write(`[${((Date.now() - started) / 1000).toFixed(0).padStart(4)} s] ${msg}\n`);
  requireTools();
  // The disk the mirrors are written to: the work folder's (made below), so its nearest existing parent.
  let onDisk = opts.work;
  while (!existsSync(onDisk) && path.dirname(onDisk) !== onDisk) onDisk = path.dirname(onDisk);
  const mach = machine(onDisk);
  const rev = revision();
  log(`jubjub ${rev}, bench (${opts.scale.mode}): ${mach.cpu}, ${mach.cores} cores, Node ${mach.node}; load average ${load0.map((x) => x.toFixed(2)).join(' ')}`);
  if (opts.scale.mode === 'quick') log('quick mode: scales are far below the issue\'s, so the verdicts are only indicative');
  if (load0[0]! > mach.cores) log(`warning: the machine is busy (load ${load0[0]!.toFixed(1)} on ${mach.cores} cores): figures will be noisy`);

  if (opts.profile) {
    const dir = path.join(opts.out, 'profiles');
    await rm(dir, { recursive: true, force: true });
    await mkdir(dir, { recursive: true });
    profileJubjub(dir);
    log(`profiling every jubjub process into ${dir}: timings are not representative`);
  }
  await mkdir(opts.cache, { recursive: true });
  // Corpora of older generator versions or scales are never used again.
  const current = new Set(Object.values(SCALES).map((s) => `corpus-${corpusKey(s.corpus)}`));
  for (const name of await readdir(opts.cache)) {
    if (name.startsWith('corpus-') && !current.has(name)) {
      log(`removing stale corpus ${path.join(opts.cache, name)}`);
      await rm(path.join(opts.cache, name), { recursive: true, force: true });
    }
  }
  await rm(opts.work, { recursive: true, force: true });
  await mkdir(opts.work, { recursive: true });
  const freeGB = (dir: string) => {
    const s = statfsSync(dir);
    return (s.bavail * s.bsize) / 1e9;
  };
  const needGB = opts.scale.mode === 'full' ? 8 : 1;
  if (freeGB(opts.work) < needGB) throw new Error(`${opts.work} has ${freeGB(opts.work).toFixed(1)} GB free; the ${opts.scale.mode} bench needs about ${needGB} GB`);

  const corpus = await loadCorpus(opts.cache, opts.scale.corpus, log);
  const files = corpusFiles(corpus.projects);
  const totalBytes = files.reduce((n, f) => n + f.size, 0);
  const sizes = files.map((f) => f.size).sort((a, b) => a - b);
  const corpusText =
    `${corpus.projects.length.toLocaleString('en-US')} projects, ${files.length.toLocaleString('en-US')} files ` +
    `(${files.filter((f) => f.metadataSha256).length.toLocaleString('en-US')} wheels with .metadata), ${(totalBytes / MB).toFixed(0)} MB; ` +
    `file sizes median ${(sizes[Math.floor(sizes.length / 2)]! / 1000).toFixed(0)} KB, p99 ${(sizes[Math.floor(sizes.length * 0.99)]! / 1000).toFixed(0)} KB, ` +
    `max ${(sizes[sizes.length - 1]! / 1000).toFixed(0)} KB; ${((files.filter(isWindows).length / files.length) * 100).toFixed(1)}% Windows wheels`;
  log(`corpus: ${corpusText}`);

  const store = new FileBytes(corpus.docroot);
  const t0 = Date.now();
  const fake = await startUpstream(corpus.projects, store);
  log(`fake PyPI at ${fake.url} (catalog loaded in ${((Date.now() - t0) / 1000).toFixed(1)} s)`);
  const nginx = await Nginx.start(corpus.docroot, path.join(opts.work, 'nginx'), opts.nginxWorkers);
  log(`nginx at ${nginx.url} serving ${corpus.docroot}`);

  const b: Bench = { scale: opts.scale, work: opts.work, corpus, store, nginx, fake, mirror: null, rows: [], details: {}, log };
  let ceil: Ceiling[] = [];
  let failure: unknown = null;
  try {
    if (opts.ceiling) ceil = await ceilings(b);
    const want = (n: number) => opts.only.has(n);
    if (want(1) || want(7) || want(2) || want(3) || want(5) || want(6)) await firstSync(b, { measure: want(1) || want(7) });
    if (want(2)) await noop(b);
    if (want(6)) await verify(b);
    if (want(5)) await rebuild(b);
    if (want(3)) await change(b); // changes the upstream: after every figure that needs it unchanged
    if (want(4)) await listing(b);
  } catch (err) {
    failure = err;
    log(`FAILED: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  } finally {
    const nginxErrors = await nginx.errors();
    if (nginxErrors.length > 0) {
      log(`warning: nginx logged ${nginxErrors.length} error line(s), e.g. ${nginxErrors[0]}`);
      b.details.nginxErrors = nginxErrors.slice(0, 50);
    }
    await nginx.stop();
    await fake.close();
  }

  b.rows.sort((x, y) => x.figure - y.figure);
  const durationS = (Date.now() - started) / 1000;
  const load1 = os.loadavg();
  const input = { mode: opts.scale.mode, revision: rev, startedAt, durationS, machine: mach, load: { start: load0, end: load1 }, corpus: corpusText, rows: b.rows, ceilings: ceil };
  await mkdir(opts.out, { recursive: true });
  const name = opts.scale.mode === 'full' ? 'latest' : 'latest-quick';
  const json = {
    ...input,
    error: failure ? String(failure instanceof Error ? failure.message : failure) : null,
    scale: opts.scale,
    corpusParams: corpus.params,
    details: b.details,
  };
  await writeFile(path.join(opts.out, `${name}.json`), `${JSON.stringify(json, null, 2)}\n`);
  await writeFile(path.join(opts.out, `${name}.md`), markdownReport(input));

  process.stdout.write(`\n${consoleTable(b.rows)}\n\n`);
  process.stdout.write(`results: ${path.join(opts.out, `${name}.json`)} and ${name}.md (${durationS.toFixed(0)} s)\n`);
  if (!opts.keep) {
    // Several mirrors of ~90,000 files each: one rm per folder, side by side.
    const t = Date.now();
    const entries = await readdir(opts.work);
    await Promise.all(entries.map((e) => sh(`rm -rf ${shellQuote(path.join(opts.work, e))}`)));
    await rm(opts.work, { recursive: true, force: true });
    process.stdout.write(`removed ${opts.work} in ${((Date.now() - t) / 1000).toFixed(0)} s\n`);
  }
  if (failure) process.exitCode = 1;
}

main().catch((err: unknown) => {
  process.stderr.write(`bench: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
