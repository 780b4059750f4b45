/**
 * Mirrors of mirrors (issue 8): mirror A follows the fake PyPI over XML-RPC; its tree is
 * served by `jubjub serve` or by nginx with the shipped docs/nginx.conf; mirror B follows
 * A with `changes: simple`. B must equal A byte for byte (files, hashes, yanks, every
 * page and listing) after a first sync and after the upstream changes (new releases,
 * removed files and projects, yanks), and a no-op B sync must cost one conditional
 * request. A third case serves A without a JSON API, so B reads PEP 691 project pages.
 */
import type { ChildProcess } from 'node:child_process';
import { chmod, readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { FakePypi, seedDemo } from '../fake-pypi/index.js';
import { serveMirror } from './clients.js';
import { cleanup, listTree, makeMirror, runJubjub, type Mirror } from './harness.js';
import { nginxBin, startNginx, type StaticServer } from './static-nginx.js';
import { checkTree } from './tree-check.js';

interface LogLine {
  msg: string;
  [k: string]: unknown;
}

function logLines(stderr: string): LogLine[] {
  return stderr.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as LogLine);
}

async function sync(m: Mirror): Promise<{ summary: LogLine; lines: LogLine[] }> {
  const r = await runJubjub(['sync', '-c', m.config]);
  expect(r.code, r.stderr).toBe(0);
  const lines = logLines(r.stderr);
  const summary = lines.find((l) => l.msg === 'run finished');
  if (!summary) throw new Error(`no run summary:\n${r.stderr}`);
  return { summary, lines };
}

/** Every served file but `last-modified` (a time), with its bytes. */
async function served(root: string): Promise<Map<string, Buffer>> {
  const out = new Map<string, Buffer>();
  for (const rel of await listTree(root)) {
    if (rel === 'last-modified' || rel.startsWith('.')) continue;
    out.set(rel, await readFile(path.join(root, rel)));
  }
  return out;
}

async function expectSameTree(a: Mirror, b: Mirror): Promise<void> {
  const [ta, tb] = [await served(a.root), await served(b.root)];
  expect([...tb.keys()]).toEqual([...ta.keys()]);
  for (const [rel, bytes] of ta) expect(tb.get(rel)?.toString('utf8'), rel).toBe(bytes.toString('utf8'));
  expect((await checkTree(b.root)).problems).toEqual([]);
}

/** The upstream changes of the second round: one of each kind the issue names. */
function mutate(up: FakePypi): void {
  up.addRelease('requests', '2.34.0', { requiresPython: '>=3.9' });
  up.addFile('requests', '2.34.0', { kind: 'wheel' });
  up.addFile('requests', '2.34.0', { kind: 'sdist' });
  const certifiWheel = up.files().find((f) => f.project === 'certifi' && f.version === '2024.7.4' && f.packagetype === 'bdist_wheel');
  up.removeFile(certifiWheel?.filename ?? 'missing');
  up.removeRelease('typing-extensions', '4.11.0');
  up.removeProject('docopt');
  up.yank('urllib3', '2.2.2', 'broken on 3.13');
  up.unyank('idna', '3.6');
  up.yank('certifi', '2024.2.2');
  up.addProject('Brand.New');
  up.addRelease('Brand.New', '0.1');
  up.addFile('Brand.New', '0.1', { kind: 'sdist' });
}

interface Case {
  label: string;
  server: 'jubjub serve' | 'nginx';
  /** A publishes pypi/<name>/json; without it B reads PEP 691 project pages. */
  jsonApi: boolean;
}

const NGINX = nginxBin();
const CASES: Case[] = [
  { label: 'A served by jubjub serve', server: 'jubjub serve', jsonApi: true },
  { label: 'A served by nginx with docs/nginx.conf', server: 'nginx', jsonApi: true },
  { label: 'A served without a JSON API (PEP 691 project pages only)', server: 'jubjub serve', jsonApi: false },
];

describe.each(CASES)('$label', ({ server, jsonApi }) => {
  const skip = server === 'nginx' && !NGINX;
  let up: FakePypi;
  let a: Mirror;
  let b: Mirror;
  let aUrl: string;
  let nginx: StaticServer | null = null;
  const children: ChildProcess[] = [];

  beforeAll(async () => {
    if (skip) return;
    up = await FakePypi.start();
    seedDemo(up);
    const mirror = { json_api: jsonApi };
    a = await makeMirror(up.url, { mirror });
    if (server === 'nginx') {
      // mkdtemp makes the folder 0700; nginx workers may run as another user.
      await chmod(a.dir, 0o755);
      nginx = await startNginx(NGINX ?? '', a.root);
      aUrl = nginx.url;
    } else {
      aUrl = (await serveMirror(a, children)).replace(/\/simple\/$/, '');
    }
    b = await makeMirror(aUrl, { upstream: { changes: 'simple' }, mirror, log: { level: 'debug', format: 'json' } });
  });
  afterAll(async () => {
    for (const c of children) c.kill('SIGTERM');
    await nginx?.stop();
    await up?.close();
    if (a) await cleanup(a);
    if (b) await cleanup(b);
  });

  test.skipIf(skip)('first sync: B equals A file for file; a no-op sync is one request', async () => {
    await sync(a);
    const first = await sync(b);
    expect(first.summary.serialTo).toBe(up.serial());
    await expectSameTree(a, b);
    expect((await served(b.root)).has('simple/docopt/index.v1_json')).toBe(true);
    if (!jsonApi) {
      expect(first.lines.filter((l) => l.msg === 'upstream has no JSON API; reading PEP 691 project pages')).toHaveLength(1);
      expect([...(await served(b.root)).keys()].filter((p) => p.startsWith('pypi/'))).toEqual([]);
    }
    const again = await sync(b);
    expect(again.summary).toMatchObject({ requests: 1, projects: 0, filesAdded: 0, filesRemoved: 0 });
    await expectSameTree(a, b);
  });

  test.skipIf(skip)('after upstream changes: A, then B; B equals A again, removals included', async () => {
    mutate(up);
    await sync(a);
    expect((await served(a.root)).has('simple/docopt/index.v1_json')).toBe(false);
    const r = await sync(b);
    expect(r.summary.serialTo).toBe(up.serial());
    expect(r.summary.filesRemoved).toBeGreaterThanOrEqual(3);
    await expectSameTree(a, b);
    const tree = await served(b.root);
    expect(tree.has('simple/docopt/index.v1_json')).toBe(false);
    expect(tree.has('simple/brand-new/index.v1_json')).toBe(true);
    const urllib3 = JSON.parse(tree.get('simple/urllib3/index.v1_json')?.toString() ?? '{}') as { files: Array<{ filename: string; yanked: unknown }> };
    expect(urllib3.files.filter((f) => f.filename.includes('2.2.2')).map((f) => f.yanked)).toEqual(['broken on 3.13', 'broken on 3.13']);
    // Only the projects that changed were visited.
    expect(r.summary.projects).toBeLessThanOrEqual(8);
  });

  test.skipIf(skip)('a no-op sync is one conditional request answered 304', async () => {
    const before = await served(b.root);
    const logBefore = (await nginx?.accessLog())?.length ?? 0;
    const r = await sync(b);
    expect(r.summary).toMatchObject({ requests: 1, projects: 0, serialFrom: up.serial(), serialTo: up.serial() });
    expect(r.lines.some((l) => l.msg === 'upstream listing unchanged')).toBe(true);
    expect(await served(b.root)).toEqual(before);
    if (nginx) expect((await nginx.accessLog()).slice(logBefore)).toEqual(['304 GET /simple/']);
  });
});
