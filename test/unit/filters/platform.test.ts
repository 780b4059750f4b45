import { describe, expect, test } from 'vitest';
import {
  compilePlatformEntries,
  expandPlatformEntry,
  globToRegExp,
  passesPlatforms,
  platformTags,
} from '../../../src/planner/filters/platform.js';
import { file, filters, keptFiles, project, release } from './fixtures.js';

const tags = (filename: string, packagetype?: string) =>
  platformTags(packagetype === undefined ? file(filename) : file(filename, { packagetype }));

describe('platformTags', () => {
  test.each([
    ['x-1.0-py3-none-any.whl', null],
    ['x-1.0-py2.py3-none-any.whl', null],
    ['x-1.0-cp311-cp311-win_amd64.whl', ['win_amd64']],
    ['x-1.0-1-cp311-cp311-win32.whl', ['win32']],
    ['x-1.0-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl', ['manylinux_2_17_x86_64', 'manylinux2014_x86_64']],
    ['x-1.0-cp39-abi3-macosx_10_9_universal2.whl', ['macosx_10_9_universal2']],
    ['x-1.0-cp311-cp311-any.whl', null],
    ['broken.whl', null],
    ['x-1.0.tar.gz', null],
    ['x-1.0.zip', null],
    ['x-1.0.win32.exe', ['win32']],
    ['x-1.0.win-amd64.msi', ['win32']],
    ['x-1.0.dmg', ['macosx']],
    ['foo-1.0-py2.7-linux-x86_64.egg', ['linux_x86_64']],
    ['foo-1.0-py2.7-macosx-10.9-x86_64.egg', ['macosx_10_9_x86_64']],
    ['foo-1.0-py2.7-win32.egg', ['win32']],
    ['foo-1.0-py2.7.egg', null],
    ['foo-1.0.egg', null],
    ['x-1.0.linux-x86_64.tar.gz', null],
  ])('%s -> %j', (filename, expected) => {
    expect(tags(filename)).toEqual(expected);
  });

  test('an sdist is platform-independent whatever its name', () => {
    expect(tags('x-1.0-cp311-cp311-win_amd64.whl', 'sdist')).toBeNull();
  });
  test('the packagetype decides for installers with odd names', () => {
    expect(tags('x-1.0.bin', 'bdist_wininst')).toEqual(['win32']);
    expect(tags('x-1.0.bin', 'bdist_dmg')).toEqual(['macosx']);
  });
});

describe('keywords and globs', () => {
  test('keywords expand per the table', () => {
    expect(expandPlatformEntry('windows')).toEqual(['win32', 'win_*']);
    expect(expandPlatformEntry('linux')).toEqual(['linux_*', 'manylinux*', 'musllinux_*']);
    expect(expandPlatformEntry('manylinux')).toEqual(['manylinux*']);
    expect(expandPlatformEntry('musllinux')).toEqual(['musllinux_*']);
    expect(expandPlatformEntry('freebsd')).toEqual(['freebsd_*']);
    expect(expandPlatformEntry('macos')).toContain('macosx_*');
    expect(expandPlatformEntry('Windows')).toEqual(['win32', 'win_*']);
    expect(expandPlatformEntry('win_arm64')).toEqual(['win_arm64']);
  });

  test('globs match the whole tag; * any run, ? one character', () => {
    const re = globToRegExp('*_x86_64');
    expect(re.test('manylinux_2_17_x86_64')).toBe(true);
    expect(re.test('manylinux_2_17_x86_64_extra')).toBe(false);
    expect(globToRegExp('win?').test('win3')).toBe(true);
    expect(globToRegExp('win?').test('win32')).toBe(false);
    expect(globToRegExp('macosx_1?_*').test('macosx_11_0_arm64')).toBe(true);
    expect(globToRegExp('a.b').test('axb')).toBe(false);
    expect(globToRegExp('linux_x86_64').test('linux_x86_64')).toBe(true);
  });

  test('include keeps a file if one tag matches; exclude drops it only if all match', () => {
    const inc = compilePlatformEntries(['manylinux2014_*']);
    const exc = compilePlatformEntries(['manylinux2014_*']);
    const both = ['manylinux_2_17_x86_64', 'manylinux2014_x86_64'];
    expect(passesPlatforms(both, inc, null)).toBe(true);
    expect(passesPlatforms(both, null, exc)).toBe(true);
    expect(passesPlatforms(['manylinux2014_x86_64'], null, exc)).toBe(false);
    expect(passesPlatforms(['win32'], inc, null)).toBe(false);
    expect(passesPlatforms(null, inc, exc)).toBe(true);
    expect(compilePlatformEntries([])).toBeNull();
  });
});

describe('platforms in selection', () => {
  const meta = project('x', [
    release('1.0', [
      'x-1.0.tar.gz',
      'x-1.0-py3-none-any.whl',
      'x-1.0-cp311-cp311-win_amd64.whl',
      'x-1.0-cp311-cp311-win32.whl',
      'x-1.0-cp311-cp311-musllinux_1_1_x86_64.whl',
      'x-1.0-cp311-cp311-linux_x86_64.whl',
      'x-1.0-cp311-cp311-freebsd_13_0_amd64.whl',
      'x-1.0.win32.exe',
      'x-1.0.dmg',
      'x-1.0-py2.7-linux-x86_64.egg',
      'x-1.0-py2.7.egg',
    ]),
  ]);

  test('include linux keeps linux files and platform-independent ones', () => {
    expect(keptFiles(filters({ platforms: { include: ['linux'], exclude: [] } }), meta)).toEqual([
      'x-1.0-cp311-cp311-linux_x86_64.whl',
      'x-1.0-cp311-cp311-musllinux_1_1_x86_64.whl',
      'x-1.0-py2.7-linux-x86_64.egg',
      'x-1.0-py2.7.egg',
      'x-1.0-py3-none-any.whl',
      'x-1.0.tar.gz',
    ]);
  });

  test('exclude windows drops win wheels and installers; macos drops the dmg', () => {
    const kept = keptFiles(filters({ platforms: { include: [], exclude: ['windows', 'macos', 'freebsd'] } }), meta);
    expect(kept).not.toContain('x-1.0-cp311-cp311-win_amd64.whl');
    expect(kept).not.toContain('x-1.0-cp311-cp311-win32.whl');
    expect(kept).not.toContain('x-1.0.win32.exe');
    expect(kept).not.toContain('x-1.0.dmg');
    expect(kept).not.toContain('x-1.0-cp311-cp311-freebsd_13_0_amd64.whl');
    expect(kept).toContain('x-1.0-cp311-cp311-linux_x86_64.whl');
    expect(kept).toHaveLength(6);
  });

  test('include and exclude together', () => {
    const f = filters({ platforms: { include: ['linux'], exclude: ['musllinux'] } });
    expect(keptFiles(f, meta)).not.toContain('x-1.0-cp311-cp311-musllinux_1_1_x86_64.whl');
    expect(keptFiles(f, meta)).toContain('x-1.0-cp311-cp311-linux_x86_64.whl');
  });
});
