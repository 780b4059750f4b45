import { describe, expect, test } from 'vitest';
import { RequirementSyntaxError } from '../../../src/planner/filters/syntax-error.js';
import { compareVersions, isLegacy, isPrerelease, matches, sortReleases } from '../../../src/planner/filters/versions.js';
import { file, release } from './fixtures.js';
import { MATCHING, VERSIONS } from './packaging-cases.js';

describe('matches agrees with Python packaging (prereleases=True)', () => {
  for (const [spec, expected] of Object.entries(MATCHING)) {
    test(spec, () => {
      expect(VERSIONS.filter((v) => matches(v, spec))).toEqual(expected);
    });
  }
});

describe('matches', () => {
  test('pre-releases match like any other version', () => {
    expect(matches('2.0rc1', '>=1.0')).toBe(true);
    expect(matches('1.1.dev3', '>1.0,<2')).toBe(true);
  });
  test('the empty specifier matches everything, legacy included', () => {
    expect(matches('1.0', '')).toBe(true);
    expect(matches('2004d', '')).toBe(true);
  });
  test('a specifier never matches a legacy version', () => {
    for (const spec of ['>=0', '<99999', '!=1.0', '===2004d', '==2004.*']) {
      expect(matches('2004d', spec)).toBe(false);
    }
    expect(matches('1.0.0-SNAPSHOT', '>=0')).toBe(false);
  });
  test('=== compares the string, case-insensitively', () => {
    expect(matches('1.0', '===1.0')).toBe(true);
    expect(matches('1.0RC1', '===1.0rc1')).toBe(true);
    expect(matches('1.0.0', '===1.0')).toBe(false);
  });
  test('a malformed specifier throws', () => {
    expect(() => matches('1.0', '>=')).toThrow(RequirementSyntaxError);
  });
});

describe('isPrerelease / isLegacy', () => {
  test.each([
    ['1.0a1', true],
    ['1.0b2', true],
    ['1.0rc1', true],
    ['1.0c1', true],
    ['1.0.dev0', true],
    ['1.0.post1.dev1', true],
    ['1.0', false],
    ['1.0.post1', false],
    ['1.0+local', false],
    ['2004d', false],
    ['1.0.0-SNAPSHOT', false],
  ])('%s prerelease=%s', (v, pre) => {
    expect(isPrerelease(v)).toBe(pre);
  });
  test('legacy', () => {
    expect(isLegacy('2004d')).toBe(true);
    expect(isLegacy('1.0.0-SNAPSHOT')).toBe(true);
    expect(isLegacy(' 1.0')).toBe(true);
    expect(isLegacy('1.0')).toBe(false);
    expect(isLegacy('v1.0')).toBe(false);
  });
});

describe('ordering', () => {
  test('PEP 440 order, with ties broken by the string', () => {
    const vs = ['1.0.post1', '1.0', '1.0.dev1', '1.0a1', '1.0+abc', '0.9', '1!0.1', '1.0.0', '1.0rc1', '1.0a1.dev1'];
    expect([...vs].sort(compareVersions)).toEqual([
      '0.9',
      '1.0.dev1',
      '1.0a1.dev1',
      '1.0a1',
      '1.0rc1',
      '1.0',
      '1.0.0',
      '1.0+abc',
      '1.0.post1',
      '1!0.1',
    ]);
  });

  test('legacy versions sort below every valid one, among themselves by newest upload', () => {
    const at = (t: string | null) => ({ uploadTime: t });
    const releases = [
      release('2.0'),
      release('zzz', [file('a', at('2020-01-01T00:00:00Z')), file('b', at('2023-06-01T00:00:00.5Z'))]),
      release('0.0.1'),
      release('aaa', [file('c', at('2021-01-01T00:00:00Z'))]),
      release('mmm', [file('d', at(null))]),
      release('1.0.0-SNAPSHOT', [file('e', at('2023-06-01T00:00:00.25Z'))]),
    ];
    // zzz's newest file (2023-06-01 .5s) is newer than aaa's and than the SNAPSHOT's (.25s).
    expect(sortReleases(releases).map((r) => r.version)).toEqual(['mmm', 'aaa', '1.0.0-SNAPSHOT', 'zzz', '0.0.1', '2.0']);
    expect(compareVersions('2004d', '0.0.0.dev0')).toBeLessThan(0);
  });
});
