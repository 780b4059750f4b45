import { describe, expect, test } from 'vitest';
import type { ProjectMeta, PublishedFile, Release, UpstreamFile } from '../../src/model.js';
import { planProject, planTotals, type PlanOptions, type ProjectPlan } from '../../src/planner/plan.js';
import { compileFilters } from '../../src/planner/filters/compile.js';
import type { CompiledFilters } from '../../src/planner/filters/compiled.js';
import { defaultFilterSettings, type FilterSettings } from '../../src/planner/filters/settings.js';
import { filePath } from '../../src/publish/links.js';
import type { PublishedRecord } from '../../src/state/types.js';

let shaCounter = 0;
function sha(): string {
  return (shaCounter++).toString(16).padStart(64, '0');
}

function file(filename: string, opts: Partial<UpstreamFile> = {}): UpstreamFile {
  return {
    filename,
    url: `https://files.example/${filename}`,
    sha256: sha(),
    size: 1000,
    packagetype: filename.endsWith('.whl') ? 'bdist_wheel' : 'sdist',
    pythonVersion: filename.endsWith('.whl') ? 'py3' : 'source',
    requiresPython: null,
    yanked: false,
    yankedReason: null,
    uploadTime: '2024-01-01T00:00:00.000000Z',
    coreMetadataSha256: filename.endsWith('.whl') ? sha() : null,
    ...opts,
  };
}

function meta(releases: Release[], opts: Partial<ProjectMeta> = {}): ProjectMeta {
  return { name: 'foo', displayName: 'Foo', lastSerial: 100, releases, info: { name: 'Foo' }, ...opts };
}

function filters(partial: Partial<FilterSettings> = {}): CompiledFilters {
  return compileFilters({ ...defaultFilterSettings, ...partial }, { allow: [], deny: [] });
}

const DELETE: PlanOptions = { upstreamDeletions: 'delete', coreMetadata: true };
const KEEP: PlanOptions = { upstreamDeletions: 'keep', coreMetadata: true };

/** The published record a completed run of `plan` leaves behind. */
function recordOf(plan: ProjectPlan, pending: string[] = []): PublishedRecord {
  return {
    name: plan.name,
    displayName: plan.displayName,
    serial: plan.serial,
    files: plan.files.map((p): PublishedFile => ({ ...p.file, path: p.path, metadataSha256: p.metadataSha256 })),
    pending,
    pagesSha: null,
    overBudget: plan.overBudget,
  };
}

function names(plan: ProjectPlan): string[] {
  return plan.files.map((f) => f.file.filename);
}

const sdist10 = file('foo-1.0.tar.gz');
const wheel10 = file('foo-1.0-py3-none-any.whl');
const sdist20 = file('foo-2.0.tar.gz', { size: 2500 });
const wheel20 = file('foo-2.0-py3-none-any.whl', { size: 3000 });
const base = meta([
  { version: '1.0', files: [sdist10, wheel10] },
  { version: '2.0', files: [sdist20, wheel20] },
]);

describe('planProject', () => {
  test('nothing published: every file planned, none published', () => {
    const plan = planProject('foo', base, null, filters(), DELETE);
    expect(plan.name).toBe('foo');
    expect(plan.displayName).toBe('Foo');
    expect(plan.serial).toBe(100);
    expect(plan.overBudget).toBe(false);
    expect(plan.remove).toEqual([]);
    expect(names(plan).sort()).toEqual([sdist10, wheel10, sdist20, wheel20].map((f) => f.filename).sort());
    for (const p of plan.files) {
      expect(p.published).toBe(false);
      expect(p.metadataPublished).toBe(false);
      expect(p.path).toBe(filePath(p.file));
      expect(p.path).toBe(`packages/${p.file.sha256.slice(0, 2)}/${p.file.sha256.slice(2, 4)}/${p.file.sha256.slice(4)}/${p.file.filename}`);
    }
    const wheel = plan.files.find((p) => p.file.filename === wheel10.filename)!;
    expect(wheel.metadataSha256).toBe(wheel10.coreMetadataSha256);
    expect(wheel.file.version).toBe('1.0');
    const sdist = plan.files.find((p) => p.file.filename === sdist20.filename)!;
    expect(sdist.metadataSha256).toBeNull();
    expect(sdist.file.version).toBe('2.0');
    expect(planTotals(plan)).toEqual({ fetchFiles: 4, fetchBytes: 1000 + 1000 + 2500 + 3000, removeFiles: 0 });
  });

  test('releases come lowest first', () => {
    const plan = planProject('foo', meta([{ version: '2.0', files: [sdist20] }, { version: '1.0', files: [sdist10] }]), null, filters(), DELETE);
    expect(names(plan)).toEqual([sdist10.filename, sdist20.filename]);
  });

  test('the same input again: everything published, nothing removed', () => {
    const first = planProject('foo', base, null, filters(), DELETE);
    const again = planProject('foo', base, recordOf(first), filters(), DELETE);
    expect(again.remove).toEqual([]);
    expect(again.files).toHaveLength(4);
    for (const p of again.files) {
      expect(p.published).toBe(true);
      expect(p.metadataPublished).toBe(p.metadataSha256 !== null);
    }
    expect(again.files.map((f) => f.path)).toEqual(first.files.map((f) => f.path));
    expect(planTotals(again)).toEqual({ fetchFiles: 0, fetchBytes: 0, removeFiles: 0 });
  });

  test('a published file of another size is not counted as published', () => {
    const first = planProject('foo', base, null, filters(), DELETE);
    const record = recordOf(first);
    record.files[0] = { ...record.files[0]!, size: 1 };
    const again = planProject('foo', base, record, filters(), DELETE);
    const p = again.files.find((f) => f.path === record.files[0]!.path)!;
    expect(p.published).toBe(false);
  });

  test('the upstream removed a file: its path and its .metadata are removed', () => {
    const first = planProject('foo', base, null, filters(), DELETE);
    const smaller = meta([
      { version: '1.0', files: [sdist10] },
      { version: '2.0', files: [sdist20, wheel20] },
    ]);
    const plan = planProject('foo', smaller, recordOf(first), filters(), DELETE);
    expect(names(plan)).not.toContain(wheel10.filename);
    const wheelPath = filePath(wheel10);
    expect(plan.remove.sort()).toEqual([wheelPath, `${wheelPath}.metadata`].sort());
    expect(plan.files.every((f) => f.published)).toBe(true);
  });

  test('a changed .metadata hash: new hash planned, not published, path kept', () => {
    const first = planProject('foo', base, null, filters(), DELETE);
    const changed = { ...wheel10, coreMetadataSha256: 'f'.repeat(64) };
    const plan = planProject('foo', meta([{ version: '1.0', files: [sdist10, changed] }, { version: '2.0', files: [sdist20, wheel20] }]), recordOf(first), filters(), DELETE);
    const p = plan.files.find((f) => f.file.filename === wheel10.filename)!;
    expect(p.published).toBe(true);
    expect(p.metadataSha256).toBe('f'.repeat(64));
    expect(p.metadataPublished).toBe(false);
    expect(plan.remove).not.toContain(`${filePath(wheel10)}.metadata`);
  });

  test('upstream_deletions keep: a file the upstream dropped stays', () => {
    const first = planProject('foo', base, null, filters(), KEEP);
    const smaller = meta([{ version: '2.0', files: [sdist20, wheel20] }], { lastSerial: 101 });
    const plan = planProject('foo', smaller, recordOf(first), filters(), KEEP);
    expect(plan.remove).toEqual([]);
    expect(names(plan).sort()).toEqual([sdist10, wheel10, sdist20, wheel20].map((f) => f.filename).sort());
    const kept = plan.files.find((f) => f.file.filename === wheel10.filename)!;
    expect(kept.published).toBe(true);
    expect(kept.file.version).toBe('1.0');
    expect(kept.metadataSha256).toBe(wheel10.coreMetadataSha256);
    expect(kept.metadataPublished).toBe(true);
    expect(kept.file).not.toHaveProperty('path');
    expect(plan.serial).toBe(101);
  });

  test('upstream_deletions keep: a retained file still goes through the filters', () => {
    const first = planProject('foo', base, null, filters(), KEEP);
    const smaller = meta([{ version: '2.0', files: [sdist20, wheel20] }]);
    // Now only sdists are wanted: the dropped 1.0 wheel goes, the dropped 1.0 sdist stays.
    const plan = planProject('foo', smaller, recordOf(first), filters({ packagetypes: ['sdist'] }), KEEP);
    expect(names(plan)).toEqual([sdist10.filename, sdist20.filename]);
    const wheelPath = filePath(wheel10);
    expect(plan.remove.sort()).toEqual([wheelPath, `${wheelPath}.metadata`, filePath(wheel20), `${filePath(wheel20)}.metadata`].sort());
  });

  test('upstream_deletions keep: retained releases count for latest', () => {
    const first = planProject('foo', base, null, filters(), KEEP);
    const onlyNew = meta([{ version: '3.0', files: [file('foo-3.0.tar.gz')] }]);
    const plan = planProject('foo', onlyNew, recordOf(first), filters({ latest: 2 }), KEEP);
    expect([...new Set(plan.files.map((f) => f.file.version))]).toEqual(['2.0', '3.0']);
    expect(plan.remove.sort()).toEqual([filePath(sdist10), filePath(wheel10), `${filePath(wheel10)}.metadata`].sort());
  });

  test('meta null with delete: no files, everything removed', () => {
    const first = planProject('foo', base, null, filters(), DELETE);
    const plan = planProject('foo', null, recordOf(first), filters(), DELETE);
    expect(plan.files).toEqual([]);
    const expected = first.files.flatMap((f) => (f.metadataSha256 ? [f.path, `${f.path}.metadata`] : [f.path]));
    expect(plan.remove.sort()).toEqual(expected.sort());
    expect(expected).toHaveLength(6);
    expect(plan.displayName).toBe('Foo');
    expect(plan.serial).toBe(100);
  });

  test('meta null with nothing published: an empty plan', () => {
    const plan = planProject('ghost', null, null, filters(), DELETE);
    expect(plan).toEqual({ name: 'ghost', displayName: 'ghost', serial: 0, files: [], remove: [], overBudget: false, matureAt: null });
  });

  test('meta null with keep: unchanged', () => {
    const first = planProject('foo', base, null, filters(), KEEP);
    const record = recordOf(first);
    const plan = planProject('foo', null, record, filters(), KEEP);
    expect(plan.remove).toEqual([]);
    expect(plan.files.map((f) => f.path)).toEqual(first.files.map((f) => f.path));
    expect(plan.files.every((f) => f.published)).toBe(true);
    expect(plan.files.map((f) => f.metadataSha256)).toEqual(first.files.map((f) => f.metadataSha256));
    expect(plan.displayName).toBe(record.displayName);
    expect(plan.serial).toBe(record.serial);
  });

  test('a project no longer selected (deny) loses everything', () => {
    const first = planProject('foo', base, null, filters(), DELETE);
    const plan = planProject('foo', base, recordOf(first), filters({ deny: ['foo'] }), DELETE);
    expect(plan.files).toEqual([]);
    expect(plan.remove).toHaveLength(6);
    expect(new Set(plan.remove)).toEqual(new Set(first.files.flatMap((f) => (f.metadataSha256 ? [f.path, `${f.path}.metadata`] : [f.path]))));
  });

  test('a project outside allow, or matched by deny_patterns, plans nothing', () => {
    expect(planProject('foo', base, null, filters({ allow: ['bar'] }), DELETE).files).toEqual([]);
    expect(planProject('foo', base, null, filters({ denyPatterns: ['^fo'] }), DELETE).files).toEqual([]);
    expect(planProject('foo', base, null, filters({ allow: ['Foo'] }), DELETE).files).toHaveLength(4);
  });

  test('deny with a specifier drops a release, and its published files', () => {
    const first = planProject('foo', base, null, filters(), DELETE);
    const plan = planProject('foo', base, recordOf(first), filters({ deny: ['foo<2'] }), DELETE);
    expect(names(plan)).toEqual([wheel20.filename, sdist20.filename]); // files by name within a release
    expect(plan.remove.sort()).toEqual([filePath(sdist10), filePath(wheel10), `${filePath(wheel10)}.metadata`].sort());
  });

  test('coreMetadata false: no metadata planned, published .metadata removed', () => {
    const fresh = planProject('foo', base, null, filters(), { upstreamDeletions: 'delete', coreMetadata: false });
    expect(fresh.files.map((f) => f.metadataSha256)).toEqual([null, null, null, null]);
    expect(fresh.files.every((f) => !f.metadataPublished)).toBe(true);

    const withMeta = planProject('foo', base, null, filters(), DELETE);
    const plan = planProject('foo', base, recordOf(withMeta), filters(), { upstreamDeletions: 'delete', coreMetadata: false });
    expect(plan.files.every((f) => f.metadataSha256 === null && f.published)).toBe(true);
    expect(plan.remove.sort()).toEqual([`${filePath(wheel10)}.metadata`, `${filePath(wheel20)}.metadata`].sort());
  });

  test('pending paths not kept are removed, kept ones are not', () => {
    const first = planProject('foo', base, null, filters(), DELETE);
    const keptPath = filePath(sdist20);
    const stray = 'packages/00/00/dead/foo-0.9.tar.gz';
    const record = recordOf(first, [stray, keptPath, `${filePath(wheel10)}.metadata`]);
    const plan = planProject('foo', base, record, filters(), DELETE);
    expect(plan.remove).toEqual([stray]);
  });

  test('pending paths are removed when the project goes away', () => {
    const first = planProject('foo', base, null, filters(), DELETE);
    const stray = 'packages/00/00/dead/foo-0.9.tar.gz';
    const plan = planProject('foo', null, recordOf(first, [stray]), filters(), DELETE);
    expect(plan.remove).toContain(stray);
    expect(plan.remove).toHaveLength(7);
  });

  test('remove has no duplicates', () => {
    const first = planProject('foo', base, null, filters(), DELETE);
    const p = filePath(wheel10);
    const plan = planProject('foo', null, recordOf(first, [p, `${p}.metadata`]), filters(), DELETE);
    expect(new Set(plan.remove).size).toBe(plan.remove.length);
    expect(plan.remove).toHaveLength(6);
  });

  test('max_project_size marks the plan over budget', () => {
    const plan = planProject('foo', base, null, filters({ maxProjectSize: 7000 }), DELETE);
    expect(plan.overBudget).toBe(true);
    expect(names(plan)).toEqual([wheel20.filename, sdist20.filename]); // files by name within a release
  });

  test('is pure: the inputs are not changed', () => {
    const first = planProject('foo', base, null, filters(), KEEP);
    const record = recordOf(first, ['packages/x']);
    const snapshotMeta = JSON.stringify(base);
    const snapshotRecord = JSON.stringify(record);
    planProject('foo', meta([{ version: '2.0', files: [sdist20] }]), record, filters({ packagetypes: ['sdist'] }), KEEP);
    planProject('foo', null, record, filters(), DELETE);
    expect(JSON.stringify(base)).toBe(snapshotMeta);
    expect(JSON.stringify(record)).toBe(snapshotRecord);
  });
});
