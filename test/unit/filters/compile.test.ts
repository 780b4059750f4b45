import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ConfigError } from '../../../src/errors.js';
import { compileFilters, describeFilters, loadFilters } from '../../../src/planner/filters/compile.js';
import { isProjectSelected } from '../../../src/planner/filters/project.js';
import { defaultFilterSettings, type FilterSettings } from '../../../src/planner/filters/settings.js';
import { filters, keptVersions, project, selectedProjects } from './fixtures.js';

const settings = (partial: Partial<FilterSettings>): FilterSettings => ({ ...defaultFilterSettings, ...partial });

function compileError(partial: Partial<FilterSettings>): string {
  try {
    compileFilters(settings(partial), { allow: [], deny: [] });
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).message;
  }
  throw new Error('expected a ConfigError');
}

describe('compileFilters errors', () => {
  test.each<[Partial<FilterSettings>, string | RegExp]>([
    [{ allow: ['ok', 'foo>='] }, "filters.allow[1]: invalid version specifier '>=': missing version"],
    [{ deny: ['foo bar'] }, "filters.deny[0]: unexpected text 'bar' after 'foo'"],
    [{ denyPatterns: ['ok', '(unclosed'] }, /^filters\.deny_patterns\[1\]: .*/],
    [{ latest: -1 }, 'filters.latest: expected an integer ≥ 0, got -1'],
    [{ latest: 1.5 }, 'filters.latest: expected an integer ≥ 0, got 1.5'],
    [{ maxFileSize: -5 }, 'filters.max_file_size: expected a size ≥ 0, got -5'],
    [{ maxProjectSize: Number.NaN }, 'filters.max_project_size: expected a size ≥ 0, got NaN'],
    [{ packagetypes: ['sdist', 'wheel'] }, /^filters\.packagetypes\[1\]: unknown package type 'wheel'/],
    [{ platforms: { include: [], exclude: ['linux', ' '] } }, 'filters.platforms.exclude[1]: empty platform entry'],
  ])('%j', (partial, message) => {
    const got = compileError(partial);
    if (typeof message === 'string') expect(got).toBe(message);
    else expect(got).toMatch(message);
  });

  test('the defaults compile and keep everything', () => {
    const f = compileFilters(defaultFilterSettings, { allow: [], deny: [] });
    expect(f.allowAll).toBe(true);
    expect(isProjectSelected(f, 'anything')).toBe(true);
    expect(keptVersions(f, project('foo', ['2004d', '1.0a1', '1.0']))).toEqual(['2004d', '1.0a1', '1.0']);
  });

  test('the defaults are frozen', () => {
    expect(() => defaultFilterSettings.allow.push('x')).toThrow();
  });
});

describe('step 1: isProjectSelected', () => {
  test('any spelling of the name', () => {
    const f = filters({ allow: ['Foo.Bar'], deny: [] });
    expect(selectedProjects(f, ['foo-bar', 'FOO_BAR', 'foo.bar', 'foo--bar', 'foobar'])).toEqual([
      'foo-bar',
      'FOO_BAR',
      'foo.bar',
      'foo--bar',
    ]);
  });

  test('a deny entry with a specifier or a URL: only the bare one removes the project', () => {
    const f = filters({ deny: ['a<1', 'b', 'c @ https://x/c.tar.gz', 'd[extra]', 'e; os_name == "nt"'] });
    expect(selectedProjects(f, ['a', 'b', 'c', 'd', 'e', 'f'])).toEqual(['a', 'f']);
  });

  test('deny beats allow', () => {
    expect(selectedProjects(filters({ allow: ['a', 'b'], deny: ['b'] }), ['a', 'b'])).toEqual(['a']);
    expect(selectedProjects(filters({ allow: ['a', 'b'], denyPatterns: ['^b$'] }), ['a', 'b'])).toEqual(['a']);
  });

  test('deny_patterns search the normalized name, not the spelling given', () => {
    const f = filters({ denyPatterns: ['foo-bar', '^x\\.y$'] });
    expect(selectedProjects(f, ['Foo_Bar', 'myfoo-bar-baz', 'x.y', 'x-y'])).toEqual(['x.y', 'x-y']);
  });
});

describe('loadFilters and describeFilters', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'jubjub-filters-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  test('entries from files join the inline ones', async () => {
    const allowFile = path.join(dir, 'allow.txt');
    const denyFile = path.join(dir, 'deny.txt');
    await writeFile(allowFile, '# projects\nbar>=2\nbaz\n');
    await writeFile(denyFile, 'bar==2.5\nsnu\n');
    const f = await loadFilters(settings({ allow: ['foo'], allowFiles: [allowFile], denyFiles: [denyFile] }));
    expect(selectedProjects(f, ['foo', 'bar', 'baz', 'snu', 'other'])).toEqual(['foo', 'bar', 'baz']);
    expect(keptVersions(f, project('bar', ['1.0', '2.0', '2.5', '3.0']))).toEqual(['2.0', '3.0']);

    expect(describeFilters(f)).toEqual({
      allow: [
        { project: 'foo', specifier: '', source: 'filters.allow[0]' },
        { project: 'bar', specifier: '>=2', source: `${allowFile}:2` },
        { project: 'baz', specifier: '', source: `${allowFile}:3` },
      ],
      deny: [
        { project: 'bar', specifier: '==2.5', source: `${denyFile}:1` },
        { project: 'snu', specifier: '', source: `${denyFile}:2` },
      ],
      denyPatterns: [],
      prereleases: true,
      yanked: true,
      latest: 0,
      packagetypes: 'all',
      platforms: { include: null, exclude: null },
      maxFileSize: null,
      maxProjectSize: null,
      pythonVersions: [],
      minAgeMs: null,
      dependencies: false,
    });
  });

  test('configured allow_files holding no entries allow nothing', async () => {
    const empty = path.join(dir, 'empty.txt');
    await writeFile(empty, '# nothing yet\n');
    const f = await loadFilters(settings({ allowFiles: [empty] }));
    expect(f.allowAll).toBe(false);
    expect(isProjectSelected(f, 'foo')).toBe(false);
    expect(describeFilters(f).allow).toEqual([]);
  });

  test('a missing file is a ConfigError', async () => {
    const missing = path.join(dir, 'missing.txt');
    await expect(loadFilters(settings({ denyFiles: [missing] }))).rejects.toThrow(`${missing}: cannot read file (ENOENT)`);
  });

  test('describeFilters is plain JSON', () => {
    const f = filters({
      denyPatterns: ['^tf-'],
      packagetypes: ['sdist'],
      platforms: { include: ['linux', 'win_arm64'], exclude: [] },
      latest: 3,
      maxFileSize: 10,
      maxProjectSize: 100,
    });
    const d = describeFilters(f);
    expect(JSON.parse(JSON.stringify(d))).toEqual(d);
    expect(d).toMatchObject({
      allow: 'all',
      denyPatterns: ['^tf-'],
      packagetypes: ['sdist'],
      latest: 3,
      platforms: {
        include: { entries: ['linux', 'win_arm64'], globs: ['linux_*', 'manylinux*', 'musllinux_*', 'win_arm64'] },
        exclude: null,
      },
      maxFileSize: 10,
      maxProjectSize: 100,
    });
  });
});
