import { describe, expect, test } from 'vitest';
import { parseRequirement } from '../../../src/planner/filters/requirement.js';
import { RequirementSyntaxError } from '../../../src/planner/filters/syntax-error.js';

describe('parseRequirement: valid', () => {
  test('bare name, normalized', () => {
    expect(parseRequirement('Foo.Bar_baz')).toEqual({
      name: 'foo-bar-baz',
      extras: [],
      specifier: '',
      marker: null,
      pins: [],
      url: null,
    });
  });

  test('extras', () => {
    const r = parseRequirement('requests[Security, socks]');
    expect(r.name).toBe('requests');
    expect(r.extras).toEqual(['security', 'socks']);
    expect(parseRequirement('foo[]').extras).toEqual([]);
  });

  test('specifier set, normalized without whitespace, order kept', () => {
    expect(parseRequirement('name>=1.2,<2').specifier).toBe('>=1.2,<2');
    expect(parseRequirement('  name >= 1.2 , < 2  ').specifier).toBe('>=1.2,<2');
    expect(parseRequirement('name[x] ~= 3.0').specifier).toBe('~=3.0');
  });

  test('parenthesized specifier', () => {
    const r = parseRequirement('name (>=1.0)');
    expect(r.specifier).toBe('>=1.0');
    expect(parseRequirement('name(>=1.0, !=1.5)').specifier).toBe('>=1.0,!=1.5');
    expect(parseRequirement('name ( >=1.0 ) ; os_name == "nt"').marker).toBe('os_name == "nt"');
  });

  test('marker kept as text', () => {
    const r = parseRequirement('name==1.4.2 ; python_version < "3.12"');
    expect(r).toMatchObject({ name: 'name', specifier: '==1.4.2', marker: 'python_version < "3.12"', pins: ['1.4.2'] });
    expect(parseRequirement('name;python_version<"3"').marker).toBe('python_version<"3"');
  });

  test('URL requirement', () => {
    const r = parseRequirement('name @ https://example.com/name-1.0.tar.gz');
    expect(r).toMatchObject({ name: 'name', specifier: '', pins: [], url: 'https://example.com/name-1.0.tar.gz' });
    expect(parseRequirement('name[x]@https://e.com/a.whl ; os_name=="nt"')).toMatchObject({
      extras: ['x'],
      url: 'https://e.com/a.whl',
      marker: 'os_name=="nt"',
    });
  });

  test('wildcards, ===, and pins', () => {
    expect(parseRequirement('foo==1.*').pins).toEqual([]);
    expect(parseRequirement('foo!=1.*,>=0.5').specifier).toBe('!=1.*,>=0.5');
    expect(parseRequirement('foo===2004d').pins).toEqual(['2004d']);
    expect(parseRequirement('foo==1.0,==1.0.0').pins).toEqual(['1.0', '1.0.0']);
    expect(parseRequirement('foo>=1,!=1.5').pins).toEqual([]);
    expect(parseRequirement('foo==1.0+local').pins).toEqual(['1.0+local']);
  });

  test('every operator', () => {
    for (const op of ['~=', '==', '!=', '<=', '>=', '<', '>', '===']) {
      expect(parseRequirement(`foo${op}1.0`).specifier).toBe(`${op}1.0`);
    }
  });
});

describe('parseRequirement: invalid', () => {
  test.each([
    ['', /empty requirement/],
    ['   ', /empty requirement/],
    ['foo>=', /'>=': missing version/],
    ['>=1', /expected a project name/],
    ['foo[', /unclosed '\['/],
    ['foo bar', /unexpected text 'bar' after 'foo'/],
    ['foo-', /invalid project name 'foo-'/],
    ['foo=1.0', /invalid version specifier '=1.0'/],
    ['foo=>1.0', /invalid version specifier/],
    ['foo>=1.0,', /empty clause/],
    ['foo>=abc', /'abc' is not a PEP 440 version/],
    ['foo>=1.*', /'\.\*' is only allowed with == and !=/],
    ['foo==1.0a1.*', /'\.\*' must follow a plain release number/],
    ['foo~=1', /at least two release numbers/],
    ['foo>=1.0+local', /local version label/],
    ['foo (>=1.0', /unclosed '\('/],
    ['foo[a,]', /invalid extra ''/],
    ['foo[a b]', /invalid extra 'a b'/],
    ['foo @ ', /missing URL/],
    ['foo>=1.0;', /missing environment marker/],
    ['foo (>=1) bar', /unexpected text 'bar'/],
    ['foo @ https://x/y.whl extra', /unexpected text 'extra'/],
    ['foo>=1.0 --hash=sha256:abc', /unexpected characters/],
  ])('%j', (input, message) => {
    expect(() => parseRequirement(input)).toThrow(RequirementSyntaxError);
    expect(() => parseRequirement(input)).toThrow(message);
  });

  test('the error is a plain Error subclass', () => {
    try {
      parseRequirement('foo>=');
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(Error);
      expect((err as Error).name).toBe('RequirementSyntaxError');
    }
  });
});
