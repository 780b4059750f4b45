/**
 * `dependencies: true` end to end: a requirements file with deep chains, markers and
 * extras becomes a mirror real pip installs it from for the target (3.11, linux x86_64),
 * holding nothing outside the closure; `rebuild` keeps it exact as the file changes, and
 * a denied dependency is reported by `status` and `rebuild --dry-run`.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { FakeFileSpec, FakeReleaseSpec } from '../fake-pypi/catalog.js';
import { FakePypi } from '../fake-pypi/index.js';
import { pip, serveMirror } from './clients.js';
import { cleanup, listTree, makeMirror, publishedFiles, readJson, runJubjub, spawnJubjub, writeConfig, type Mirror } from './harness.js';
import { checkTree } from './tree-check.js';

const LINUX = 'manylinux_2_17_x86_64.manylinux2014_x86_64';
const PURE: FakeFileSpec[] = [{ kind: 'wheel' }, { kind: 'sdist' }];
const NATIVE: FakeFileSpec[] = ['cp311', 'cp312'].flatMap((cp) => [
  { tags: `${cp}-${cp}-${LINUX}` },
  { tags: `${cp}-${cp}-manylinux_2_17_aarch64.manylinux2014_aarch64` },
  { tags: `${cp}-${cp}-win_amd64` },
  { tags: `${cp}-${cp}-macosx_11_0_arm64` },
]);

type Seed = Record<string, Array<[version: string, requiresDist: string[], files?: FakeFileSpec[], spec?: FakeReleaseSpec]>>;

const SEED: Seed = {
  webapp: [['1.0', ['flaskish>=2', 'asyncdep>=1; extra == "async"', 'winonly; sys_platform == "win32"', 'oldpy; python_version < "3.8"', 'tomlish>=1; python_version < "3.11"']]],
  flaskish: [
    ['1.0', ['ancient']],
    ['2.0', ['werkzeugish<3']],
    ['3.0', ['werkzeugish>=3', 'Clickish>=8']],
  ],
  werkzeugish: [
    ['2.3', []],
    ['3.0', ['markupsafeish>=2.1']],
    ['3.1', ['markupsafeish>=2.1']],
  ],
  markupsafeish: [
    ['2.0', [], [...NATIVE, { kind: 'sdist' }]],
    ['2.1.5', [], [...NATIVE, { kind: 'sdist' }]],
  ],
  clickish: [['8.1', ['coloramaish; platform_system == "Windows"']]],
  asyncdep: [['1.0', ['anyioish[trio]>=4']]],
  anyioish: [
    ['3.0', ['sniffioish>=1']],
    ['4.0', ['sniffioish>=1', 'trioish>=0.23; extra == "trio"', 'exceptiongroupish; python_version < "3.11"', 'curioish; extra == "curio"']],
  ],
  sniffioish: [['1.3', []]],
  trioish: [['0.23', []], ['0.24', ['sniffioish']]],
  cliapp: [['1.0', ['clickish>=8', 'richish']], ['2.0', ['typerish']]],
  richish: [['13.0', ['pygmentsish>=2.13,<3']]],
  pygmentsish: [['2.12', []], ['2.17', []], ['3.0', []]],
  // Outside the closure: each is reachable only through a marker or release that is not kept.
  ancient: [['0.1', []]],
  winonly: [['1.0', []]],
  oldpy: [['1.0', []]],
  tomlish: [['2.0', []]],
  exceptiongroupish: [['1.2', []]],
  coloramaish: [['0.4', []]],
  typerish: [['0.9', []]],
  curioish: [['1.6', []]],
  unrelated: [['1.0', []]],
};

const CLOSURE = ['anyioish', 'asyncdep', 'cliapp', 'clickish', 'flaskish', 'markupsafeish', 'pygmentsish', 'richish', 'sniffioish', 'trioish', 'webapp', 'werkzeugish'];

let up: FakePypi;
const mirrors: Mirror[] = [];
const servers: ChildProcess[] = [];

beforeAll(async () => {
  up = await FakePypi.start();
  for (const [name, releases] of Object.entries(SEED)) {
    up.addProject(name);
    for (const [version, requiresDist, files, spec] of releases) {
      up.addRelease(name, version, { requiresPython: '>=3.8', ...spec, requiresDist });
      for (const f of files ?? PURE) up.addFile(name, version, f);
    }
  }
});
afterAll(async () => {
  for (const s of servers) s.kill('SIGTERM');
  await up.close();
  for (const m of mirrors) await cleanup(m);
});

async function ciMirror(requirements: string, filters: Record<string, unknown> = {}): Promise<Mirror> {
  const m = await makeMirror(up.url);
  mirrors.push(m);
  await writeFile(path.join(m.dir, 'requirements.txt'), requirements);
  await writeConfig(m, up.url, { filters: ciFilters(filters) });
  return m;
}

function ciFilters(extra: Record<string, unknown>): Record<string, unknown> {
  return { allow_files: ['./requirements.txt'], dependencies: true, python_versions: ['3.11'], platforms: { include: ['manylinux*_x86_64'] }, ...extra };
}

async function projectsIn(m: Mirror): Promise<string[]> {
  return (await readdir(path.join(m.root, 'simple'), { withFileTypes: true })).filter((d) => d.isDirectory()).map((d) => d.name).sort();
}

async function pipDownload(index: string, requirements: string): Promise<{ code: number; out: string; files: string[] }> {
  const dest = await mkdtemp(path.join(tmpdir(), 'jubjub-deps-'));
  try {
    const r = await pip([
      'download', '--isolated', '--no-cache-dir', '--disable-pip-version-check', '--index-url', index,
      '--only-binary', ':all:', '--python-version', '3.11', '--platform', 'manylinux2014_x86_64', '-d', dest, '-r', requirements,
    ]);
    return { ...r, files: (await readdir(dest)).sort() };
  } finally {
    await rm(dest, { recursive: true, force: true });
  }
}

describe('dependencies: true', () => {
  test('pip downloads the whole requirements file for 3.11 / linux x86_64 from the mirror, which holds only the closure', async () => {
    const m = await ciMirror('webapp[async]\ncliapp==1.0\n');
    const r = await runJubjub(['sync', '-c', m.config]);
    expect(r.code, r.stderr).toBe(0);
    expect(await projectsIn(m)).toEqual(CLOSURE);
    const tree = await listTree(m.root);
    expect(tree.some((f) => /win_amd64|macosx|aarch64/.test(f))).toBe(false);
    expect(tree.some((f) => f.includes('cp311-cp311-manylinux'))).toBe(true);
    expect(tree.some((f) => f.includes('cliapp-2.0'))).toBe(false);
    expect(tree.some((f) => f.includes('pygmentsish-3.0'))).toBe(false);
    expect((await checkTree(m.root)).problems).toEqual([]);

    const index = await serveMirror(m, servers);
    const dl = await pipDownload(index, path.join(m.dir, 'requirements.txt'));
    expect(dl.code, dl.out).toBe(0);
    expect(new Set(dl.files.map((f) => f.split('-')[0]?.toLowerCase()))).toEqual(
      new Set(['anyioish', 'asyncdep', 'cliapp', 'clickish', 'flaskish', 'markupsafeish', 'pygmentsish', 'richish', 'sniffioish', 'trioish', 'webapp', 'werkzeugish']),
    );

    // A no-op sync reuses the closure: one feed request, nothing else.
    const again = await runJubjub(['sync', '-c', m.config]);
    expect(again.code).toBe(0);
    const state = await readJson<{ lastRun: { requests: number } }>(path.join(m.state, 'mirror.json'));
    expect(state.lastRun.requests).toBe(1);
  });

  test('a sync killed mid-run resumes with the same closure, to the tree of an uninterrupted one', async () => {
    const whole = await ciMirror('webapp[async]\ncliapp==1.0\n');
    expect((await runJubjub(['sync', '-c', whole.config])).code).toBe(0);
    const m = await ciMirror('webapp[async]\ncliapp==1.0\n');
    await writeConfig(m, up.url, { filters: ciFilters({}), upstream: { download_concurrency: 1, metadata_concurrency: 1 } });
    const child = spawnJubjub(['sync', '-c', m.config]);
    const exited = new Promise((resolve) => child.once('exit', resolve));
    const journal = path.join(m.state, 'run.journal');
    for (let i = 0; i < 5000 && child.exitCode === null; i++) {
      if ((await readFile(journal, 'utf8').catch(() => '')).split('\n').filter(Boolean).length >= 3) break;
      await sleep(2);
    }
    child.kill('SIGKILL');
    await exited;
    expect((await readJson<{ closure?: unknown }>(path.join(m.state, 'run.json'))).closure).toBeDefined();
    expect((await runJubjub(['sync', '-c', m.config])).code).toBe(0);
    expect(await publishedFiles(m.root)).toEqual(await publishedFiles(whole.root));
    expect(await projectsIn(m)).toEqual(CLOSURE);
  });

  test('rebuild follows the requirements file; an upstream change is followed by sync; a deny is reported', async () => {
    const m = await ciMirror('webapp[async]\ncliapp==1.0\n');
    expect((await runJubjub(['sync', '-c', m.config])).code).toBe(0);

    // cliapp goes: richish and pygmentsish go with it; clickish stays (flaskish 3.0 needs it).
    await writeFile(path.join(m.dir, 'requirements.txt'), 'webapp[async]\n');
    const dry = await runJubjub(['rebuild', '--dry-run', '-c', m.config]);
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toMatch(/- richish/);
    expect(dry.stdout).toMatch(/- pygmentsish/);
    const rebuilt = await runJubjub(['rebuild', '-c', m.config]);
    expect(rebuilt.code, rebuilt.stderr).toBe(0);
    expect(await projectsIn(m)).toEqual(CLOSURE.filter((n) => !['cliapp', 'richish', 'pygmentsish'].includes(n)));
    const afterRebuild = await readJson<{ lastRun: { requests: number } }>(path.join(m.state, 'mirror.json'));
    expect(afterRebuild.lastRun.requests).toBe(0);

    // Upstream: a new webapp release needs a project nobody needed before.
    up.addRelease('webapp', '1.1', { requiresPython: '>=3.8', requiresDist: ['flaskish>=3', 'tomlish>=1'] });
    up.addFile('webapp', '1.1', { kind: 'wheel' });
    expect((await runJubjub(['sync', '-c', m.config])).code).toBe(0);
    expect(await projectsIn(m)).toContain('tomlish');

    // Deny a dependency: it goes, and both status and the dry run say the allowlist is unsatisfied.
    await writeConfig(m, up.url, { filters: ciFilters({ deny: ['trioish'] }) });
    const denied = await runJubjub(['rebuild', '--dry-run', '-c', m.config]);
    expect(denied.stdout).toMatch(/unsatisfied: 1 .*\n\s+trioish: denied, via .*requirements\.txt:1: webapp\[async\] → webapp 1\.0: asyncdep>=1; extra == "async" → asyncdep 1\.0: anyioish\[trio\]>=4 → anyioish 4\.0: trioish>=0\.23; extra == "trio"/);
    expect((await runJubjub(['rebuild', '-c', m.config])).code).toBe(0);
    expect(await projectsIn(m)).not.toContain('trioish');
    const status = JSON.parse((await runJubjub(['status', '--json', '-c', m.config])).stdout) as { unsatisfied: Array<{ name: string; reason: string }> };
    expect(status.unsatisfied.map((u) => [u.name, u.reason])).toEqual([['trioish', 'denied']]);
    expect((await runJubjub(['status', '-c', m.config])).stdout).toMatch(/unsatisfied:\s+1/);
  });

  test('a regional mirror following this one with changes: simple resolves the same closure from its .metadata', async () => {
    const a = await ciMirror('webapp[async]\ncliapp==1.0\n');
    expect((await runJubjub(['sync', '-c', a.config])).code).toBe(0);
    const index = await serveMirror(a, servers);
    const b = await makeMirror(index.replace(/\/simple\/$/, ''));
    mirrors.push(b);
    await writeFile(path.join(b.dir, 'requirements.txt'), 'webapp[async]\ncliapp==1.0\n');
    await writeConfig(b, index.replace(/\/simple\/$/, ''), { upstream: { changes: 'simple' }, filters: ciFilters({}) });
    const r = await runJubjub(['sync', '-c', b.config]);
    expect(r.code, r.stderr).toBe(0);
    expect(await projectsIn(b)).toEqual(await projectsIn(a));
    expect(await publishedFiles(b.root)).toEqual(await publishedFiles(a.root));
  });

  test('sync --project of a dependency keeps it (the stored closure selects it)', async () => {
    const m = await ciMirror('richish\n');
    expect((await runJubjub(['sync', '-c', m.config])).code).toBe(0);
    expect(await projectsIn(m)).toEqual(['pygmentsish', 'richish']);
    const r = await runJubjub(['sync', '--project', 'pygmentsish', '-c', m.config]);
    expect(r.code, r.stderr).toBe(0);
    expect(await projectsIn(m)).toEqual(['pygmentsish', 'richish']);
  });
});
