/** The numbered examples of docs/filters.md (python_versions, min_age), one test each. */
import { describe, expect, test } from 'vitest';
import { selectFiles } from '../../../src/planner/filters/select.js';
import { file, filters, keptFiles, keptVersions, project, release } from './fixtures.js';

const NOW = Date.parse('2024-06-10T00:00:00Z');
const day = 24 * 3600 * 1000;
const cooling = (published: string[] = []) => ({ now: NOW, published: new Set(published) });

describe('docs/filters.md: python_versions', () => {
  test('21: wheels by tag on 3.11', () => {
    const meta = project('x', [release('1.0', [
      'numpy-2.0.0-cp311-cp311-manylinux_2_17_x86_64.whl',
      'numpy-2.0.0-cp312-cp312-manylinux_2_17_x86_64.whl',
      'cryptography-43.0.0-cp39-abi3-manylinux_2_28_x86_64.whl',
      'requests-2.32.3-py3-none-any.whl',
      'tomli-2.0.1-py38-none-any.whl',
      'pkg-1.0-pp310-pypy310_pp73-manylinux_2_17_x86_64.whl',
    ])]);
    expect(keptFiles(filters({ pythonVersions: ['3.11'] }), meta)).toEqual([
      'cryptography-43.0.0-cp39-abi3-manylinux_2_28_x86_64.whl',
      'numpy-2.0.0-cp311-cp311-manylinux_2_17_x86_64.whl',
      'requests-2.32.3-py3-none-any.whl',
      'tomli-2.0.1-py38-none-any.whl',
    ]);
  });

  const needs39 = () => project('x', [release('1.0', ['x-1.0.tar.gz', 'x-1.0-py3-none-any.whl'], { requiresPython: '>=3.9' })]);
  test('22: requires-python rules out 3.8: every file, the sdist too', () => {
    expect(keptFiles(filters({ pythonVersions: ['3.8'] }), needs39())).toEqual([]);
  });

  test('23: one listed version that fits is enough', () => {
    expect(keptFiles(filters({ pythonVersions: ['3.8', '3.12'] }), needs39())).toEqual(['x-1.0-py3-none-any.whl', 'x-1.0.tar.gz']);
  });

  test('24: eggs and installers by python_version', () => {
    const meta = project('simplejson', [release('2.0.9', [
      file('simplejson-2.0.9-py2.7-linux-x86_64.egg', { pythonVersion: '2.7' }),
      file('pkg-1.0.win32.exe', { pythonVersion: 'any' }),
    ])]);
    expect(keptFiles(filters({ pythonVersions: ['3.11'] }), meta)).toEqual(['pkg-1.0.win32.exe']);
  });

  test('25: latest counts only releases with a fitting file', () => {
    const meta = project('x', [release('1.9', ['x-1.9-cp311-cp311-manylinux_2_17_x86_64.whl']), release('2.0', ['x-2.0-cp312-cp312-manylinux_2_17_x86_64.whl'])]);
    expect(keptVersions(filters({ pythonVersions: ['3.11'], latest: 1 }), meta)).toEqual(['1.9']);
  });
});

describe('docs/filters.md: min_age', () => {
  const f = () => filters({ minAgeMs: 3 * day });
  test('26: a 2-day-old wheel waits; the project is in quarantine until it comes of age', () => {
    const meta = project('x', [release('1.0', [
      file('x-1.0-py3-none-any.whl', { uploadTime: '2024-06-08T00:00:00Z' }),
      file('x-1.0.tar.gz', { uploadTime: '2024-06-01T00:00:00Z' }),
    ])]);
    const sel = selectFiles(f(), meta, cooling());
    expect(sel.files.map((x) => x.filename)).toEqual(['x-1.0.tar.gz']);
    expect(new Date(sel.matureAt ?? 0).toISOString()).toBe('2024-06-11T00:00:00.000Z');
    // A run after that time publishes it, and nothing is held any more.
    const later = selectFiles(f(), meta, { now: Date.parse('2024-06-11T00:00:00Z'), published: new Set() });
    expect(later.files.map((x) => x.filename)).toEqual(['x-1.0-py3-none-any.whl', 'x-1.0.tar.gz']);
    expect(later.matureAt).toBeNull();
  });

  test('27: a release whose only file is young drops out, so latest keeps the previous one', () => {
    const meta = project('x', [
      release('1.0', [file('x-1.0.tar.gz', { uploadTime: '2024-05-01T00:00:00Z' })]),
      release('2.0', [file('x-2.0.tar.gz', { uploadTime: '2024-06-08T00:00:00Z' })]),
    ]);
    expect(selectFiles(filters({ minAgeMs: 3 * day, latest: 1 }), meta, cooling()).files.map((x) => x.version)).toEqual(['1.0']);
  });

  test('28: a file yanked during its cooldown never appears', () => {
    const meta = project('x', [release('1.0', [file('x-1.0.tar.gz', { uploadTime: '2024-06-08T00:00:00Z', yanked: true })])]);
    const afterwards = { now: Date.parse('2024-07-01T00:00:00Z'), published: new Set<string>() };
    expect(selectFiles(f(), meta, afterwards).files).toEqual([]);
    expect(selectFiles(f(), meta, cooling()).matureAt).toBeNull();
  });

  test('29: a file already published is kept, however young', () => {
    const meta = project('x', [release('1.0', [file('x-1.0.tar.gz', { uploadTime: '2024-06-09T00:00:00Z' })])]);
    expect(selectFiles(f(), meta, cooling(['x-1.0.tar.gz'])).files.map((x) => x.filename)).toEqual(['x-1.0.tar.gz']);
  });
});
