import { describe, expect, test } from 'vitest';
import { selectFiles } from '../../../src/planner/filters/select.js';
import { file, filters, keptFiles, keptVersions, MB, project, release } from './fixtures.js';

const sized = (version: string, size: number) => release(version, undefined, { size });

describe('order and shape', () => {
  test('releases ascending by version, files by filename, version attached', () => {
    const meta = project('foo', [
      release('10.0', ['foo-10.0.tar.gz', 'foo-10.0-py3-none-any.whl']),
      release('2.0', ['foo-2.0.zip']),
      release('2004d', ['foo-2004d.tar.gz']),
      release('2.0rc1', ['foo-2.0rc1.tar.gz']),
    ]);
    const sel = selectFiles(filters(), meta);
    expect(sel.files.map((f) => [f.version, f.filename])).toEqual([
      ['2004d', 'foo-2004d.tar.gz'],
      ['2.0rc1', 'foo-2.0rc1.tar.gz'],
      ['2.0', 'foo-2.0.zip'],
      ['10.0', 'foo-10.0-py3-none-any.whl'],
      ['10.0', 'foo-10.0.tar.gz'],
    ]);
    expect(sel.overBudget).toBe(false);
    expect(sel.files[0]).toMatchObject({ sha256: '0'.repeat(64), size: 1000, packagetype: 'sdist' });
  });

  test('pure: the same input gives the same answer, and the input is not changed', () => {
    const meta = project('foo', ['3.0', '1.0', '2.0']);
    const before = JSON.stringify(meta);
    const f = filters({ latest: 2 });
    expect(selectFiles(f, meta)).toEqual(selectFiles(f, meta));
    expect(JSON.stringify(meta)).toBe(before);
  });

  test('does not re-check step 1: a denied project still gets its files computed', () => {
    const f = filters({ deny: ['foo'], denyPatterns: ['^foo$'] });
    expect(keptVersions(f, project('foo', ['1.0']))).toEqual(['1.0']);
  });

  test('a project with no releases, or no files, selects nothing', () => {
    expect(selectFiles(filters(), project('foo', []))).toEqual({ files: [], overBudget: false, matureAt: null });
    expect(selectFiles(filters(), project('foo', [release('1.0', [])]))).toEqual({ files: [], overBudget: false, matureAt: null });
  });
});

describe('allow and deny on releases', () => {
  test('an allow entry without a specifier keeps every release, legacy included', () => {
    const f = filters({ allow: ['foo>=2', 'Foo'] });
    expect(keptVersions(f, project('foo', ['2004d', '1.0', '2.0']))).toEqual(['2004d', '1.0', '2.0']);
  });

  test('allow entries with specifiers: a release matching any one of them stays', () => {
    const f = filters({ allow: ['foo<1.5', 'foo>=3,<4'] });
    expect(keptVersions(f, project('foo', ['1.0', '2.0', '3.1', '4.0']))).toEqual(['1.0', '3.1']);
  });

  test('allow entries of other projects do not constrain this one', () => {
    const f = filters({ allow: ['foo==1.0', 'bar'] });
    expect(keptVersions(f, project('bar', ['1.0', '2.0']))).toEqual(['1.0', '2.0']);
  });

  test('deny with a specifier beats allow and pins', () => {
    const f = filters({ allow: ['foo==1.0', 'foo==2.0'], deny: ['foo==1.0'], latest: 1 });
    expect(keptVersions(f, project('foo', ['1.0', '2.0']))).toEqual(['2.0']);
  });

  test('several deny sets on one project', () => {
    const f = filters({ deny: ['foo<1', 'foo>=3'] });
    expect(keptVersions(f, project('foo', ['0.5', '1.0', '2.0', '3.0']))).toEqual(['1.0', '2.0']);
  });

  test('the name of the meta is matched normalized', () => {
    const meta = { ...project('foo-bar', ['1.0', '2.0']), name: 'Foo_Bar' };
    expect(keptVersions(filters({ allow: ['foo.bar==2.0'] }), meta)).toEqual(['2.0']);
  });
});

describe('pins', () => {
  test('pinned pre-release survives prereleases false; unpinned ones do not', () => {
    const f = filters({ prereleases: false, allow: ['foo==2.0rc1', 'foo>=1'] });
    expect(keptVersions(f, project('foo', ['1.0', '1.5b1', '2.0rc1', '2.0.dev1']))).toEqual(['1.0', '2.0rc1']);
  });

  test('== pins an equal version spelled differently; === pins the exact string', () => {
    const f = filters({ prereleases: false, allow: ['foo==2.0.0rc1', 'foo===3.0RC1', 'foo>=0'] });
    expect(keptVersions(f, project('foo', ['2.0rc1', '3.0rc1', '4.0rc1']))).toEqual(['2.0rc1', '3.0rc1']);
  });

  test('a wildcard or a deny entry does not pin', () => {
    const f = filters({ prereleases: false, allow: ['foo==2.*'], deny: ['foo==3.0rc1'] });
    expect(keptVersions(f, project('foo', ['2.0rc1', '2.0']))).toEqual(['2.0']);
  });

  test('latest keeps every pinned release beside the N highest', () => {
    const f = filters({ latest: 2, allow: ['foo==1.0', 'foo==1.1', 'foo>=2'] });
    expect(keptVersions(f, project('foo', ['1.0', '1.1', '2.0', '3.0', '4.0']))).toEqual(['1.0', '1.1', '3.0', '4.0']);
  });

  test('a pinned release among the N highest counts once', () => {
    const f = filters({ latest: 2, allow: ['foo==4.0', 'foo'] });
    expect(keptVersions(f, project('foo', ['1.0', '2.0', '3.0', '4.0']))).toEqual(['3.0', '4.0']);
  });

  test('a pinned release with no files left is gone', () => {
    const meta = project('foo', [release('1.0', [file('foo-1.0.tar.gz', { yanked: true })]), release('2.0')]);
    expect(keptVersions(filters({ yanked: false, allow: ['foo==1.0', 'foo==2.0'] }), meta)).toEqual(['2.0']);
  });
});

describe('latest', () => {
  test('counts releases left after the file filters and legacy versions rank lowest', () => {
    const meta = project('foo', [
      release('1.0'),
      release('2.0', [file('foo-2.0.tar.gz', { size: 5000 })]),
      release('2004d'),
      release('3.0'),
    ]);
    expect(keptVersions(filters({ latest: 2, maxFileSize: 4000 }), meta)).toEqual(['1.0', '3.0']);
    expect(keptVersions(filters({ latest: 4 }), meta)).toEqual(['2004d', '1.0', '2.0', '3.0']);
    expect(keptVersions(filters({ latest: 0 }), meta)).toHaveLength(4);
  });
});

describe('max_file_size', () => {
  test('a file of exactly the limit stays, one byte more goes', () => {
    const meta = project('foo', [
      release('1.0', [file('a.tar.gz', { size: 2048 }), file('b-1.0-py3-none-any.whl', { size: 2049 })]),
    ]);
    expect(keptFiles(filters({ maxFileSize: 2048 }), meta)).toEqual(['a.tar.gz']);
    expect(keptFiles(filters({ maxFileSize: 0 }), meta)).toEqual([]);
  });
});

describe('max_project_size', () => {
  test('a project of exactly the budget fits', () => {
    const sel = selectFiles(filters({ maxProjectSize: 12 * MB }), project('foo', ['1.0', '2.0', '3.0'].map((v) => sized(v, 4 * MB))));
    expect(sel.files).toHaveLength(3);
    expect(sel.overBudget).toBe(false);
  });

  test('drops the lowest releases first, counting every file of a release', () => {
    const meta = project('foo', [
      release('1.0', [file('a-1.0.tar.gz', { size: 1 * MB })]),
      release('2.0', [file('a-2.0.tar.gz', { size: 3 * MB }), file('a-2.0-py3-none-any.whl', { size: 3 * MB })]),
      release('3.0', [file('a-3.0.tar.gz', { size: 2 * MB }), file('a-3.0-py3-none-any.whl', { size: 2 * MB })]),
    ]);
    const sel = selectFiles(filters({ maxProjectSize: 9 * MB }), meta);
    expect([...new Set(sel.files.map((f) => f.version))]).toEqual(['3.0']);
    expect(sel.overBudget).toBe(true);
  });

  test('only files that passed the other filters count', () => {
    const meta = project('foo', [
      release('1.0', [file('a-1.0.tar.gz', { size: 4 * MB }), file('a-1.0-cp311-cp311-win_amd64.whl', { size: 50 * MB })]),
      release('2.0', [file('a-2.0.tar.gz', { size: 4 * MB })]),
    ]);
    const f = filters({ maxProjectSize: 8 * MB, platforms: { include: [], exclude: ['windows'] } });
    expect(selectFiles(f, meta)).toMatchObject({ overBudget: false, files: [{ filename: 'a-1.0.tar.gz' }, { filename: 'a-2.0.tar.gz' }] });
  });

  test('newest release alone over budget: no files, over budget', () => {
    const sel = selectFiles(filters({ maxProjectSize: 3 * MB }), project('foo', [sized('1.0', 4 * MB), sized('2.0', 4 * MB)]));
    expect(sel).toEqual({ files: [], overBudget: true, matureAt: null });
  });

  test('pinned releases are dropped last', () => {
    const meta = project('foo', [sized('1.0', 4 * MB), sized('2.0', 4 * MB), sized('3.0', 4 * MB), sized('4.0', 4 * MB)]);
    const f = filters({ maxProjectSize: 8 * MB, allow: ['foo==1.0', 'foo>=2'] });
    expect(keptVersions(f, meta)).toEqual(['1.0', '4.0']);
    expect(selectFiles(f, meta).overBudget).toBe(true);
    // Pinned releases go too once every unpinned one is gone, lowest first.
    const g = filters({ maxProjectSize: 4 * MB, allow: ['foo==1.0', 'foo==2.0'] });
    expect(keptVersions(g, meta)).toEqual(['2.0']);
  });

  test('applies after latest', () => {
    const meta = project('foo', ['1.0', '2.0', '3.0', '4.0'].map((v) => sized(v, 4 * MB)));
    const sel = selectFiles(filters({ latest: 2, maxProjectSize: 8 * MB }), meta);
    expect([...new Set(sel.files.map((f) => f.version))]).toEqual(['3.0', '4.0']);
    expect(sel.overBudget).toBe(false);
  });

  test('a budget of zero keeps only empty files', () => {
    const meta = project('foo', [release('1.0', [file('a-1.0.tar.gz', { size: 0 })]), sized('2.0', 1)]);
    expect(selectFiles(filters({ maxProjectSize: 0 }), meta)).toEqual({ files: [], overBudget: true, matureAt: null });
  });
});

describe('speed', () => {
  test('5,000 projects of 50 releases with every filter on: a loose bound that catches per-file re-parsing', () => {
    const f = filters({
      allow: Array.from({ length: 5000 }, (_, i) => `p${i}>=0.1,!=0.3`),
      deny: ['p1<0.2'],
      prereleases: false,
      latest: 20,
      platforms: { include: ['linux'], exclude: ['musllinux'] },
      maxFileSize: 10 * MB,
      maxProjectSize: 100 * MB,
    });
    const metas = Array.from({ length: 5000 }, (_, i) =>
      project(
        `p${i}`,
        Array.from({ length: 50 }, (_, j) =>
          release(`0.${j}${j % 7 === 0 ? 'rc1' : ''}`, [`p-0.${j}.tar.gz`, `p-0.${j}-cp311-cp311-manylinux_2_17_x86_64.whl`]),
        ),
      ),
    );
    const start = performance.now();
    let files = 0;
    for (const meta of metas) files += selectFiles(f, meta).files.length;
    const ms = performance.now() - start;
    expect(files).toBeGreaterThan(0);
    expect(ms).toBeLessThan(5000);
  });
});
