/**
 * Figure 3: cost follows change. Two upstreams list the same projects, one the whole
 * corpus and one its first tenth; in each round the same projects get one new release
 * each (an sdist and a wheel) on both, and `jubjub sync` runs on an up-to-date mirror
 * of each. The two wall times should be within 1.2× of each other. Rounds follow each
 * other as successive syncs would; the order of the two mirrors alternates.
 */
import path from 'node:path';
import { addRow, repeat, type Bench } from '../context.js';
import { lastRun, makeMirror, type Mirror } from '../mirror.js';
import { jubjub, must, sh } from '../proc.js';
import { median } from '../stats.js';
import { addRelease, startUpstream } from '../upstream.js';

export async function change(b: Bench): Promise<void> {
  const big = b.mirror;
  if (!big) throw new Error('figure 3 needs the mirror of figure 1');
  const pool = b.corpus.params.changedPool;
  const total = b.corpus.projects.length;
  const rounds = Math.min(b.scale.reps.change, b.corpus.params.changeRounds);
  const perRound = b.corpus.params.changed;
  b.log(`figure 3: ${perRound} changed projects on a mirror of ${total} vs a mirror of ${pool} (up to ${rounds} rounds)`);
  const smallFake = await startUpstream(b.corpus.projects.slice(0, pool), b.store);
  try {
    const small = await makeMirror(path.join(b.work, 'small'), { url: smallFake.url, filesUrl: b.nginx.url });
    const first = await jubjub(['sync', '-c', small.config], { stderrFile: small.log });
    if (first.code !== 0) throw new Error(`first sync of the small mirror exited ${first.code}; see ${small.log}`);
    // The big mirror may have fallen behind (figures 2, 5 and 6 leave it as it was): catch up untimed.
    const catchUp = await jubjub(['sync', '-c', big.config], { stderrFile: big.log });
    if (catchUp.code !== 0) throw new Error(`sync of the big mirror exited ${catchUp.code}; see ${big.log}`);

    const run = async (m: Mirror, expectedFiles: number): Promise<number> => {
      await must('sync(1)', sh('sync'));
      const r = await jubjub(['sync', '-c', m.config], { stderrFile: m.log });
      if (r.code !== 0) throw new Error(`sync exited ${r.code}; see ${m.log}`);
      const lr = await lastRun(m);
      if (lr.projects !== perRound || lr.filesAdded !== expectedFiles) {
        throw new Error(`change sync visited ${lr.projects} projects and added ${lr.filesAdded} files (expected ${perRound}, ${expectedFiles}); see ${m.log}`);
      }
      return r.wallMs / 1000;
    };
    const tb: number[] = [];
    const ts: number[] = [];
    let newFiles = 0;
    await repeat(b, 'change', rounds, b.scale.minReps, b.scale.budgetS.change, async (round) => {
      const changes = b.corpus.changes.filter((c) => c.round === round);
      for (const c of changes) {
        addRelease(b.fake, c.display, c.version, c.files, b.store);
        addRelease(smallFake, c.display, c.version, c.files, b.store);
      }
      newFiles = changes.reduce((n, c) => n + c.files.length, 0);
      if (round % 2 === 0) {
        tb.push(await run(big, newFiles));
        ts.push(await run(small, newFiles));
      } else {
        ts.push(await run(small, newFiles));
        tb.push(await run(big, newFiles));
      }
    });
    b.log(`  mirror of ${total}: ${tb.map((x) => x.toFixed(2)).join(' ')} s; mirror of ${pool}: ${ts.map((x) => x.toFixed(2)).join(' ')} s`);
    addRow(b, {
      figure: 3, what: `Sync of ${perRound} changed projects, mirror of ${total.toLocaleString('en-US')} vs ${pool.toLocaleString('en-US')}`, unit: 's',
      jubjub: median(tb), baseline: median(ts), baselineName: `same, ${pool} projects`,
      target: { kind: 'ratio<=', value: 1.2 },
      samples: { jubjub: tb, baseline: ts },
      note: `${newFiles} new files (and their .metadata) downloaded in each run`,
    });
    b.details.change = { changed: perRound, big: total, small: pool, newFilesPerRound: newFiles, bigWallS: tb, smallWallS: ts, smallFirstSyncS: first.wallMs / 1000 };
  } finally {
    await smallFake.close();
  }
}
