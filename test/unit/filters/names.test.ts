import { describe, expect, test } from 'vitest';
import { isValidProjectName, normalizeName } from '../../../src/planner/filters/names.js';

describe('normalizeName', () => {
  test.each([
    ['Foo.Bar_baz', 'foo-bar-baz'],
    ['foo-bar-baz', 'foo-bar-baz'],
    ['FOO__bar-.baz', 'foo-bar-baz'],
    ['trove----classifiers', 'trove-classifiers'],
    ['SampleProject', 'sampleproject'],
    ['a', 'a'],
    ['zope.interface', 'zope-interface'],
  ])('%s -> %s', (input, out) => {
    expect(normalizeName(input)).toBe(out);
  });
});

describe('isValidProjectName', () => {
  test.each(['a', 'A1', 'foo-bar', 'foo.bar_baz', 'Foo__Bar', '1', 'x-1.0'])('valid: %s', (n) => {
    expect(isValidProjectName(n)).toBe(true);
  });
  test.each(['', '-foo', 'foo-', 'foo.', '_foo', 'foo bar', 'foo/bar', 'föö', 'foo\n'])('invalid: %j', (n) => {
    expect(isValidProjectName(n)).toBe(false);
  });
});
