/**
 * Figure 5: a filter change on the full mirror, `platforms.exclude: [windows]`, which
 * deletes every Windows wheel (about 30% of the corpus's files, from a third of its
 * projects). `rebuild --dry-run` and `rebuild` run from the cached metadata; the fake
 * counts the metadata requests they make (there should be none). Every `rebuild` starts
 * from the same mirror: what one run deletes or rewrites is put back from hard links
 * (restore.ts), and the mirror is left as it was. Baselines: reading the cached state a
 * rebuild reads (`cat state/meta/* state/published/*`), plus for `rebuild` unlinking
 * the files it deletes (`xargs rm`).
 */
import { readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { corpusFiles, isWindows } from '../corpus.js';
import { addRow, repeat, type Bench } from '../context.js';
import { lastRun, writeConfig } from '../mirror.js';
import { jubjub, must, sh, shellQuote } from '../proc.js';
import { restoreSaved, save, walk } from '../restore.js';
import { median } from '../stats.js';
import { metadataRequests } from '../upstream.js';

interface Plan {
  changed: number;
  deleteFiles: number;
  freeBytes: number;
  projects: Array<{ name: string; delete: Array<{ path: string }> }>;
}

export async function rebuild(b: Bench): Promise<void> {
  const m = b.mirror;
  if (!m) throw new Error('figure 5 needs the mirror of figure 1');
  const files = corpusFiles(b.corpus.projects);
  const windows = files.filter(isWindows);
  const share = windows.length / files.length;
  const cfg = path.join(m.dir, 'mirror-rebuild.yaml');
  await writeConfig(m, { url: b.fake.url, filesUrl: b.nginx.url }, { platforms: { exclude: ['windows'] } }, cfg);
  b.log(`figure 5: rebuild after platforms.exclude: [windows] (${windows.length} of ${files.length} files, ${(share * 100).toFixed(1)}%)`);
  const readState = `cd ${shellQuote(m.state)} && find meta published -type f -print0 | xargs -0 cat > /dev/null`;

  const dry: number[] = [];
  const dryBase: number[] = [];
  const dryReqs: number[] = [];
  let plan: Plan | null = null;
  await repeat(b, 'rebuild --dry-run', b.scale.reps.dryRun, b.scale.minReps, b.scale.budgetS.dryRun, async () => {
    const before = metadataRequests(b.fake).total;
    const r = await jubjub(['rebuild', '--dry-run', '--json', '-c', cfg], { stderrFile: m.log });
    if (r.code !== 0) throw new Error(`rebuild --dry-run exited ${r.code}; see ${m.log}`);
    dryReqs.push(metadataRequests(b.fake).total - before);
    plan = JSON.parse(r.stdout) as Plan;
    dry.push(r.wallMs / 1000);
    dryBase.push((await must('cat state', sh(readState))).wallMs / 1000);
  });
  const p = plan as Plan | null;
  if (!p) throw new Error('rebuild --dry-run printed no plan');
  b.log(`  dry run: ${dry.map((x) => x.toFixed(2)).join(' ')} s (plans ${p.deleteFiles} deletions in ${p.changed} projects); cat state: ${dryBase.map((x) => x.toFixed(2)).join(' ')} s`);

  // What a rebuild may delete or rewrite: the planned deletions, every page, the state.
  const deleted = p.projects.flatMap((x) => x.delete.map((d) => path.join(m.root, d.path)));
  const pages: string[] = [];
  for (const e of await readdir(m.root, { withFileTypes: true })) {
    if (e.name === 'packages' || e.name === '.jubjub-tmp') continue;
    if (e.isDirectory()) pages.push(...(await walk(path.join(m.root, e.name))));
    else if (e.isFile()) pages.push(path.join(m.root, e.name));
  }
  const saved = await save([...deleted, ...pages, ...(await walk(m.state))], path.join(b.work, 'rebuild-saved'));
  const list = path.join(b.work, 'rebuild-deleted.list');
  await writeFile(list, deleted.map((d) => `${d}\0`).join(''));

  const full: number[] = [];
  const fullBase: number[] = [];
  const fullReqs: number[] = [];
  const relinked: number[] = [];
  const summaries: unknown[] = [];
  try {
    await repeat(b, 'rebuild', b.scale.reps.rebuild, b.scale.minReps, b.scale.budgetS.rebuild, async () => {
      relinked.push(await restoreSaved(saved));
      await must('sync(1)', sh('sync'));
      const before = metadataRequests(b.fake).total;
      const r = await jubjub(['rebuild', '-c', cfg], { stderrFile: m.log });
      if (r.code !== 0) throw new Error(`rebuild exited ${r.code}; see ${m.log}`);
      fullReqs.push(metadataRequests(b.fake).total - before);
      const lr = await lastRun(m);
      summaries.push(lr);
      if (lr.filesRemoved !== windows.length) throw new Error(`rebuild removed ${lr.filesRemoved} files, expected ${windows.length}`);
      full.push(r.wallMs / 1000);
      relinked.push(await restoreSaved(saved));
      await must('sync(1)', sh('sync'));
      fullBase.push((await must('cat state + rm', sh(`(${readState}) && xargs -0 rm -f < ${shellQuote(list)}`))).wallMs / 1000);
    });
  } finally {
    await restoreSaved(saved);
  }
  b.log(`  rebuild: ${full.map((x) => x.toFixed(2)).join(' ')} s; cat state + rm: ${fullBase.map((x) => x.toFixed(2)).join(' ')} s`);
  addRow(b, {
    figure: 5, what: 'rebuild --dry-run (30% of files dropped)', unit: 's',
    jubjub: median(dry), baseline: median(dryBase), baselineName: 'cat state',
    target: { kind: 'value<', value: 2 },
    samples: { jubjub: dry, baseline: dryBase },
  });
  addRow(b, {
    figure: 5, what: 'rebuild (30% of files deleted)', unit: 's',
    jubjub: median(full), baseline: median(fullBase), baselineName: 'cat state + rm',
    target: { kind: 'value<', value: 5 },
    samples: { jubjub: full, baseline: fullBase },
    note: `${windows.length} files and their .metadata deleted, pages of ${p.changed} projects rewritten`,
  });
  addRow(b, {
    figure: 5, what: 'rebuild, upstream metadata requests', unit: 'requests',
    jubjub: Math.max(...dryReqs, ...fullReqs), baseline: null, baselineName: '', ratio: null,
    target: { kind: 'value==', value: 0 },
    samples: { jubjub: [...dryReqs, ...fullReqs], baseline: [] },
    note: 'XML-RPC + JSON API + simple requests counted at the fake, max over all runs',
  });
  b.details.rebuild = {
    windowsFiles: windows.length, files: files.length, share,
    plan: { changed: p.changed, deleteFiles: p.deleteFiles, freeBytes: p.freeBytes },
    dryRunS: dry, dryRunBaselineS: dryBase, rebuildS: full, rebuildBaselineS: fullBase,
    dryRunRequests: dryReqs, rebuildRequests: fullReqs, restoredFiles: relinked, summaries,
  };
}
