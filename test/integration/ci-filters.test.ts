/**
 * The CI-shaped filters end to end: `python_versions` with platforms gives a mirror real
 * pip downloads from for that target, and `min_age` holds fresh files back until they
 * come of age, publishing them on a run where nothing changed upstream.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, describe, expect, test } from 'vitest';
import type { FakePypi } from '../fake-pypi/index.js';
import { pip, serveMirror } from './clients.js';
import { useDemoUpstream } from './demo-upstream.js';
import { listTree, publishedFiles, runJubjub } from './harness.js';
import { checkTree } from './tree-check.js';

let up: FakePypi;
const mirror = useDemoUpstream((u) => {
  up = u;
});
const servers: ChildProcess[] = [];
afterAll(() => {
  for (const s of servers) s.kill('SIGTERM');
});

describe('python_versions', () => {
  test('a 3.11 / linux mirror: pip downloads the requests chain for that target; nothing for other Pythons', async () => {
    const m = await mirror({
      filters: { allow: ['requests', 'urllib3', 'idna', 'certifi', 'charset-normalizer'], python_versions: ['3.11'], platforms: { include: ['linux'] } },
    });
    expect((await runJubjub(['sync', '-c', m.config])).code).toBe(0);
    const files = [...(await publishedFiles(m.root)).keys()];
    expect(files.some((f) => f.includes('-cp312-'))).toBe(false);
    expect(files.some((f) => f.includes('win_amd64') || f.includes('macosx'))).toBe(false);
    expect(files).toContain('charset_normalizer-3.3.2-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl');
    // requests 2.33.0rc1 requires Python >=3.9: kept, like every release whose requires-python allows 3.11.
    expect((await checkTree(m.root)).problems).toEqual([]);

    const index = await serveMirror(m, servers);
    const dest = await mkdtemp(path.join(tmpdir(), 'jubjub-pipdl-'));
    try {
      const r = await pip([
        'download', '--isolated', '--no-cache-dir', '--disable-pip-version-check', '--index-url', index,
        '--only-binary', ':all:', '--python-version', '3.11', '--platform', 'manylinux2014_x86_64', '-d', dest, 'requests==2.32.3',
      ]);
      expect(r.code, r.out).toBe(0);
      const got = (await readdir(dest)).sort();
      expect(got.map((f) => f.split('-')[0])).toEqual(['certifi', 'charset_normalizer', 'idna', 'requests', 'urllib3']);
    } finally {
      await rm(dest, { recursive: true, force: true });
    }
  });
});

describe('min_age', () => {
  test('fresh files wait, appear on a no-op run once of age; one yanked in its cooldown never appears', async () => {
    const fresh = new Date(Date.now() - 500).toISOString();
    up.addRelease('idna', '3.8', { requiresPython: '>=3.6' });
    const wheel = up.addFile('idna', '3.8', { kind: 'wheel', uploadTime: fresh });
    up.addRelease('certifi', '2024.8.30');
    const yanked = up.addFile('certifi', '2024.8.30', { kind: 'sdist', uploadTime: fresh });
    const m = await mirror({ filters: { allow: ['idna', 'certifi'], min_age: '3s' } });

    expect((await runJubjub(['sync', '-c', m.config])).code).toBe(0);
    let files = await publishedFiles(m.root);
    expect(files.has(wheel)).toBe(false);
    expect(files.has(yanked)).toBe(false);
    expect(files.size).toBeGreaterThan(0);
    const status = JSON.parse((await runJubjub(['status', '--json', '-c', m.config])).stdout) as { quarantine: Array<{ name: string; releasedAt: string }> };
    expect(status.quarantine.map((q) => q.name).sort()).toEqual(['certifi', 'idna']);
    const human = await runJubjub(['status', '-c', m.config]);
    expect(human.stdout).toMatch(/quarantine:\s+2/);

    // Yanked during its cooldown; then nothing changes upstream until both come of age.
    up.yank('certifi', '2024.8.30', 'malware');
    expect((await runJubjub(['sync', '-c', m.config])).code).toBe(0);
    const releasedAt = Math.max(...status.quarantine.map((q) => Date.parse(q.releasedAt)));
    await sleep(Math.max(0, releasedAt - Date.now()) + 100);
    up.resetCounts();
    const r = await runJubjub(['sync', '-c', m.config]);
    expect(r.code, r.stderr).toBe(0);
    expect(up.requests.xmlrpc).toEqual({ changelog_since_serial: 1 });
    files = await publishedFiles(m.root);
    expect(files.get(wheel)).toBe(up.sha256(wheel));
    expect(files.has(yanked)).toBe(false);
    const after = JSON.parse((await runJubjub(['status', '--json', '-c', m.config])).stdout) as { quarantine: unknown[] };
    expect(after.quarantine).toEqual([]);
    expect((await listTree(m.root)).some((p) => p.endsWith(yanked))).toBe(false);
  });
});
