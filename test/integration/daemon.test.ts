/**
 * `jubjub daemon` as a real process: runs at start and on its schedule, never two runs at
 * once, survives failing runs and broken configuration edits, and stops on SIGTERM with
 * exit 0, leaving a state the next run completes.
 */
import type { ChildProcess } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, describe, expect, test } from 'vitest';
import type { FakePypi } from '../fake-pypi/index.js';
import { useDemoUpstream } from './demo-upstream.js';
import { publishedFiles, runJubjub, spawnJubjub, writeConfig, type Mirror } from './harness.js';
import { checkTree } from './tree-check.js';

let up: FakePypi;
const mirror = useDemoUpstream((u) => {
  up = u;
});
const children: ChildProcess[] = [];
afterAll(() => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
});

interface LogLine {
  msg: string;
  level: number;
  [key: string]: unknown;
}

/** A running daemon and its log lines as they arrive. */
function startDaemon(m: Mirror): { child: ChildProcess; lines: LogLine[]; exited: Promise<number | null> } {
  const child = spawnJubjub(['daemon', '-c', m.config]);
  children.push(child);
  const lines: LogLine[] = [];
  let buf = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    buf += chunk.toString('utf8');
    const parts = buf.split('\n');
    buf = parts.pop() ?? '';
    for (const p of parts) if (p.startsWith('{')) lines.push(JSON.parse(p) as LogLine);
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, lines, exited };
}

async function waitFor(lines: LogLine[], pred: (l: LogLine) => boolean, timeoutMs = 15_000): Promise<LogLine> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const hit = lines.find(pred);
    if (hit) return hit;
    if (Date.now() > end) throw new Error(`timed out; log so far:\n${lines.map((l) => JSON.stringify(l)).join('\n')}`);
    await sleep(25);
  }
}

const count = (lines: LogLine[], msg: string) => lines.filter((l) => l.msg === msg).length;

describe('daemon', () => {
  test('syncs at start and on schedule, skips ticks during a slow run, and SIGTERM mid-run exits 0 with a resumable state', async () => {
    const m = await mirror({ schedule: '* * * * * *', filters: { allow: ['idna', 'daemon-fresh'] } });
    const d = startDaemon(m);
    await waitFor(d.lines, (l) => l.msg === 'run finished');
    const status = JSON.parse((await runJubjub(['status', '--json', '-c', m.config])).stdout) as { serial: number };
    expect(status.serial).toBe(up.serial());

    // A change upstream is picked up by a scheduled run, with no restart.
    up.addProject('daemon-fresh');
    up.addRelease('daemon-fresh', '1.0');
    up.addFile('daemon-fresh', '1.0', { kind: 'wheel' });
    await waitFor(d.lines, (l) => l.msg === 'run finished' && (l.filesAdded as number) >= 1);

    // Slow metadata makes a run outlast several ticks: they are skipped, not stacked.
    up.setFaults({ rate: 1, kinds: ['slow'], only: ['json'], slowMs: 2500 });
    up.addRelease('daemon-fresh', '2.0');
    up.addFile('daemon-fresh', '2.0', { kind: 'wheel' });
    await waitFor(d.lines, (l) => l.msg === 'previous run still going: this run is skipped');
    const finishedBefore = count(d.lines, 'run finished');
    const stopAt = Date.now();
    d.child.kill('SIGTERM');
    expect(await d.exited).toBe(0);
    expect(Date.now() - stopAt).toBeLessThan(10_000);
    expect(d.lines.some((l) => l.msg === 'daemon stopped')).toBe(true);
    expect(count(d.lines, 'run finished')).toBeLessThanOrEqual(finishedBefore + 1);
    expect((await checkTree(m.root, { complete: false })).problems).toEqual([]);

    up.setFaults(null);
    const next = await runJubjub(['sync', '-c', m.config]);
    expect(next.code, next.stderr).toBe(0);
    expect((await checkTree(m.root)).problems).toEqual([]);
    const published = await publishedFiles(m.root);
    for (const f of up.files().filter((x) => x.project === 'daemon-fresh')) expect(published.get(f.filename)).toBe(f.sha256);
  });

  test('a failing run or a broken configuration edit does not stop it; the lock is free between runs', async () => {
    const m = await mirror({ schedule: '* * * * * *', filters: { allow: ['certifi'] } });
    const good = await readFile(m.config, 'utf8');
    await writeConfig(m, 'http://127.0.0.1:9', { schedule: '* * * * * *', upstream: { retries: 0, timeout: '1s' }, filters: { allow: ['certifi'] } });
    const d = startDaemon(m);
    await waitFor(d.lines, (l) => l.msg === 'run failed; the daemon goes on');
    await writeFile(m.config, 'upstream: [not, a, mapping\n');
    await waitFor(d.lines, (l) => l.msg === 'run failed; the daemon goes on' && l.code === 'E_CONFIG');
    expect(d.child.exitCode).toBeNull();
    await writeFile(m.config, good);
    await waitFor(d.lines, (l) => l.msg === 'run finished' && l.outcome === 'ok');
    // Between runs an admin command gets the lock (it may meet a run; then it says so).
    let verify = await runJubjub(['verify', '--fast', '-c', m.config]);
    for (let i = 0; i < 20 && verify.code === 3; i++) verify = await runJubjub(['verify', '--fast', '-c', m.config]);
    expect(verify.code, verify.stderr).toBe(0);
    d.child.kill('SIGTERM');
    expect(await d.exited).toBe(0);
  });
});
