import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { ConfigError } from '../../../src/errors.js';
import { includeTarget, loadRequirementFiles, logicalLines } from '../../../src/planner/filters/requirements-file.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'jubjub-req-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function write(name: string, text: string): Promise<string> {
  const p = path.join(dir, name);
  await mkdir(path.dirname(p), { recursive: true });
  await writeFile(p, text);
  return p;
}

async function load(...paths: string[]): Promise<[string, string, string][]> {
  const entries = await loadRequirementFiles(paths);
  return entries.map((e) => [e.requirement.name, e.requirement.specifier, e.source]);
}

async function loadError(...paths: string[]): Promise<ConfigError> {
  const err: unknown = await loadRequirementFiles(paths).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(ConfigError);
  return err as ConfigError;
}

describe('logicalLines', () => {
  test('joins continuations and numbers a joined line by its first line', () => {
    expect(logicalLines('a\\\n>=1\n\nb # c\n# only comment\n  c  \n')).toEqual([
      { line: 1, text: 'a>=1' },
      { line: 4, text: 'b' },
      { line: 6, text: 'c' },
    ]);
  });
  test('a trailing backslash on the last line and CRLF endings', () => {
    expect(logicalLines('\uFEFFa\r\nb\\')).toEqual([
      { line: 1, text: 'a' },
      { line: 2, text: 'b' },
    ]);
  });
  test('# needs whitespace before it to start a comment', () => {
    expect(logicalLines('foo#bar')).toEqual([{ line: 1, text: 'foo#bar' }]);
  });
});

describe('includeTarget', () => {
  test.each([
    ['-r other.txt', 'other.txt'],
    ['-rother.txt', 'other.txt'],
    ['--requirement other.txt', 'other.txt'],
    ['--requirement=other.txt', 'other.txt'],
    ['-c c.txt', 'c.txt'],
    ['-cc.txt', 'c.txt'],
    ['--constraint c.txt', 'c.txt'],
    ['--constraint=c.txt', 'c.txt'],
    ['-r "with space.txt"', 'with space.txt'],
    ['-e git+https://x/y', null],
    ['--index-url https://x', null],
    ['--hash=sha256:abc', null],
    ['--requirements-x', null],
  ])('%j -> %j', (opt, target) => {
    expect(includeTarget(opt)).toBe(target);
  });
});

describe('loadRequirementFiles', () => {
  test('requirements, comments, blank lines, options and hashes', async () => {
    const p = await write(
      'allow.txt',
      [
        '# allowed projects',
        '',
        'Foo_Bar>=1.0  # inline comment',
        '-e git+https://example.com/x.git#egg=x',
        '--index-url https://example.com/simple',
        'baz==2.0 --hash=sha256:aaaa --hash=sha256:bbbb',
        'snu \\',
        '  ~=3.1 \\',
        '  --hash=sha256:cccc',
        'qux ; python_version < "3.12"',
      ].join('\n'),
    );
    expect(await load(p)).toEqual([
      ['foo-bar', '>=1.0', `${p}:3`],
      ['baz', '==2.0', `${p}:6`],
      ['snu', '~=3.1', `${p}:7`],
      ['qux', '', `${p}:10`],
    ]);
  });

  test('-r and -c include files relative to the including file, in place', async () => {
    const top = await write('a/top.txt', 'first\n-r sub/inner.txt\n--constraint=../c.txt\nlast\n');
    const inner = await write('a/sub/inner.txt', 'inner1\n-rdeeper.txt\n');
    const deeper = await write('a/sub/deeper.txt', 'deep\n');
    const c = await write('c.txt', 'constrained<2\n');
    expect(await load(top)).toEqual([
      ['first', '', `${top}:1`],
      ['inner1', '', `${inner}:1`],
      ['deep', '', `${deeper}:1`],
      ['constrained', '<2', `${c}:1`],
      ['last', '', `${top}:4`],
    ]);
  });

  test('several top-level files in order', async () => {
    const a = await write('a.txt', 'a\n');
    const b = await write('b.txt', 'b\n');
    expect((await load(a, b)).map(([n]) => n)).toEqual(['a', 'b']);
  });

  test('an unparsable line names the file and line', async () => {
    const p = await write('bad.txt', 'ok\n\n# c\nfoo>=\n');
    const err = await loadError(p);
    expect(err.message).toBe(`${p}:4: invalid version specifier '>=': missing version`);
    expect(err.code).toBe('E_CONFIG');
  });

  test('an error in an included file names that file', async () => {
    const top = await write('top.txt', '-r inc.txt\n');
    const inc = await write('inc.txt', 'ok\nfoo bar\n');
    expect((await loadError(top)).message).toBe(`${inc}:2: unexpected text 'bar' after 'foo'`);
  });

  test('a missing top-level file', async () => {
    const p = path.join(dir, 'nope.txt');
    expect((await loadError(p)).message).toBe(`${p}: cannot read file (ENOENT)`);
  });

  test('a missing included file names the including line', async () => {
    const top = await write('top.txt', 'a\n-r missing.txt\n');
    expect((await loadError(top)).message).toBe(`${top}:2: cannot read file ${path.join(dir, 'missing.txt')} (ENOENT)`);
  });

  test('an include cycle is an error, not a hang', async () => {
    const a = await write('a.txt', 'x\n-r b.txt\n');
    const b = await write('b.txt', '-r a.txt\n');
    expect((await loadError(a)).message).toBe(`${b}:1: include cycle: ${a} -> ${b} -> ${a}`);
    const self = await write('self.txt', '-r ./self.txt\n');
    expect((await loadError(self)).message).toMatch(/include cycle/);
  });

  test('the same file included twice (not a cycle) is fine', async () => {
    const top = await write('top.txt', '-r common.txt\n-r common.txt\n');
    await write('common.txt', 'c\n');
    expect((await load(top)).map(([n]) => n)).toEqual(['c', 'c']);
  });

  test('-r without a file, and remote includes', async () => {
    const p = await write('top.txt', 'a\n--requirement=\n');
    expect((await loadError(p)).message).toBe(`${p}:2: missing file name after --requirement=`);
    const q = await write('remote.txt', '-r https://example.com/req.txt\n');
    expect((await loadError(q)).message).toMatch(/^.*remote\.txt:1: remote requirement files are not supported/);
  });
});
