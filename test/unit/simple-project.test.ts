/** PEP 691 project pages as per-project truth: conversion, versions from filenames, JSON API detection. */
import { pino } from 'pino';
import { describe, expect, test } from 'vitest';
import type { ProjectMeta } from '../../src/model.js';
import { convertSimpleProject, pythonTag } from '../../src/upstream/convert-simple.js';
import { fileVersion } from '../../src/upstream/filename-version.js';
import { IndexProjectClient } from '../../src/upstream/index-projects.js';
import type { JsonApiClient } from '../../src/upstream/json-api.js';
import { simpleProjectPageSchema } from '../../src/upstream/schemas.js';
import type { SimpleProjectClient } from '../../src/upstream/simple-project.js';

const sha = (c: string) => c.repeat(64);
const DOC_URL = 'http://mirror.test:8080/simple/foo-bar/';
const HOSTS = ['mirror.test:8080'];

function page(files: Array<Record<string, unknown>>, versions?: string[]) {
  return simpleProjectPageSchema.parse({ meta: { 'api-version': '1.4', '_last-serial': 12 }, name: 'foo-bar', ...(versions ? { versions } : {}), files });
}

function file(filename: string, extra: Record<string, unknown> = {}) {
  return { filename, url: `../../packages/xx/${filename}`, hashes: { sha256: sha('A') }, size: 10, ...extra };
}

describe('fileVersion', () => {
  test.each([
    ['foo_bar-1.0-py3-none-any.whl', ['1.0'], '1.0'],
    ['foo_bar-1.0.0-py3-none-any.whl', ['1.0', '1.0.0'], '1.0.0'],
    ['Foo.Bar-2.0rc1.tar.gz', ['2.0rc1'], '2.0rc1'],
    ['foo-bar-1.0-beta.tar.gz', ['1.0-beta'], '1.0-beta'],
    ['foo_bar-1.0b1-py3-none-any.whl', ['1.0.beta.1'], '1.0.beta.1'],
    ['foo_bar-1.0-py2.7.egg', ['1.0'], '1.0'],
    ['foo-bar-1.0.win32.exe', ['1.0', '1.0.1'], '1.0'],
    ['foo-bar-1.0.1-1.noarch.rpm', ['1.0', '1.0.1'], '1.0.1'],
    ['foo_bar-3.1.zip', [], '3.1'],
    ['foo-bar-1.0.win32.exe', [], null],
  ])('%s in %j -> %s', (name, versions, want) => {
    expect(fileVersion(name, 'foo-bar', versions)).toBe(want);
  });

  test('python tags as the JSON API has them', () => {
    expect(pythonTag('foo-1.0-cp311-cp311-manylinux_2_17_x86_64.whl')).toBe('cp311');
    expect(pythonTag('foo-1.0-py2.7-linux-x86_64.egg')).toBe('py2.7');
    expect(pythonTag('foo-1.0.tar.gz')).toBe('source');
    expect(pythonTag('foo-1.0.win32.exe')).toBe('');
  });
});

describe('convertSimpleProject', () => {
  test('every PEP 691 / 700 / 714 field lands in ProjectMeta; releases follow `versions`', () => {
    const doc = page(
      [
        file('foo_bar-1.0.tar.gz', { 'upload-time': '2024-01-02T03:04:05.1Z', 'requires-python': '>=3.8', yanked: 'broken', 'core-metadata': false }),
        file('foo_bar-2.0-py3-none-any.whl', { hashes: { sha256: sha('b'), md5: 'x' }, yanked: true, 'core-metadata': { sha256: sha('C') } }),
        file('foo_bar-2.0.tar.gz', { yanked: false, 'dist-info-metadata': { sha256: sha('d') } }),
      ],
      ['0.1', '1.0', '2.0'],
    );
    const { meta, rejected } = convertSimpleProject(doc, 12, DOC_URL, HOSTS, 'Foo.Bar');
    expect(rejected).toEqual([]);
    expect(meta).toMatchObject({ name: 'foo-bar', displayName: 'Foo.Bar', lastSerial: 12, info: { name: 'Foo.Bar' } });
    expect(meta.releases.map((r) => [r.version, r.files.map((f) => f.filename)])).toEqual([
      ['0.1', []],
      ['1.0', ['foo_bar-1.0.tar.gz']],
      ['2.0', ['foo_bar-2.0-py3-none-any.whl', 'foo_bar-2.0.tar.gz']],
    ]);
    const [sdist, wheel, sdist2] = meta.releases.flatMap((r) => r.files);
    expect(sdist).toEqual({
      filename: 'foo_bar-1.0.tar.gz', url: 'http://mirror.test:8080/packages/xx/foo_bar-1.0.tar.gz', sha256: sha('a'), size: 10,
      packagetype: 'sdist', pythonVersion: 'source', requiresPython: '>=3.8', yanked: true, yankedReason: 'broken',
      uploadTime: '2024-01-02T03:04:05.100000Z', coreMetadataSha256: null,
    });
    expect(wheel).toMatchObject({ packagetype: 'bdist_wheel', pythonVersion: 'py3', yanked: true, yankedReason: null, coreMetadataSha256: sha('C').toLowerCase(), uploadTime: null });
    expect(sdist2).toMatchObject({ yanked: false, coreMetadataSha256: sha('d') });
  });

  test('refuses what cannot be verified or is unsafe, with the reason', () => {
    const doc = page([
      file('foo_bar-1.0.tar.gz', { hashes: { md5: 'x' } }),
      file('foo_bar-1.1.tar.gz', { size: undefined }),
      file('other-1.0.tar.gz'),
      file('foo_bar-1.2.tar.gz', { url: 'http://elsewhere.test/x.tar.gz' }),
      file('../foo_bar-1.3.tar.gz'),
      file('foo-bar-1.0.win32.exe'),
      file('foo_bar-1.4.tar.gz'),
      file('foo_bar-1.4.tar.gz'),
    ]);
    const { meta, rejected } = convertSimpleProject(doc, 1, DOC_URL, HOSTS, undefined);
    expect(meta.displayName).toBe('foo-bar');
    expect(meta.releases.flatMap((r) => r.files.map((f) => f.filename))).toEqual(['foo_bar-1.4.tar.gz']);
    expect(rejected.map((r) => [r.filename, r.reason.split(':')[0], r.host])).toEqual([
      ['foo_bar-1.0.tar.gz', 'no sha256 hash', undefined],
      ['foo_bar-1.1.tar.gz', 'no size (PEP 700, api-version 1.1)', undefined],
      ['other-1.0.tar.gz', 'filename of another project', undefined],
      ['foo_bar-1.2.tar.gz', 'unsafe URL', 'elsewhere.test'],
      ['../foo_bar-1.3.tar.gz', 'unsafe filename', undefined],
      ['foo-bar-1.0.win32.exe', 'no version in the filename', undefined],
      ['foo_bar-1.4.tar.gz', 'listed twice', undefined],
    ]);
  });
});

describe('IndexProjectClient', () => {
  const meta = (name: string, files: number): ProjectMeta => ({
    name, displayName: name, lastSerial: 1, info: {},
    releases: [{ version: '1.0', files: Array.from({ length: files }, () => ({ filename: 'x' }) as never) }],
  });

  function make(json: Record<string, ProjectMeta | null>, pages: Record<string, ProjectMeta | null>) {
    const calls: string[] = [];
    const jsonClient = { refusedHosts: new Set<string>(), fetchProject: async (n: string) => (calls.push(`json ${n}`), json[n] ?? null) };
    const pageClient = { refusedHosts: new Set(['h']), fetchProject: async (n: string) => (calls.push(`page ${n}`), pages[n] ?? null) };
    const c = new IndexProjectClient(jsonClient as unknown as JsonApiClient, pageClient as unknown as SimpleProjectClient, new Map(), pino({ level: 'silent' }));
    return { c, calls };
  }

  test('no JSON API: the first page with files decides, then pages only', async () => {
    const { c, calls } = make({}, { a: meta('a', 1), b: meta('b', 2) });
    expect(await c.fetchProject('a', 0)).toEqual(meta('a', 1));
    expect(await c.fetchProject('b', 0)).toEqual(meta('b', 2));
    expect(await c.fetchProject('gone', 0)).toBeNull();
    expect(calls).toEqual(['json a', 'page a', 'page b', 'page gone']);
    expect([...c.refusedHosts]).toEqual(['h']);
  });

  test('a JSON API: its documents; a 404 there and no page (or an empty one) is "nothing to mirror"', async () => {
    const { c, calls } = make({ a: meta('a', 1) }, { empty: meta('empty', 0), odd: meta('odd', 1) });
    expect(await c.fetchProject('a', 0)).toEqual(meta('a', 1));
    expect(await c.fetchProject('gone', 0)).toBeNull();
    expect(await c.fetchProject('empty', 0)).toBeNull();
    // A project with files but no JSON document on an index that has a JSON API: the page, and JSON stays first.
    expect(await c.fetchProject('odd', 0)).toEqual(meta('odd', 1));
    expect(await c.fetchProject('a', 0)).toEqual(meta('a', 1));
    expect(calls).toEqual(['json a', 'json gone', 'page gone', 'json empty', 'page empty', 'json odd', 'page odd', 'json a']);
  });
});
