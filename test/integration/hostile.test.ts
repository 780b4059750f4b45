/**
 * jubjub against an upstream whose metadata is hostile (issue 5): unsafe filenames,
 * other schemes and hosts, lying sizes and digests, other projects' files and names,
 * entity bombs and markup. Every trick must be refused or escaped with a log line that
 * says so, nothing may be written or requested outside what the configuration allows,
 * and the honest project beside them must mirror as usual.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  DUPLICATE_SPELLINGS, ESCAPE_MARK, INVALID_CHANGELOG_NAMES, INVALID_LISTED_NAMES, MARKUP_REQUIRES_PYTHON, MARKUP_YANK_REASON,
  seedHostile, xmlEntityAttack, type HostileUpstream,
} from '../fake-pypi/hostile.js';
import { FakePypi } from '../fake-pypi/index.js';
import { cleanup, listTree, makeMirror, publishedFiles, readJson, runJubjub, writeConfig, type Mirror, type RunResult } from './harness.js';
import { checkTree } from './tree-check.js';

/** A host outside the mirror's allowlist: counts what reaches it, and would serve the real bytes. */
interface Outside {
  url: string;
  hits: string[];
  close(): Promise<void>;
}

async function startOutside(address: string, body: (path: string) => Buffer | null): Promise<Outside> {
  const hits: string[] = [];
  const server: Server = createServer((req, res) => {
    hits.push(`${req.method ?? 'GET'} ${req.url ?? ''}`);
    const b = body((req.url ?? '/').split('?')[0] ?? '/');
    res.writeHead(b ? 200 : 404, { 'Content-Type': 'application/octet-stream', 'Content-Length': b?.length ?? 0 }).end(b ?? undefined);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, address, resolve);
  });
  return {
    url: `http://${address}:${(server.address() as AddressInfo).port}`,
    hits,
    close: () => new Promise<void>((r) => {
      server.closeAllConnections();
      server.close(() => r());
    }),
  };
}

/** 127.0.0.2 where the loopback covers it (Linux); elsewhere another port is another host too. */
async function startOutsideAnywhere(body: (path: string) => Buffer | null): Promise<Outside> {
  return startOutside('127.0.0.2', body).catch(() => startOutside('127.0.0.1', body));
}

interface LogRecord {
  msg?: string;
  [key: string]: unknown;
}

function records(r: RunResult): LogRecord[] {
  return r.stderr.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as LogRecord);
}

function withMsg(r: RunResult, msg: string): LogRecord[] {
  return records(r).filter((l) => l.msg === msg);
}

/** Every path under `dir` (folders too) with what it holds, except below `skip`. */
async function snapshot(dir: string, skip: string[]): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const e of await readdir(dir, { recursive: true, withFileTypes: true })) {
    const full = path.join(e.parentPath, e.name);
    const rel = path.relative(dir, full);
    if (skip.some((s) => rel === s || rel.startsWith(`${s}${path.sep}`))) continue;
    const st = await stat(full);
    // A folder's mtime moves when root or state appear in it; its entries are listed anyway.
    out.set(rel, e.isFile() ? `file ${st.size} ${st.mtimeMs} ${createHash('sha256').update(await readFile(full)).digest('hex')}` : 'dir');
  }
  return out;
}

const PARSE_HTML = `
import json, sys
from html.parser import HTMLParser
class Page(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags, self.links, self.current = [], [], None
    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        if tag == 'a':
            self.current = {'attrs': dict(attrs), 'text': ''}
            self.links.append(self.current)
    def handle_endtag(self, tag):
        self.tags.append('/' + tag)
        if tag == 'a':
            self.current = None
    def handle_data(self, data):
        if self.current is not None:
            self.current['text'] += data
    def handle_comment(self, data):
        self.tags.append('<!--')
    def handle_pi(self, data):
        self.tags.append('<?')
out = {}
for name in sys.argv[1:]:
    page = Page()
    page.feed(open(name, encoding='utf-8').read())
    page.close()
    out[name] = {'tags': page.tags, 'links': page.links}
print(json.dumps(out))
`;

interface ParsedHtml {
  tags: string[];
  links: Array<{ attrs: Record<string, string | null>; text: string }>;
}

async function parseHtml(files: string[]): Promise<Record<string, ParsedHtml>> {
  const { stdout } = await promisify(execFile)('python3', ['-c', PARSE_HTML, ...files], { maxBuffer: 64 * 1024 * 1024 });
  return JSON.parse(stdout) as Record<string, ParsedHtml>;
}

const PAGE_TAGS = new Set(['html', '/html', 'head', '/head', 'meta', 'title', '/title', 'body', '/body', 'h1', '/h1', 'a', '/a', 'br', '/br']);

describe('a hostile upstream', () => {
  let base: string;
  let up: FakePypi;
  let outA: Outside;
  let outB: Outside;
  let hostile: HostileUpstream;
  let m: Mirror;
  let first: RunResult;
  let before: Map<string, string>;
  const env = (): Record<string, string> => ({ TMPDIR: path.join(base, 'tmp') });

  beforeAll(async () => {
    base = await mkdtemp(path.join(tmpdir(), 'jubjub-hostile-'));
    // Decoys where a traversal would land, and the child's own temp folder: all must stay as they are.
    for (const d of ['mirror', 'tmp', 'decoy/packages']) await mkdir(path.join(base, d), { recursive: true });
    await writeFile(path.join(base, 'decoy/packages/keep.txt'), 'untouched\n');
    await writeFile(path.join(base, 'keep.txt'), 'untouched\n');
    up = await FakePypi.start();
    let body: (p: string) => Buffer | null = () => null;
    outA = await startOutsideAnywhere((p) => body(p));
    outB = await startOutside('127.0.0.1', (p) => body(p));
    hostile = seedHostile(up, [outA.url, outB.url]);
    body = (p) => hostile.outsideBody(p);
    up.setHostile(hostile.hooks);
    const dir = path.join(base, 'mirror');
    m = { dir, config: path.join(dir, 'mirror.yaml'), root: path.join(dir, 'web'), state: path.join(dir, 'state') };
    await writeConfig(m, up.url);
    before = await snapshot(base, [path.join('mirror', 'web'), path.join('mirror', 'state')]);
    first = await runJubjub(['sync', '-c', m.config], { env: env() });
  });
  afterAll(async () => {
    await up?.close();
    await outA?.close();
    await outB?.close();
    if (base) await rm(base, { recursive: true, force: true });
  });

  test('every hostile file is refused with a log line naming it and why; only honest files are mirrored', async () => {
    expect(first.stderr.split('\n').filter((l) => l && !l.startsWith('{')), 'only JSON log lines, no stack trace').toEqual([]);
    const rejected = withMsg(first, 'rejected upstream file');
    const failed = withMsg(first, 'file failed');
    for (const c of hostile.files) {
      const lines = (c.expect.kind === 'rejected' ? rejected : failed).filter((l) => l.project === c.project && l.filename === c.filename);
      expect(lines, `${c.case}: ${JSON.stringify(c.filename)}`).toHaveLength(1);
      const line = lines[0] ?? {};
      if (c.expect.kind === 'rejected') expect(line.reason, c.case).toMatch(c.expect.reason);
      else {
        expect(line.code, c.case).toBe(c.expect.code);
        expect(line.err, c.case).toMatch(c.expect.err);
      }
    }
    // Nothing honest was refused along the way.
    expect(rejected).toHaveLength(hostile.files.filter((c) => c.expect.kind === 'rejected').length);
    expect(failed).toHaveLength(hostile.files.filter((c) => c.expect.kind === 'file-failed').length);
    expect(await publishedFiles(m.root)).toEqual(hostile.mirrored);
  });

  test('a project whose metadata is invalid fails (exit 1); one whose files were all refused does not', async () => {
    for (const p of hostile.projects) {
      const lines = withMsg(first, 'project failed').filter((l) => l.project === p.project);
      expect(lines, p.case).toHaveLength(1);
      expect(lines[0]?.code, p.case).toBe(p.code);
      expect(lines[0]?.err, p.case).toMatch(p.err);
    }
    // Download failures fail their project too, so that the next run tries again.
    const expectFailed = [...hostile.projects.map((p) => p.project), ...new Set(hostile.files.filter((c) => c.expect.kind === 'file-failed').map((c) => c.project))].sort();
    const status = JSON.parse((await runJubjub(['status', '--json', '-c', m.config])).stdout) as { failed: Record<string, { code: string }> };
    expect(Object.keys(status.failed).sort()).toEqual(expectFailed);
    expect(withMsg(first, 'run finished')[0]).toMatchObject({ outcome: 'partial', failed: expectFailed.length });
    expect(first.code).toBe(1);
    for (const name of hostile.emptied) {
      expect(status.failed[name]).toBeUndefined();
      expect(withMsg(first, 'rejected upstream file').some((l) => l.project === name)).toBe(true);
      await expect(stat(path.join(m.root, 'simple', name)), 'no page for a project left with nothing').rejects.toThrow();
    }
  });

  test('invalid and colliding project names: skipped with a count, or fetched once as one project', async () => {
    expect(withMsg(first, 'skipped projects with invalid names')).toMatchObject([{ invalid: INVALID_LISTED_NAMES.length }]);
    // A name valid by PEP 508 but too long for a file name is one of them (it would end every run).
    expect(INVALID_LISTED_NAMES.some((n) => n.length > 200)).toBe(true);
    expect(withMsg(first, 'listing names one project under several spellings; they are mirrored as one')).toMatchObject([{ collisions: DUPLICATE_SPELLINGS.length }]);
    const asked = up.log.filter((r) => /^\/pypi\/[^/]+\/json$/.test(r.path)).map((r) => decodeURIComponent(r.path.split('/')[2] ?? ''));
    const valid = ['good-project', 'hostile-files', 'hostile-urls', 'hostile-emptied', 'hostile-bytes', 'hostile-redirect', 'hostile-name', 'hostile-badname', 'hostile-meta-redirect', 'hostile-dup', 'hostile-markup'];
    expect([...new Set(asked)].sort()).toEqual([...valid].sort());
    expect(asked.filter((n) => n === 'hostile-dup')).toHaveLength(1);
    const root = await readJson<{ projects: Array<{ name: string }> }>(path.join(m.root, 'simple/index.v1_json'));
    expect(root.projects.map((p) => p.name).sort()).toEqual(['Good.Project', 'hostile-dup', 'hostile-files', 'hostile-markup', 'hostile-urls', 'hostile-bytes', 'hostile-redirect'].sort());
  });

  test('no request reaches a host outside the allowlist; the refusal names the hosts', () => {
    expect(outA.hits).toEqual([]);
    expect(outB.hits).toEqual([]);
    const hint = withMsg(first, 'files on hosts outside upstream.file_hosts were refused; add the hosts there if they are trusted');
    expect(hint).toHaveLength(1);
    expect((hint[0]?.hosts as string[]).sort()).toEqual([new URL(outA.url).host, new URL(outB.url).host].sort());
    // Nor did anything odd reach the upstream itself.
    expect(up.log.filter((r) => r.path.includes(ESCAPE_MARK) || r.path.includes('..'))).toEqual([]);
  });

  test('every page parses, names only verified files, and carries the markup escaped or intact', async () => {
    const report = await checkTree(m.root);
    expect(report.problems).toEqual([]);
    const tree = await listTree(m.root);
    const jsonPages = tree.filter((rel) => rel.endsWith('index.v1_json') || /^pypi\/[^/]+\/json$/.test(rel));
    for (const rel of jsonPages) {
      const text = await readFile(path.join(m.root, rel), 'utf8');
      expect(() => JSON.parse(text) as unknown, rel).not.toThrow();
    }
    const htmlPages = tree.filter((rel) => rel.endsWith('.html') || rel.endsWith('.v1_html'));
    expect(htmlPages).toContain('simple/hostile-markup/index.html');
    const parsed = await parseHtml(htmlPages.map((rel) => path.join(m.root, rel)));
    for (const rel of htmlPages) {
      const page = parsed[path.join(m.root, rel)];
      expect(page?.tags.filter((t) => !PAGE_TAGS.has(t)), rel).toEqual([]);
      expect(page?.tags.filter((t) => t === 'a').length, rel).toBe(page?.tags.filter((t) => t === '/a').length);
      const dir = path.dirname(rel);
      if (dir === 'simple') continue;
      const json = await readJson<{ files: Array<{ filename: string }> }>(path.join(m.root, dir, 'index.v1_json'));
      expect(page?.links.map((l) => l.text), rel).toEqual(json.files.map((f) => f.filename));
    }
    // The hostile strings survive the round trip exactly: escaped in HTML, valid JSON strings.
    for (const file of ['index.html', 'index.v1_html']) {
      const links = parsed[path.join(m.root, 'simple/hostile-markup', file)]?.links ?? [];
      expect(links).toHaveLength(2);
      for (const l of links) {
        expect(l.attrs['data-requires-python']).toBe(MARKUP_REQUIRES_PYTHON);
        expect(l.attrs['data-yanked']).toBe(MARKUP_YANK_REASON);
      }
    }
    const simple = await readJson<{ files: Array<Record<string, unknown>> }>(path.join(m.root, 'simple/hostile-markup/index.v1_json'));
    expect(simple.files.map((f) => [f['requires-python'], f.yanked])).toEqual([
      [MARKUP_REQUIRES_PYTHON, MARKUP_YANK_REASON],
      [MARKUP_REQUIRES_PYTHON, MARKUP_YANK_REASON],
    ]);
    const api = await readJson<{ releases: Record<string, Array<Record<string, unknown>>> }>(path.join(m.root, 'pypi/hostile-markup/json'));
    expect(api.releases['1.0']?.map((f) => [f.requires_python, f.yanked_reason])).toEqual([
      [MARKUP_REQUIRES_PYTHON, MARKUP_YANK_REASON],
      [MARKUP_REQUIRES_PYTHON, MARKUP_YANK_REASON],
    ]);
    const raw = await readFile(path.join(m.root, 'simple/hostile-markup/index.html'), 'utf8');
    expect(raw).not.toContain('<script');
  });

  test('nothing is written outside mirror.root and mirror.state', async () => {
    const after = await snapshot(base, [path.join('mirror', 'web'), path.join('mirror', 'state')]);
    expect(after).toEqual(before);
    expect(await readdir(path.join(base, 'tmp'))).toEqual([]);
    // An escape would have left a name carrying the mark somewhere: the mirror, the
    // folders around it, or the system's temp folder (shared, so only the mark counts).
    const everywhere = [...(await readdir(base, { recursive: true })), ...(await readdir(tmpdir())), ...(await readdir('/tmp').catch(() => []))];
    expect(everywhere.filter((n) => n.includes(ESCAPE_MARK))).toEqual([]);
  });

  test('an incremental run meets hostile changelog rows: invalid names logged, other spellings fetched once', async () => {
    up.addRelease('Good.Project', '2.0');
    const added = [up.addFile('Good.Project', '2.0', { kind: 'wheel' })];
    up.addRelease('hostile-dup', '2.0');
    added.push(up.addFile('hostile-dup', '2.0', { kind: 'sdist' }));
    const failedBefore = JSON.parse((await runJubjub(['status', '--json', '-c', m.config])).stdout) as { failed: Record<string, unknown> };
    up.resetCounts();
    const r = await runJubjub(['sync', '-c', m.config], { env: env() });
    const skipped = withMsg(r, 'skipped changelog row with an invalid project name').map((l) => l.name);
    expect(skipped.sort()).toEqual([...INVALID_CHANGELOG_NAMES].sort());
    const asked = up.log.filter((q) => /^\/pypi\/[^/]+\/json$/.test(q.path)).map((q) => q.path.split('/')[2]);
    expect(asked.filter((n) => n === 'hostile-dup')).toHaveLength(1);
    expect(DUPLICATE_SPELLINGS.every((s) => !asked.includes(s))).toBe(true);
    // The failed projects were tried again, and fail the same way.
    const status = JSON.parse((await runJubjub(['status', '--json', '-c', m.config])).stdout) as { failed: Record<string, unknown> };
    expect(Object.keys(status.failed).sort()).toEqual(Object.keys(failedBefore.failed).sort());
    for (const name of Object.keys(status.failed)) expect(asked, name).toContain(name);
    expect(r.code).toBe(1);
    expect(outA.hits).toEqual([]);
    expect(outB.hits).toEqual([]);
    expect(await publishedFiles(m.root)).toEqual(new Map([...hostile.mirrored, ...added.map((f): [string, string] => [f, up.sha256(f)])]));
    expect((await checkTree(m.root)).problems).toEqual([]);
    expect(await snapshot(base, [path.join('mirror', 'web'), path.join('mirror', 'state')])).toEqual(before);
  });

});

describe('XML entity declarations in XML-RPC responses', () => {
  test.each(['billion-laughs', 'external'] as const)('%s: the sync fails with one line, in a small heap, fetching nothing', async (kind) => {
    const up = await FakePypi.start();
    const out = await startOutsideAnywhere(() => Buffer.from('lol'));
    const mirrors: Mirror[] = [];
    try {
      up.addProject('foo');
      up.addRelease('foo', '1.0');
      up.addFile('foo', '1.0', { kind: 'wheel' });
      // The heap cap makes any expansion (some 3 GB for the bomb) die at once instead of
      // swapping; the honest run first shows that jubjub itself fits in it.
      const small = { NODE_OPTIONS: '--max-old-space-size=64' };
      mirrors.push(await makeMirror(up.url), await makeMirror(up.url));
      const [control, attacked] = mirrors as [Mirror, Mirror];
      const ok = await runJubjub(['sync', '-c', control.config], { env: small });
      expect(ok.code, ok.stderr).toBe(0);
      up.setHostile({ xml: xmlEntityAttack(kind, `${out.url}/xxe`) });
      up.resetCounts();
      const r = await runJubjub(['sync', '-c', attacked.config], { env: small });
      expect(r.code).toBe(1);
      expect(r.stderr).toBe('jubjub: invalid XML-RPC response: DOCTYPE is not allowed\n');
      // Invalid is not transient: one call, no retries, and nothing fetched for the entity.
      expect(up.requests.xmlrpc).toEqual({ changelog_last_serial: 1 });
      expect(out.hits).toEqual([]);
      expect(await listTree(attacked.root)).toEqual([]);
    } finally {
      await up.close();
      await out.close();
      for (const mm of mirrors) await cleanup(mm);
    }
  });
});
