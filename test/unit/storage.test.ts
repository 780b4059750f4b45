import { mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { JubjubError } from '../../src/errors.js';
import { useTempStorage } from './temp-storage.js';
import { DownloadFile } from '../../src/storage/download-file.js';
import { Storage, TEMP_DIR } from '../../src/storage/storage.js';

let dir: string;
let storage: Storage;
useTempStorage((d, s) => {
  dir = d;
  storage = s;
});

async function exists(p: string): Promise<boolean> {
  return (await stat(p).catch(() => null)) !== null;
}

/** Every file under `root`, relative, sorted. */
async function tree(root: string): Promise<string[]> {
  const out: string[] = [];
  async function walk(d: string): Promise<void> {
    for (const e of await readdir(d, { withFileTypes: true })) {
      const full = path.join(d, e.name);
      if (e.isDirectory()) await walk(full);
      else out.push(path.relative(root, full));
    }
  }
  await walk(root);
  return out.sort();
}

describe('Storage.resolve', () => {
  test('paths inside each area', () => {
    expect(storage.resolve('root', 'simple/foo/index.html')).toBe(path.join(dir, 'web', 'simple', 'foo', 'index.html'));
    expect(storage.resolve('state', 'published/foo.json')).toBe(path.join(dir, 'state', 'published', 'foo.json'));
    expect(storage.resolve('root', 'a/../b')).toBe(path.join(dir, 'web', 'b'));
  });

  test.each([
    '../x',
    '../../etc/passwd',
    'simple/../../x',
    'a/b/../../../x',
    '/etc/passwd',
    '/x',
    '',
    '.',
    'simple/foo\0.html',
    '\0',
  ])('refuses %j', (rel) => {
    let caught: unknown;
    try {
      storage.resolve('root', rel);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(JubjubError);
    expect((caught as JubjubError).code).toBe('E_UNSAFE');
  });

  test('the root is not reachable from the state area by .. and vice versa', () => {
    expect(() => storage.resolve('state', '../web/simple/index.html')).toThrow(JubjubError);
    expect(() => storage.resolve('root', '../state/mirror.json')).toThrow(JubjubError);
  });

  test('a sibling folder that merely starts with the same name is outside', () => {
    expect(() => storage.resolve('root', '../web-other/x')).toThrow(JubjubError);
  });
});

describe('Storage.writeFile', () => {
  test('writes, replaces, and leaves no temporary behind', async () => {
    await storage.writeFile('root', 'simple/foo/index.html', 'one');
    await storage.writeFile('root', 'simple/foo/index.html', 'two, longer');
    await storage.writeFile('state', 'published/foo.json', Buffer.from('{"a":1}'));
    expect(await readFile(path.join(storage.root, 'simple/foo/index.html'), 'utf8')).toBe('two, longer');
    expect(await readFile(path.join(storage.state, 'published/foo.json'), 'utf8')).toBe('{"a":1}');
    expect((await tree(storage.root)).filter((f) => !f.startsWith(TEMP_DIR))).toEqual(['simple/foo/index.html']);
    expect(await tree(path.join(storage.root, TEMP_DIR))).toEqual([]);
    const stateFiles = await tree(storage.state);
    expect(stateFiles).toEqual(['published/foo.json']);
  });

  test('concurrent writers to one file leave one whole version', async () => {
    const versions = Array.from({ length: 20 }, (_, i) => `version ${i} `.repeat(1000));
    await Promise.all(versions.map((v) => storage.writeFile('root', 'simple/index.html', v)));
    const final = await readFile(path.join(storage.root, 'simple/index.html'), 'utf8');
    expect(versions).toContain(final);
    expect((await tree(storage.root)).filter((f) => !f.startsWith(TEMP_DIR))).toEqual(['simple/index.html']);
  });

  test('refuses paths outside its area and writes nothing', async () => {
    await expect(storage.writeFile('root', '../evil', 'x')).rejects.toMatchObject({ code: 'E_UNSAFE' });
    expect(await exists(path.join(dir, 'evil'))).toBe(false);
  });

  test('a failed write is E_STORAGE and leaves the old file', async () => {
    await storage.writeFile('root', 'simple/index.html', 'old');
    // A folder where the file's parent folder should be: mkdir/rename fail.
    await writeFile(path.join(storage.root, 'blocker'), 'a file');
    await expect(storage.writeFile('root', 'blocker/index.html', 'new')).rejects.toMatchObject({ code: 'E_STORAGE' });
    expect(await readFile(path.join(storage.root, 'simple/index.html'), 'utf8')).toBe('old');
  });
});

describe('Storage.remove', () => {
  test('deletes, and removes the folder the file was in if that is left empty, never its parents', async () => {
    await storage.writeFile('root', 'packages/ab/cd/ef/x-1.0.tar.gz', 'x');
    await storage.writeFile('root', 'packages/ab/zz/y-1.0.tar.gz', 'y');
    await storage.remove('root', 'packages/ab/cd/ef/x-1.0.tar.gz');
    expect(await exists(path.join(storage.root, 'packages/ab/cd/ef'))).toBe(false);
    // The fan-out folders above a file's own are shared and bounded: they stay.
    expect(await exists(path.join(storage.root, 'packages/ab/cd'))).toBe(true);
    expect(await exists(path.join(storage.root, 'packages/ab/zz/y-1.0.tar.gz'))).toBe(true);
    await storage.remove('root', 'packages/ab/zz/y-1.0.tar.gz');
    expect(await exists(path.join(storage.root, 'packages/ab/zz'))).toBe(false);
    expect(await exists(path.join(storage.root, 'packages/ab'))).toBe(true);
    expect(await exists(storage.root)).toBe(true);
  });

  test('a missing file is fine', async () => {
    await expect(storage.remove('root', 'packages/none/x.tar.gz')).resolves.toBeUndefined();
    expect(await exists(storage.root)).toBe(true);
  });

  test('refuses paths outside its area', async () => {
    await writeFile(path.join(dir, 'keep-me'), 'x');
    await expect(storage.remove('root', '../keep-me')).rejects.toMatchObject({ code: 'E_UNSAFE' });
    expect(await exists(path.join(dir, 'keep-me'))).toBe(true);
  });
});

describe('Storage.removeAll', () => {
  test('a file and its .metadata: both go, their folders are pruned once, shared ones stay', async () => {
    await storage.writeFile('root', 'packages/ab/cd/ef/x-1.0-py3-none-any.whl', 'x');
    await storage.writeFile('root', 'packages/ab/cd/ef/x-1.0-py3-none-any.whl.metadata', 'm');
    await storage.writeFile('root', 'packages/ab/cd/gh/z-1.0.tar.gz', 'z');
    await storage.writeFile('root', 'packages/ab/yy/w/y-1.0.tar.gz', 'y');
    await storage.writeFile('root', 'simple/x/index.html', 'page');
    await storage.removeAll('root', [
      'packages/ab/cd/ef/x-1.0-py3-none-any.whl',
      'packages/ab/cd/ef/x-1.0-py3-none-any.whl.metadata',
      'packages/ab/yy/w/y-1.0.tar.gz',
      'simple/x/index.html',
      'simple/x/index.v1_html',
    ]);
    expect(await tree(storage.root)).toEqual(['packages/ab/cd/gh/z-1.0.tar.gz']);
    expect(await exists(path.join(storage.root, 'packages/ab/cd/ef'))).toBe(false);
    expect(await exists(path.join(storage.root, 'packages/ab/yy/w'))).toBe(false);
    expect(await exists(path.join(storage.root, 'packages/ab/yy'))).toBe(true);
    // A removed project's page folder goes, so its URL stops resolving.
    expect(await exists(path.join(storage.root, 'simple/x'))).toBe(false);
    expect(await exists(path.join(storage.root, 'simple'))).toBe(true);
    // A folder emptied and pruned can be written into again (the cache of known folders forgot it).
    await storage.writeFile('root', 'packages/ab/yy/w/y-1.0.tar.gz', 'again');
    expect(await readFile(path.join(storage.root, 'packages/ab/yy/w/y-1.0.tar.gz'), 'utf8')).toBe('again');
  });

  test('state folders are never pruned', async () => {
    await storage.writeFile('state', 'published/x.json', '{}');
    await storage.removeAll('state', ['published/x.json']);
    expect(await exists(path.join(storage.state, 'published'))).toBe(true);
  });
});

describe('Storage.writeFile with links', () => {
  test('every name is the same file, each replaced atomically', async () => {
    await storage.writeFile('root', 'simple/x/index.v1_html', 'old twin');
    await storage.writeFile('root', 'simple/x/index.html', 'new', { links: ['simple/x/index.v1_html'] });
    const [a, b] = await Promise.all(['index.html', 'index.v1_html'].map((p) => stat(path.join(storage.root, 'simple/x', p))));
    expect(a?.ino).toBe(b?.ino);
    expect(await readFile(path.join(storage.root, 'simple/x/index.v1_html'), 'utf8')).toBe('new');
    // Rewriting one name later leaves the other as it was.
    await storage.writeFile('root', 'simple/x/index.html', 'newer');
    expect(await readFile(path.join(storage.root, 'simple/x/index.v1_html'), 'utf8')).toBe('new');
    expect(await tree(path.join(storage.root, TEMP_DIR))).toEqual([]);
  });
});

describe('Storage.resolve', () => {
  const s = new Storage('/m/web', '/m/state');
  test('plain paths join as path.resolve would', () => {
    for (const rel of ['a', 'simple/x/index.html', '.jubjub-tmp/3/x', 'a/.hidden', 'a/..b', 'a/b.../c', 'packages/ab/cd/ef/x-1.0.tar.gz.metadata']) {
      expect(s.resolve('root', rel)).toBe(path.resolve('/m/web', rel));
    }
  });
  test('paths with ., .. or empty segments go the general way, and escapes are refused', () => {
    expect(s.resolve('root', 'a/./b')).toBe('/m/web/a/b');
    expect(s.resolve('root', 'a//b')).toBe('/m/web/a/b');
    expect(s.resolve('root', 'a/../b')).toBe('/m/web/b');
    for (const rel of ['..', '../x', 'a/../../x', '/etc/passwd', '.', '', 'a/\0b', 'a/..']) {
      expect(() => s.resolve('root', rel)).toThrow(JubjubError);
    }
  });
});

describe('Storage temporaries', () => {
  test('downloadPaths + DownloadFile publishes; discard removes', async () => {
    const paths = storage.downloadPaths('packages/a/b.tar.gz');
    expect(path.dirname(path.dirname(paths.temp))).toBe(path.join(storage.root, TEMP_DIR));
    expect(paths.dest).toBe(path.join(storage.root, 'packages/a/b.tar.gz'));
    const f = DownloadFile.create(paths.temp);
    f.write([Buffer.from('da'), Buffer.from('t')]);
    f.write([Buffer.from('a')]);
    await f.publish(paths.dest, { fsync: true });
    expect(await readFile(paths.dest, 'utf8')).toBe('data');
    const d = DownloadFile.create(storage.downloadPaths('packages/a/c.tar.gz').temp);
    d.write([Buffer.from('x')]);
    d.discard();
    d.discard();
    expect(await tree(path.join(storage.root, TEMP_DIR))).toEqual([]);
    expect(() => storage.downloadPaths('../out')).toThrow(/outside root/);
  });

  test('DownloadFile makes a removed temporary folder again', async () => {
    const paths = storage.downloadPaths('packages/z/z.whl');
    // Made on first use: as a crash or an operator may have removed it.
    await rm(path.dirname(paths.temp), { recursive: true, force: true });
    const f = DownloadFile.create(paths.temp);
    await f.publish(paths.dest, { fsync: false });
    expect(await readFile(paths.dest, 'utf8')).toBe('');
  });

  test('clearTemp empties the temporary folder, keeping its shard folders', async () => {
    await mkdir(path.join(storage.root, TEMP_DIR, '3'), { recursive: true });
    await mkdir(path.join(storage.state, 'tmp', 'a'), { recursive: true });
    await writeFile(path.join(storage.root, TEMP_DIR, 'left-by-a-crash'), 'x');
    await mkdir(path.join(storage.root, TEMP_DIR, 'folder'));
    await writeFile(path.join(storage.root, TEMP_DIR, '3', 'left-in-a-shard'), 'x');
    await writeFile(path.join(storage.state, 'tmp', 'a', 'state-leftover'), 'x');
    expect(await storage.clearTemp()).toBe(4);
    expect(await tree(path.join(storage.root, TEMP_DIR))).toEqual([]);
    expect(await tree(path.join(storage.state, 'tmp'))).toEqual([]);
    expect(await readdir(path.join(storage.root, TEMP_DIR))).not.toContain('folder');
    // Nothing left: a second clear finds nothing, and writing still works.
    expect(await storage.clearTemp()).toBe(0);
    await storage.writeFile('root', 'simple/index.html', 'x');
    await storage.writeWith('root', 'simple/big', async (write) => write(Buffer.from('y')), { links: ['simple/big2'] });
    expect(await readFile(path.join(storage.root, 'simple/big2'), 'utf8')).toBe('y');
  });
});

describe('appendLine', () => {
  test('appends through one descriptor; after a remove or a replace, lines go to a new file', async () => {
    await storage.appendLine('state', 'run.journal', 'a');
    await storage.appendLine('state', 'run.journal', 'b');
    expect(await readFile(path.join(dir, 'state/run.journal'), 'utf8')).toBe('a\nb\n');
    await storage.remove('state', 'run.journal');
    await storage.appendLine('state', 'run.journal', 'c');
    expect(await readFile(path.join(dir, 'state/run.journal'), 'utf8')).toBe('c\n');
    await storage.writeFile('state', 'run.journal', 'x\n');
    await storage.appendLine('state', 'run.journal', 'd');
    expect(await readFile(path.join(dir, 'state/run.journal'), 'utf8')).toBe('x\nd\n');
    storage.close();
    await storage.appendLine('state', 'run.journal', 'e');
    expect(await readFile(path.join(dir, 'state/run.journal'), 'utf8')).toBe('x\nd\ne\n');
    storage.close();
  });
});
