/**
 * Figure 2: `jubjub sync` on an up-to-date mirror, timed as a whole process (start,
 * configuration, lock, one changelog request, state, exit). Baseline: `node -e 0`, the
 * floor any Node CLI pays to start and exit.
 */
import { addRow, repeat, type Bench } from '../context.js';
import { lastRun } from '../mirror.js';
import { jubjub, timed } from '../proc.js';
import { MB, median } from '../stats.js';
import { metadataRequests } from '../upstream.js';

export async function noop(b: Bench): Promise<void> {
  const m = b.mirror;
  if (!m) throw new Error('figure 2 needs the mirror of figure 1');
  const reps = b.scale.reps.noop;
  b.log(`figure 2: no-op sync on the ${b.corpus.projects.length}-project mirror (${reps} runs after one warm-up, and node -e 0)`);
  const warm = await jubjub(['sync', '-c', m.config], { stderrFile: m.log });
  if (warm.code !== 0) throw new Error(`no-op sync exited ${warm.code}; see ${m.log}`);
  const wall: number[] = [];
  const rss: number[] = [];
  const fakeReqs: number[] = [];
  const ownReqs: number[] = [];
  const node: number[] = [];
  const nodeRss: number[] = [];
  await repeat(b, 'no-op sync', reps, b.scale.minNoopReps, b.scale.budgetS.noop, async () => {
    const before = metadataRequests(b.fake).total;
    const r = await jubjub(['sync', '-c', m.config], { stderrFile: m.log });
    if (r.code !== 0) throw new Error(`no-op sync exited ${r.code}; see ${m.log}`);
    wall.push(r.wallMs / 1000);
    if (r.maxRss !== null) rss.push(r.maxRss);
    fakeReqs.push(metadataRequests(b.fake).total - before);
    const lr = await lastRun(m);
    ownReqs.push(lr.requests);
    if (lr.filesAdded || lr.filesRemoved) throw new Error(`no-op sync changed files: ${JSON.stringify(lr)}`);
    const n = await timed(process.execPath, ['-e', '0']);
    node.push(n.wallMs / 1000);
    if (n.maxRss !== null) nodeRss.push(n.maxRss);
  });
  b.log(`  jubjub: ${wall.map((x) => x.toFixed(3)).join(' ')} s; node -e 0: ${node.map((x) => x.toFixed(3)).join(' ')} s`);
  addRow(b, {
    figure: 2, what: 'No-op sync, whole process', unit: 's',
    jubjub: median(wall), baseline: median(node), baselineName: 'node -e 0',
    target: { kind: 'value<', value: 0.3 },
    samples: { jubjub: wall, baseline: node },
  });
  addRow(b, {
    figure: 2, what: 'No-op sync, upstream requests', unit: 'requests',
    jubjub: Math.max(...fakeReqs), baseline: null, baselineName: '', ratio: null,
    target: { kind: 'value==', value: 1 },
    samples: { jubjub: fakeReqs, baseline: [] },
    note: `counted at the fake (max over runs); jubjub's own count: ${Math.max(...ownReqs)}`,
  });
  b.details.noop = { wallS: wall, maxRss: rss, nodeWallS: node, nodeMaxRss: nodeRss, fakeRequests: fakeReqs, jubjubRequests: ownReqs, medianRssMB: median(rss) / MB };
  b.details.nodeBaselineRss = median(nodeRss);
}
