import { describe, expect, test } from 'vitest';
import {
  evaluateMarker,
  markerMayApply,
  markerTextMayApply,
  parseMarker,
  type MarkerEnvironment,
  type TargetEnvironment,
} from '../../src/planner/filters/markers.js';
import { RequirementSyntaxError } from '../../src/planner/filters/syntax-error.js';

const LINUX_311: MarkerEnvironment = {
  python_version: '3.11',
  sys_platform: 'linux',
  platform_system: 'Linux',
  os_name: 'posix',
  platform_machine: 'x86_64',
  implementation_name: 'cpython',
  platform_python_implementation: 'CPython',
  extra: '',
};
const WIN_310: MarkerEnvironment = {
  ...LINUX_311,
  python_version: '3.10',
  sys_platform: 'win32',
  platform_system: 'Windows',
  os_name: 'nt',
  platform_machine: 'AMD64',
};

const evalIn = (text: string, env: MarkerEnvironment = LINUX_311) => evaluateMarker(parseMarker(text), env);
const mayApply = (text: string, envs: TargetEnvironment[], extras: string[] = []) =>
  markerTextMayApply(text, envs, new Set(extras));

function syntaxError(text: string): string {
  try {
    parseMarker(text);
  } catch (err) {
    expect(err).toBeInstanceOf(RequirementSyntaxError);
    return (err as Error).message;
  }
  throw new Error(`expected '${text}' to be rejected`);
}

describe('parseMarker', () => {
  test('and binds tighter than or', () => {
    expect(parseMarker('os_name == "a" or os_name == "b" and os_name == "c"')).toMatchObject({
      kind: 'or',
      right: { kind: 'and' },
    });
    expect(evalIn('os_name == "posix" or os_name == "b" and os_name == "c"')).toBe(true);
    expect(evalIn('(os_name == "posix" or os_name == "b") and os_name == "c"')).toBe(false);
  });

  test('parentheses, both quote kinds, no whitespace, nested quotes', () => {
    expect(evalIn(`((sys_platform=='linux'))and(python_version>"3.9")`)).toBe(true);
    expect(parseMarker(`os_name == "it's"`)).toMatchObject({ right: { literal: "it's" } });
    expect(parseMarker(`os_name == 'say "hi"'`)).toMatchObject({ right: { literal: 'say "hi"' } });
  });

  test('legacy variable names map to the PEP 508 ones', () => {
    expect(parseMarker('os.name == "nt"')).toMatchObject({ left: { variable: 'os_name' } });
    expect(parseMarker('sys.platform == "x"')).toMatchObject({ left: { variable: 'sys_platform' } });
    expect(parseMarker('platform.machine == "x"')).toMatchObject({ left: { variable: 'platform_machine' } });
    expect(parseMarker('platform.version == "x"')).toMatchObject({ left: { variable: 'platform_version' } });
    expect(parseMarker('python_implementation == "x"')).toMatchObject({
      left: { variable: 'platform_python_implementation' },
    });
    expect(evalIn('platform.python_implementation == "CPython" and sys.platform == "linux"')).toBe(true);
  });

  test.each([
    ['', 'empty marker'],
    ['python_version', 'expected a comparison operator'],
    ['python_version >= ', 'expected a marker variable or a quoted string at the end'],
    ['python_version = "3"', "unexpected '= \"3\"'"],
    ['python_version == "3', 'unterminated string'],
    ['(python_version == "3"', "expected ')' at the end"],
    ['python_version == "3")', "expected 'and', 'or' or the end at ')'"],
    ['python_version == "3" and', 'expected a marker variable or a quoted string at the end'],
    ['python_version == "3" xor os_name == "nt"', "expected 'and', 'or' or the end at 'xor"],
    ['python_versio == "3"', "unknown variable 'python_versio'"],
    ['os_name not "nt"', 'expected a comparison operator'],
    ['and == "x"', 'expected a marker variable or a quoted string'],
  ])('rejects %j: %s', (text, message) => {
    const msg = syntaxError(text);
    expect(msg).toContain('invalid environment marker');
    expect(msg).toContain(message);
  });
});

describe('evaluateMarker', () => {
  test('versions compare as versions, not strings', () => {
    expect(evalIn('python_version < "3.9"')).toBe(false);
    expect(evalIn('python_version >= "3.9"')).toBe(true);
    expect(evalIn('python_version == "3.11"')).toBe(true);
    expect(evalIn('python_version == "3.1"')).toBe(false);
    expect(evalIn('python_version == "3.*"')).toBe(true);
    expect(evalIn('python_version != "3.11.0"')).toBe(false);
  });

  test('reversed operands put the literal on the left', () => {
    expect(evalIn('"3.8" <= python_version')).toBe(true);
    expect(evalIn('"3.12" <= python_version')).toBe(false);
    expect(evalIn('"linux" == sys_platform')).toBe(true);
  });

  test('~= is the compatible-release clause', () => {
    expect(evalIn('python_version ~= "3.10"')).toBe(true);
    expect(evalIn('python_version ~= "3.11"')).toBe(true);
    expect(evalIn('python_version ~= "3.10.1"')).toBe(false);
    // Not a version clause: nothing to compare by, so unknown rather than false.
    expect(evalIn('sys_platform ~= "linux"')).toBeUndefined();
  });

  test('in and not in are substring tests', () => {
    expect(evalIn('"linux" in sys_platform')).toBe(true);
    expect(evalIn('sys_platform in "linux darwin"')).toBe(true);
    expect(evalIn('sys_platform not in "win32 cygwin"')).toBe(true);
    expect(evalIn('"arm" in platform_machine')).toBe(false);
    expect(evalIn('"3.1" in python_version')).toBe(true);
  });

  test('non-version strings: == and != by string, ordering unknown, === by string', () => {
    expect(evalIn('platform_machine == "x86_64"')).toBe(true);
    expect(evalIn('platform_machine != "x86_64"')).toBe(false);
    expect(evalIn('sys_platform < "zzz"')).toBeUndefined();
    expect(evalIn('implementation_name === "CPython"')).toBe(true);
  });

  test('unknown variables make comparisons unknown; Kleene and/or', () => {
    expect(evalIn('platform_release >= "5.0"')).toBeUndefined();
    expect(evalIn('platform_version == "x"')).toBeUndefined();
    expect(evalIn('python_version < "3"', { sys_platform: 'linux' })).toBeUndefined();
    expect(evalIn('platform_release == "x" and os_name == "nt"')).toBe(false);
    expect(evalIn('platform_release == "x" or os_name == "posix"')).toBe(true);
    expect(evalIn('platform_release == "x" and os_name == "posix"')).toBeUndefined();
    expect(evalIn('platform_release == "x" or os_name == "nt"')).toBeUndefined();
  });

  test('python_full_version is tried across the X.Y patch series', () => {
    expect(evalIn('python_full_version >= "3.11.2"')).toBeUndefined();
    expect(evalIn('python_full_version >= "3.11.2"', WIN_310)).toBe(false);
    expect(evalIn('python_full_version >= "3.11"')).toBe(true);
    expect(evalIn('python_full_version < "3.11.0"')).toBe(false);
    expect(evalIn('python_full_version > "3.11.0"')).toBeUndefined();
    expect(evalIn('python_full_version != "3.11"')).toBeUndefined();
    expect(evalIn('python_full_version == "3.11.4"')).toBeUndefined();
    expect(evalIn('python_full_version != "3.11.4"')).toBeUndefined();
    expect(evalIn('python_full_version == "3.11.*"')).toBe(true);
    expect(evalIn('"3.11.2" > python_full_version')).toBeUndefined();
    expect(evalIn('python_full_version < "3.12.0a1"')).toBe(true);
  });

  test('implementation_version follows the Python version only on CPython', () => {
    expect(evalIn('implementation_version >= "3.11.2"', WIN_310)).toBe(false);
    expect(evalIn('implementation_version >= "3.10"', WIN_310)).toBe(true);
    expect(evalIn('implementation_version >= "3.10"', { ...WIN_310, implementation_name: 'pypy' })).toBeUndefined();
  });

  test('extra compares normalized names', () => {
    expect(evalIn('extra == "Socks"', { ...LINUX_311, extra: 'socks' })).toBe(true);
    expect(evalIn('extra == "foo_bar"', { ...LINUX_311, extra: 'Foo.Bar' })).toBe(true);
    expect(evalIn('extra == "socks"')).toBe(false);
    expect(evalIn('extra == "socks"', { ...LINUX_311, extra: undefined })).toBeUndefined();
  });
});

describe('markerMayApply', () => {
  const linux = [LINUX_311];
  const both = [LINUX_311, WIN_310];

  test('true when some environment makes it true', () => {
    expect(mayApply('sys_platform == "win32"', linux)).toBe(false);
    expect(mayApply('sys_platform == "win32"', both)).toBe(true);
    expect(mayApply('python_version < "3.11"', linux)).toBe(false);
    expect(mayApply('python_version < "3.11"', both)).toBe(true);
  });

  test('unknown counts as may apply', () => {
    expect(mayApply('platform_release >= "6"', linux)).toBe(true);
    expect(mayApply('sys_platform == "win32"', [{ python_version: '3.11' }])).toBe(true);
    expect(mayApply('python_full_version >= "3.11.2"', linux)).toBe(true);
    expect(mayApply('python_full_version >= "3.11.2"', [WIN_310])).toBe(false);
  });

  test('no environments: nothing applies', () => {
    expect(markerMayApply(parseMarker('os_name == "posix"'), [], new Set())).toBe(false);
  });

  test('extras: only requested ones, names normalized; an empty set requests none', () => {
    expect(mayApply('extra == "socks"', linux)).toBe(false);
    expect(mayApply('extra == "socks"', linux, ['Socks'])).toBe(true);
    expect(mayApply('extra == "Socks"', linux, ['socks'])).toBe(true);
    expect(mayApply('extra == "socks"', linux, ['security'])).toBe(false);
    expect(mayApply('python_version < "3.11" and extra == "socks"', linux, ['socks'])).toBe(false);
  });

  test('extras are judged one at a time, plus once with none, as pip does', () => {
    // The base requirement is always installed too, with extra == "".
    expect(mayApply('extra != "socks"', linux, ['socks'])).toBe(true);
    expect(mayApply('extra == "a" and extra == "b"', linux, ['a', 'b'])).toBe(false);
    expect(mayApply('extra == "a" or extra == "b"', linux, ['b'])).toBe(true);
  });

  test.each([
    ['python_version < "3.11"', false],
    ['python_version >= "3.8"', true],
    ['sys_platform == "win32" and platform_python_implementation == "CPython"', false],
    ['sys_platform != "win32"', true],
    ['platform_machine == "aarch64" or platform_machine == "arm64"', false],
    ['implementation_name != "pypy"', true],
    ['platform_python_implementation == "PyPy"', false],
    ['os_name == "nt"', false],
    ['sys_platform == "darwin"', false],
    ['python_version < "3.12" and platform_system == "Linux"', true],
    ['(platform_machine == "x86_64" or platform_machine == "AMD64") and python_version >= "3.9"', true],
    ['python_version == "2.7"', false],
    ['extra == "socks"', false],
  ])('real-world marker %j on linux/x86_64 3.11 → %s', (text, expected) => {
    expect(mayApply(text, linux)).toBe(expected);
  });

  test('a malformed marker throws RequirementSyntaxError', () => {
    expect(() => mayApply('python_version <<< "3"', linux)).toThrow(RequirementSyntaxError);
  });
});
