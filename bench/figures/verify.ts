/**
 * Figure 6: `jubjub verify` (full: every file and `.metadata` hashed, pages, links,
 * listing, orphans) against `sha256sum` over the same files through `xargs -P N`, N being
 * jubjub's own read concurrency (IO_CONCURRENCY in src/verify/verify.ts). The mirror's
 * tree and state are read once (cat) before, so both hash from a warm page cache: this
 * measures hashing and bookkeeping, not the disk. Then each command runs once untimed,
 * as figure 2 does: after the cat, the first verify still took 1.3-1.6 times as long as
 * the next ones in three runs out of three (with 7.6 s of system time against 3.9-4.5 s
 * by hand), which measured the kernel's caches rather than jubjub.
 */
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { corpusFiles } from '../corpus.js';
import { addRow, repeat, type Bench } from '../context.js';
import { jubjub, must, REPO, sh, shellQuote, type Timed } from '../proc.js';
import { MB, median } from '../stats.js';

type VerifyModule = typeof import('../../src/verify/verify.js');

export async function verify(b: Bench): Promise<void> {
  const m = b.mirror;
  if (!m) throw new Error('figure 6 needs the mirror of figure 1');
  const { IO_CONCURRENCY } = (await import(pathToFileURL(path.join(REPO, 'dist/verify/verify.js')).href)) as VerifyModule;
  const files = corpusFiles(b.corpus.projects);
  const bytes = files.reduce((n, f) => n + f.size + (f.metadataSha256 ? f.metadataSize : 0), 0);
  const count = files.length + files.filter((f) => f.metadataSha256).length;
  const reps = b.scale.reps.verify;
  b.log(`figure 6: verify vs sha256sum -P ${IO_CONCURRENCY}: ${count} files, ${(bytes / MB).toFixed(0)} MB (warm cache, up to ${reps} runs each)`);
  const shaCmd = `cd ${shellQuote(m.root)} && find packages -type f -print0 | xargs -0 -P ${IO_CONCURRENCY} -n 256 sha256sum > /dev/null`;
  const runVerify = async (): Promise<Timed> => {
    const r = await jubjub(['verify', '--json', '-c', m.config], { stderrFile: m.log });
    if (r.code !== 0) throw new Error(`verify exited ${r.code}: ${r.stdout.slice(0, 1000)}`);
    const report = JSON.parse(r.stdout) as { ok: boolean; checked: { files: number; metadata: number; bytes: number } };
    if (!report.ok || report.checked.files !== files.length) throw new Error(`verify checked ${report.checked.files} files (expected ${files.length}), ok=${report.ok}`);
    return r;
  };
  const runSha = async (): Promise<Timed> => {
    const r = await sh(shaCmd);
    if (r.code !== 0) throw new Error(`sha256sum pipeline exited ${r.code}: ${r.stderr.slice(0, 500)}`);
    return r;
  };
  await must('warm the page cache', sh(`find ${shellQuote(m.root)} ${shellQuote(m.state)} -type f -print0 | xargs -0 cat > /dev/null`));
  await runVerify();
  await runSha();
  const jv: number[] = [];
  const sv: number[] = [];
  await repeat(b, 'verify', reps, b.scale.minReps, b.scale.budgetS.verify, async () => {
    jv.push((await runVerify()).wallMs / 1000);
    sv.push((await runSha()).wallMs / 1000);
  });
  b.log(`  verify: ${jv.map((x) => x.toFixed(2)).join(' ')} s; sha256sum: ${sv.map((x) => x.toFixed(2)).join(' ')} s`);
  addRow(b, {
    figure: 6, what: 'Verify hashing throughput', unit: 'MB/s',
    jubjub: bytes / MB / median(jv), baseline: bytes / MB / median(sv), baselineName: `sha256sum -P${IO_CONCURRENCY}`,
    target: { kind: 'ratio>=', value: 0.8 },
    samples: { jubjub: jv.map((s) => bytes / MB / s), baseline: sv.map((s) => bytes / MB / s) },
    note: `${count} files, whole-process wall time; verify also checks pages, links, listing and orphans`,
  });
  b.details.verify = { parallelism: IO_CONCURRENCY, files: count, bytes, jubjubWallS: jv, sha256sumWallS: sv, cache: 'warm (every file of the mirror read once before)' };
}
