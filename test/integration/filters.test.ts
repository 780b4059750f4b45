/**
 * Each filter key end to end: the same upstream, one mirror per filter setting, and the
 * published files compared with what filters.md says should be there (computed here
 * from the fake's catalog, not from jubjub's planner).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import type { FakePypi } from '../fake-pypi/index.js';
import { useDemoUpstream } from './demo-upstream.js';
import { publishedFiles, runJubjub } from './harness.js';
import { checkTree } from './tree-check.js';

type F = ReturnType<FakePypi['files']>[number];

let up: FakePypi;
const mirror = useDemoUpstream((u) => {
  up = u;
});

const PRE = /(a|b|rc|\.dev)\d+$/;
const isPre = (f: F) => PRE.test(f.version);
const platform = (f: F) => (f.filename.endsWith('.whl') ? (f.filename.slice(0, -4).split('-').pop() ?? '') : '');

interface Case {
  name: string;
  filters: Record<string, unknown>;
  keep: (f: F, all: F[]) => boolean;
  files?: Record<string, string>;
}

/** Highest `n` versions of a project, by the fake's own ordering of releases (upload order here). */
function latestVersions(all: F[], project: string, n: number, skipPre: boolean): Set<string> {
  const order: string[] = [];
  for (const f of all) if (f.project === project && !order.includes(f.version) && !(skipPre && PRE.test(f.version))) order.push(f.version);
  return new Set(order.slice(-n));
}

const cases: Case[] = [
  { name: 'allow', filters: { allow: ['requests', 'IDNA'] }, keep: (f) => ['requests', 'idna'].includes(f.project) },
  {
    name: 'allow with specifiers',
    filters: { allow: ['requests>=2.32,<2.33', 'certifi==2024.2.2'] },
    keep: (f) => (f.project === 'requests' && ['2.32.0', '2.32.3'].includes(f.version)) || (f.project === 'certifi' && f.version === '2024.2.2'),
  },
  {
    name: 'allow_files with -r include',
    filters: { allow_files: ['filters/ci.txt'] },
    files: { 'filters/ci.txt': '# CI\n-r base.txt\nurllib3==2.2.2  # pinned\n', 'filters/base.txt': 'idna\n' },
    keep: (f) => f.project === 'idna' || (f.project === 'urllib3' && f.version === '2.2.2'),
  },
  { name: 'deny', filters: { deny: ['docopt', 'requests<2.32'] }, keep: (f) => f.project !== 'docopt' && !(f.project === 'requests' && f.version === '2.31.0') },
  { name: 'deny_files', filters: { deny_files: ['deny.txt'] }, files: { 'deny.txt': 'simplejson\nzope.interface>=6.1\n' }, keep: (f) => f.project !== 'simplejson' && !(f.project === 'zope-interface' && ['6.1', '7.0.dev0'].includes(f.version)) },
  { name: 'deny_patterns', filters: { deny_patterns: ['^zope-', 'json$'] }, keep: (f) => f.project !== 'zope-interface' && f.project !== 'simplejson' },
  { name: 'prereleases: false', filters: { prereleases: false }, keep: (f) => !isPre(f) },
  { name: 'yanked: false', filters: { yanked: false }, keep: (f) => !f.yanked },
  {
    name: 'latest: 1',
    filters: { latest: 1 },
    keep: (f, all) => latestVersions(all, f.project, 1, false).has(f.version),
  },
  { name: 'packagetypes', filters: { packagetypes: ['bdist_wheel'] }, keep: (f) => f.packagetype === 'bdist_wheel' },
  {
    name: 'platforms.exclude',
    filters: { platforms: { exclude: ['windows', 'macos'] } },
    keep: (f) => !/win|macosx/.test(platform(f)) && !f.filename.endsWith('.exe'),
  },
  {
    name: 'platforms.include',
    filters: { platforms: { include: ['manylinux*'] } },
    keep: (f) => !/win|macosx/.test(platform(f)) && !f.filename.endsWith('.exe') && !f.filename.includes('linux-x86_64.egg'),
  },
  { name: 'max_file_size', filters: { max_file_size: 1000 }, keep: (f) => f.size <= 1000 },
];

describe('filters end to end', () => {
  test.each(cases)('$name', async (c) => {
    const m = await mirror({ filters: c.filters });
    for (const [rel, text] of Object.entries(c.files ?? {})) {
      await mkdir(path.dirname(path.join(m.dir, rel)), { recursive: true });
      await writeFile(path.join(m.dir, rel), text);
    }
    const r = await runJubjub(['sync', '-c', m.config]);
    expect(r.code, r.stderr).toBe(0);
    const all = up.files();
    const expected = new Map(all.filter((f) => c.keep(f, all)).map((f) => [f.filename, f.sha256]));
    expect(expected.size).toBeGreaterThan(0);
    expect(new Set((await publishedFiles(m.root)).keys())).toEqual(new Set(expected.keys()));
    expect((await checkTree(m.root)).problems).toEqual([]);
  });

  test('max_project_size drops the lowest releases and reports the project over budget', async () => {
    const budget = up
      .files()
      .filter((f) => f.project === 'requests' && f.version !== '2.31.0')
      .reduce((n, f) => n + f.size, 0);
    const m = await mirror({ filters: { allow: ['requests'], max_project_size: budget } });
    expect((await runJubjub(['sync', '-c', m.config])).code).toBe(0);
    const kept = [...(await publishedFiles(m.root)).keys()].sort();
    expect(kept).toEqual(up.files().filter((f) => f.project === 'requests' && f.version !== '2.31.0').map((f) => f.filename).sort());
    const status = JSON.parse((await runJubjub(['status', '--json', '-c', m.config])).stdout) as { overBudget: string[] };
    expect(status.overBudget).toEqual(['requests']);
  });
});
