/** The twenty numbered examples of filters.md, one test each. */
import { describe, expect, test } from 'vitest';
import { selectFiles } from '../../../src/planner/filters/select.js';
import { file, filters, keptFiles, keptVersions, MB, project, release, selectedProjects } from './fixtures.js';

const EX3 = ['1.1.0a2', '1.1.1b1', '1.2.0', '1.2.1', '1.2.2a3', '1.2.3rc1'];
const EX9 = ['1.0.0', '1.1.0', '1.1.3', '2.0.0', '2.0.1b1'];
const WHEELS = [
  'x-1.0.tar.gz',
  'x-1.0-py3-none-any.whl',
  'x-1.0-cp311-cp311-win_amd64.whl',
  'x-1.0-cp311-cp311-macosx_11_0_arm64.whl',
  'x-1.0-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl',
];
const x = () => project('x', [release('1.0', WHEELS)]);

describe('filters.md examples', () => {
  test('1: allow [foo] selects foo only', () => {
    expect(selectedProjects(filters({ allow: ['foo'] }), ['foo', 'foo2', 'Foo_Bar'])).toEqual(['foo']);
  });

  test('2: allow with specifiers selects the projects and only matching releases', () => {
    const f = filters({ allow: ['foo==1.2.3', 'bar~=3.0'] });
    expect(selectedProjects(f, ['foo', 'bar', 'snu'])).toEqual(['foo', 'bar']);
    expect(keptVersions(f, project('foo', ['1.2.2', '1.2.3', '1.3']))).toEqual(['1.2.3']);
    expect(keptVersions(f, project('bar', ['2.9', '3.0', '3.1', '3.5rc1', '4.0']))).toEqual(['3.0', '3.1', '3.5rc1']);
  });

  test('3: allow foo<=1.2.0 keeps the pre-releases below it', () => {
    expect(keptVersions(filters({ allow: ['foo<=1.2.0'] }), project('foo', EX3))).toEqual(['1.1.0a2', '1.1.1b1', '1.2.0']);
  });

  test('4: deny foo<=1.2.0 drops those releases', () => {
    const f = filters({ deny: ['foo<=1.2.0'] });
    expect(selectedProjects(f, ['foo'])).toEqual(['foo']);
    expect(keptVersions(f, project('foo', EX3))).toEqual(['1.2.1', '1.2.2a3', '1.2.3rc1']);
  });

  test('5: a bare deny removes a project, a pinned deny one release', () => {
    const f = filters({ deny: ['snu', 'foo==1.2.3'] });
    expect(selectedProjects(f, ['foo', 'foo2', 'bar', 'snu'])).toEqual(['foo', 'foo2', 'bar']);
    expect(keptVersions(f, project('foo', ['1.2.2', '1.2.3', '1.2.4']))).toEqual(['1.2.2', '1.2.4']);
  });

  test('6: allow names are compared normalized', () => {
    const f = filters({ allow: ['SampleProject', 'trove----classifiers'] });
    expect(selectedProjects(f, ['sampleproject', 'trove-classifiers', 'Trove_Classifiers', 'other'])).toEqual([
      'sampleproject',
      'trove-classifiers',
      'Trove_Classifiers',
    ]);
  });

  test('7: prereleases false drops pre-releases and dev releases', () => {
    const meta = project('foo', ['1.2.0a1', '1.2.0b2', '1.2.0rc1', '1.2.0.dev912', '1.2.0', '1.2.0.post1', '1.0c1']);
    expect(keptVersions(filters({ prereleases: false }), meta)).toEqual(['1.2.0', '1.2.0.post1']);
  });

  test('8: a pinned pre-release survives prereleases false', () => {
    const f = filters({ prereleases: false, allow: ['foo==2.0rc1'] });
    expect(keptVersions(f, project('foo', ['1.0', '2.0rc1']))).toEqual(['2.0rc1']);
  });

  test('9: latest 2 keeps the two highest, pre-releases included', () => {
    expect(keptVersions(filters({ latest: 2 }), project('foo', EX9))).toEqual(['2.0.0', '2.0.1b1']);
  });

  test('10: latest 2 counts after prereleases false', () => {
    expect(keptVersions(filters({ latest: 2, prereleases: false }), project('foo', EX9))).toEqual(['1.1.3', '2.0.0']);
  });

  test('11: latest 1 keeps a pinned release beside the latest', () => {
    const f = filters({ latest: 1, allow: ['foo==1.0', 'foo>=2'] });
    expect(keptVersions(f, project('foo', ['1.0', '2.0', '3.0']))).toEqual(['1.0', '3.0']);
  });

  test('12: platforms exclude windows and macos', () => {
    const f = filters({ platforms: { include: [], exclude: ['windows', 'macos'] } });
    expect(keptFiles(f, x())).toEqual([
      'x-1.0-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl',
      'x-1.0-py3-none-any.whl',
      'x-1.0.tar.gz',
    ]);
  });

  test('13: platforms include a glob', () => {
    const f = filters({ platforms: { include: ['*_x86_64'], exclude: [] } });
    expect(keptFiles(f, x())).toEqual([
      'x-1.0-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl',
      'x-1.0-py3-none-any.whl',
      'x-1.0.tar.gz',
    ]);
  });

  test('14: exclude drops a file only when every tag matches', () => {
    const f = filters({ platforms: { include: [], exclude: ['manylinux2014_*'] } });
    expect(keptFiles(f, x())).toEqual([...WHEELS].sort());
  });

  test('15: max_file_size 2KiB keeps 1024 bytes and drops 2049', () => {
    const meta = project('foo', [
      release('1.0', [file('foo-1.0.tar.gz', { size: 1024 }), file('foo-1.0-py3-none-any.whl', { size: 2049 })]),
    ]);
    expect(keptFiles(filters({ maxFileSize: 2 * 1024 }), meta)).toEqual(['foo-1.0.tar.gz']);
  });

  test('16: max_project_size 10MB drops the lowest 4MB release', () => {
    const meta = project('foo', ['1.0', '2.0', '3.0'].map((v) => release(v, undefined, { size: 4 * MB })));
    const sel = selectFiles(filters({ maxProjectSize: 10 * MB }), meta);
    expect([...new Set(sel.files.map((f) => f.version))]).toEqual(['2.0', '3.0']);
    expect(sel.overBudget).toBe(true);
  });

  test('17: yanked false drops yanked files, and a release left with none', () => {
    const meta = project('foo', [
      release('1.0', [file('foo-1.0.tar.gz', { yanked: true }), file('foo-1.0-py3-none-any.whl', { yanked: true })]),
      release('2.0', [file('foo-2.0.tar.gz', { yanked: true }), file('foo-2.0-py3-none-any.whl')]),
    ]);
    expect(keptFiles(filters({ yanked: false }), meta)).toEqual(['foo-2.0-py3-none-any.whl']);
    expect(keptFiles(filters(), meta)).toHaveLength(4);
  });

  test('18: deny_patterns search the normalized name', () => {
    const f = filters({ denyPatterns: ['-nightly$', '^tf-'] });
    expect(selectedProjects(f, ['tf-nightly', 'torch-nightly', 'torch', 'tfx'])).toEqual(['torch', 'tfx']);
    expect(selectedProjects(f, ['TF_Nightly', 'Torch.Nightly'])).toEqual([]);
  });

  test('19: legacy versions never match a specifier', () => {
    const meta = project('foo', ['2004d', '1.5']);
    expect(keptVersions(filters({ allow: ['foo>=1'] }), meta)).toEqual(['1.5']);
    expect(keptVersions(filters({ deny: ['foo<1'] }), meta)).toEqual(['2004d', '1.5']);
  });

  test('20: packagetypes [sdist, bdist_wheel] drops an egg and an exe', () => {
    const meta = project('foo', [
      release('1.0', ['foo-1.0.tar.gz', 'foo-1.0-py3-none-any.whl', 'foo-1.0-py2.7.egg', 'foo-1.0.win32.exe']),
    ]);
    expect(keptFiles(filters({ packagetypes: ['sdist', 'bdist_wheel'] }), meta)).toEqual([
      'foo-1.0-py3-none-any.whl',
      'foo-1.0.tar.gz',
    ]);
  });
});
