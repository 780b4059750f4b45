/**
 * Two commands started together on one mirror: one runs, the other exits 3 naming the
 * first; a lock left by a killed or torn process is taken over. The upstream answers
 * slowly, so whichever command wins holds the lock far longer than the two processes'
 * start-up times can differ: every round is a real overlap, not two runs in a row.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, test } from 'vitest';
import type { FakePypi, FaultConfig } from '../fake-pypi/index.js';
import { useDemoUpstream } from './demo-upstream.js';
import { listTree, publishedFiles, runJubjub, spawnJubjub, writeConfig, type Mirror } from './harness.js';
import { checkTree } from './tree-check.js';

let up: FakePypi;
const mirror = useDemoUpstream((u) => {
  up = u;
});

// Every JSON document waits 800 ms: a first sync of the ten demo projects needs two rounds
// of them (8 in flight), so its winner holds the lock for over 1.6 s.
const SLOW_JSON: FaultConfig = { rate: 1, kinds: ['slow'], only: ['json'], slowMs: 800 };
// A no-op sync asks only for the changelog, a rebuild or repair downloads files: slow both
// too, so whichever of the two wins holds the lock for at least 800 ms.
const SLOW_ALL: FaultConfig = { ...SLOW_JSON, only: ['json', 'xmlrpc', 'files'] };

afterEach(() => {
  up.setFaults(null);
});

interface Outcome {
  args: string[];
  pid: number;
  code: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
}

function collect(child: ChildProcess, args: string[]): Promise<Outcome> {
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (d: string) => {
    stderr += d;
  });
  child.stdout?.resume();
  const pid = child.pid ?? -1;
  return new Promise((resolve) => child.once('close', (code, signal) => resolve({ args, pid, code, signal, stderr })));
}

const ISO = /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z/;

/**
 * Starts both in the same tick. Checks that exactly one exited 0 and the other 3 with
 * the one line naming the winner's pid, host, command label and a start time within the
 * round; returns the winner.
 */
async function race(m: Mirror, a: { args: string[]; label: string }, b: { args: string[]; label: string }): Promise<{ winner: Outcome; loser: Outcome; label: string }> {
  const before = Date.now();
  const children = [a, b].map((c) => ({ c, child: spawnJubjub([...c.args, '-c', m.config]) }));
  const outcomes = await Promise.all(children.map(({ c, child }) => collect(child, c.args)));
  const [oa, ob] = outcomes as [Outcome, Outcome];
  const codes = outcomes.map((o) => o.code).sort();
  const detail = outcomes.map((o) => `${o.args.join(' ')} (pid ${o.pid}) exited ${o.code}: ${o.stderr.trim().split('\n').slice(-3).join(' | ')}`).join('\n');
  expect(codes, detail).toEqual([0, 3]);
  const [winner, loser, label] = oa.code === 0 ? [oa, ob, a.label] : [ob, oa, b.label];
  const lines = loser.stderr.trim().split('\n');
  expect(lines, detail).toHaveLength(1);
  const line = lines[0] ?? '';
  const prefix = `jubjub: mirror is locked by pid ${winner.pid} on ${hostname()} (${label}, started `;
  expect(line.startsWith(prefix), `${line}\nshould start with ${prefix}`).toBe(true);
  const started = line.slice(prefix.length, -1);
  expect(line.endsWith(')')).toBe(true);
  expect(started).toMatch(new RegExp(`^${ISO.source}$`));
  const t = Date.parse(started);
  expect(t).toBeGreaterThanOrEqual(before - 1000);
  expect(t).toBeLessThanOrEqual(Date.now());
  // The holder released the lock on its way out.
  expect(await exists(path.join(m.state, 'lock'))).toBe(false);
  return { winner, loser, label };
}

async function exists(p: string): Promise<boolean> {
  return (await stat(p).catch(() => null)) !== null;
}

function allFiles(): Map<string, string> {
  return new Map(up.files().map((f) => [f.filename, f.sha256]));
}

async function expectComplete(m: Mirror): Promise<void> {
  expect((await checkTree(m.root)).problems).toEqual([]);
  expect(await publishedFiles(m.root)).toEqual(allFiles());
}

const SYNC = { args: ['sync'], label: 'sync' };

describe('two commands started together: one runs, the other exits 3', () => {
  test.each([1, 2, 3, 4, 5])('sync and sync, round %i', async () => {
    const m = await mirror();
    up.setFaults(SLOW_JSON);
    const { winner } = await race(m, SYNC, SYNC);
    up.setFaults(null);
    expect(winner.stderr).toContain('run finished');
    await expectComplete(m);
  });

  test('sync and rebuild, over a changed filter', async () => {
    // Synced with the newest release only; then every release is wanted, so the rebuild
    // has files to download (slowly) and the sync a changelog call to wait for.
    const m = await mirror({ filters: { latest: 1 } });
    const first = await runJubjub(['sync', '-c', m.config]);
    expect(first.code, first.stderr).toBe(0);
    await writeConfig(m, up.url, { filters: { latest: 0 } });
    up.setFaults(SLOW_ALL);
    const { label } = await race(m, SYNC, { args: ['rebuild'], label: 'rebuild' });
    up.setFaults(null);
    expect((await checkTree(m.root)).problems).toEqual([]);
    // The loser runs afterwards, as cron would retry it; whichever order they ran in,
    // the rebuild has now applied the wider filter.
    const again = await runJubjub([label === 'rebuild' ? 'sync' : 'rebuild', '-c', m.config]);
    expect(again.code, again.stderr).toBe(0);
    await expectComplete(m);
  });

  test('sync and verify --repair, with a file missing', async () => {
    const m = await mirror();
    const first = await runJubjub(['sync', '-c', m.config]);
    expect(first.code, first.stderr).toBe(0);
    // A deleted file gives the repair a download to wait for.
    const victim = (await listTree(path.join(m.root, 'packages'))).find((p) => !p.endsWith('.metadata'));
    expect(victim).toBeDefined();
    await rm(path.join(m.root, 'packages', victim ?? ''));
    up.setFaults(SLOW_ALL);
    const { label } = await race(m, SYNC, { args: ['verify', '--repair'], label: 'verify --repair' });
    up.setFaults(null);
    if (label === 'sync') {
      const r = await runJubjub(['verify', '--repair', '-c', m.config]);
      expect(r.code, r.stderr).toBe(0);
    }
    await expectComplete(m);
    expect((await runJubjub(['verify', '-c', m.config])).code).toBe(0);
  });
});

describe('a lock nobody holds any more', () => {
  async function journalLines(m: Mirror): Promise<number> {
    const text = await readFile(path.join(m.state, 'run.journal'), 'utf8').catch(() => '');
    return text.split('\n').filter(Boolean).length;
  }

  test('SIGKILL mid-sync leaves the lock; of two syncs started next, one takes it over, resumes and completes', async () => {
    // Two JSON documents in flight at a time: five slow rounds, so most projects are
    // still to do when the first is journalled.
    const m = await mirror({ upstream: { metadata_concurrency: 2 } });
    up.setFaults(SLOW_JSON);
    const child = spawnJubjub(['sync', '-c', m.config]);
    const done = collect(child, ['sync']);
    for (let i = 0; i < 5000 && child.exitCode === null && (await journalLines(m)) < 1; i++) await sleep(2);
    expect(child.exitCode, 'the sync should still be running').toBeNull();
    child.kill('SIGKILL');
    const killed = await done;
    expect(killed.signal).toBe('SIGKILL');

    const left = JSON.parse(await readFile(path.join(m.state, 'lock'), 'utf8')) as { pid: number; host: string; command: string };
    expect(left).toMatchObject({ pid: killed.pid, host: hostname(), command: 'sync' });
    expect(() => process.kill(killed.pid, 0), 'the holder is gone').toThrow();
    expect((await publishedFiles(m.root)).size).toBeLessThan(allFiles().size);

    // Both find the dead holder's lock: exactly one may take it over, the other must then
    // see the new holder (not a second takeover, nor "contended" for both).
    const { winner } = await race(m, SYNC, SYNC);
    up.setFaults(null);
    expect(winner.stderr).toContain('resuming interrupted run');
    await expectComplete(m);
  });

  test.each([
    ['empty (created, never written)', ''],
    ['cut short', '{"pid": 4'],
    ['not JSON', '\u0000\u0000\u0000\u0000'],
  ])('a torn lock file, %s, is taken over', async (_label, body) => {
    const m = await mirror();
    await mkdir(m.state, { recursive: true });
    await writeFile(path.join(m.state, 'lock'), body);
    const r = await runJubjub(['sync', '-c', m.config]);
    expect(r.code, r.stderr).toBe(0);
    await expectComplete(m);
    expect(await exists(path.join(m.state, 'lock'))).toBe(false);
  });

  test('a lock held on another host is not taken over: its pid cannot be checked from here', async () => {
    const m = await mirror();
    await mkdir(m.state, { recursive: true });
    const holder = { pid: 1, host: `not-${hostname()}`, command: 'daemon: sync', startedAt: '2026-01-01T00:00:00.000Z' };
    await writeFile(path.join(m.state, 'lock'), JSON.stringify(holder));
    const r = await runJubjub(['sync', '-c', m.config]);
    expect(r.code).toBe(3);
    expect(r.stderr.trim()).toBe(`jubjub: mirror is locked by pid 1 on not-${hostname()} (daemon: sync, started 2026-01-01T00:00:00.000Z)`);
    expect(JSON.parse(await readFile(path.join(m.state, 'lock'), 'utf8'))).toEqual(holder);
  });
});
