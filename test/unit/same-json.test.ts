import { describe, expect, test } from 'vitest';
import { sameJson } from '../../src/state/same-json.js';

const file = { filename: 'a-1.0.tar.gz', sha256: 'ab', size: 10, yanked: false, yankedReason: null, extra: { x: [1, 2] } };

describe('sameJson', () => {
  test('agrees with comparing JSON.stringify on equal and different values', () => {
    const cases: Array<[unknown, unknown]> = [
      [[file], [{ ...file }]],
      [[file], [{ ...file, size: 11 }]],
      [[file], [file, file]],
      [[file], []],
      [{ a: null }, { a: 0 }],
      [{ a: '1' }, { a: 1 }],
      [{ a: [] }, { a: {} }],
      [{ a: { b: [1, 2] } }, { a: { b: [1, 2] } }],
      [{ a: { b: [1, 2] } }, { a: { b: [2, 1] } }],
      [{ a: 1 }, { a: 1, b: 2 }],
      [null, null],
      [null, {}],
      ['x', 'x'],
      [true, false],
    ];
    for (const [a, b] of cases) expect(sameJson(a, b), JSON.stringify([a, b])).toBe(JSON.stringify(a) === JSON.stringify(b));
  });

  test('undefined properties count as absent, as JSON drops them', () => {
    expect(sameJson({ a: 1, b: undefined }, { a: 1 })).toBe(true);
    expect(sameJson({ a: 1 }, { a: 1, b: undefined })).toBe(true);
    expect(sameJson({ a: undefined }, { a: null })).toBe(false);
  });

  test('key order does not matter', () => {
    expect(sameJson({ a: 1, b: 2 }, { b: 2, a: 1 })).toBe(true);
  });
});
