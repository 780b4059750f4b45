import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { connect } from 'node:net';
import { mkdtemp, readFile, rm, writeFile, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { FakePypi, seedDemo, type FaultKind } from './fake-pypi/index.js';

const run = promisify(execFile);
const PIP_ACCEPT = 'application/vnd.pypi.simple.v1+json, application/vnd.pypi.simple.v1+html; q=0.1, text/html; q=0.01';

async function python(code: string, ...args: string[]): Promise<string> {
  const { stdout } = await run('python3', ['-c', code, ...args], { timeout: 30_000 });
  return stdout;
}

function rpc(method: string, params: string[] = []): string {
  const p = params.map((v) => `<param><value>${v}</value></param>`).join('');
  return `<?xml version="1.0"?><methodCall><methodName>${method}</methodName><params>${p}</params></methodCall>`;
}

async function post(url: string, body: string, type = 'text/xml'): Promise<Response> {
  return fetch(`${url}/pypi`, { method: 'POST', headers: { 'Content-Type': type }, body });
}

// Response bodies are probed key by key; a schema type would only restate the assertions.
type Loose = any;

let pypi: FakePypi;
let tmp: string;

beforeAll(async () => {
  pypi = await FakePypi.start();
  seedDemo(pypi);
  tmp = await mkdtemp(join(tmpdir(), 'fake-pypi-'));
});

afterAll(async () => {
  await pypi.close();
  await rm(tmp, { recursive: true, force: true });
});

describe('XML-RPC', () => {
  it('answers changelog_last_serial with an <int>', async () => {
    const res = await post(pypi.url, rpc('changelog_last_serial'));
    expect(res.headers.get('content-type')).toMatch(/^text\/xml/);
    const xml = await res.text();
    expect(xml).toMatch(/^<\?xml version='1.0'\?>\s*<methodResponse>\s*<params>\s*<param>/);
    expect(xml).toContain(`<value><int>${pypi.serial()}</int></value>`);
    expect(pypi.requests.xmlrpc['changelog_last_serial']).toBe(1);
  });

  it('is readable by Python xmlrpc.client: rows, nil versions, struct of serials', async () => {
    const out = await python(
      `import json,sys,xmlrpc.client as x
s = x.ServerProxy(sys.argv[1] + '/RPC2')
print(json.dumps([s.changelog_since_serial(0), s.list_packages_with_serial(), s.changelog_last_serial()]))`,
      pypi.url,
    );
    const [rows, packages, last] = JSON.parse(out) as [Array<[string, string | null, number, string, number]>, Record<string, number>, number];
    expect(rows.length).toBe(last);
    expect(rows[0]).toEqual(['certifi', null, expect.any(Number), 'create', 1]);
    expect(rows.map((r) => r[4])).toEqual(rows.map((_, i) => i + 1));
    expect(rows.some((r) => /^add py3 file certifi-2024\.2\.2-py3-none-any\.whl$/.test(r[3]))).toBe(true);
    expect(rows.some((r) => r[3] === 'add source file docopt-0.6.2.tar.gz')).toBe(true);
    expect(rows).toContainEqual(['requests', '2.32.0', expect.any(Number), 'yank release', expect.any(Number)]);
    expect(packages['placeholder-project']).toBe(last);
    expect(packages['zope.interface']).toBeGreaterThan(0);
  });

  it('returns rows after n only, and escapes strings', async () => {
    const p = await FakePypi.start();
    try {
      p.addProject('A&B<c>');
      p.addRelease('A&B<C>', '1.0');
      const xml = await (await post(p.url, rpc('changelog_since_serial', ['<i4>1</i4>']))).text();
      expect(xml).toContain('<string>A&amp;B&lt;c&gt;</string>');
      expect(xml).toContain('<string>new release</string>');
      expect(xml).not.toContain('<string>create</string>');
    } finally {
      await p.close();
    }
  });

  it('caps changelog_since_serial and pages by the last serial', async () => {
    const p = await FakePypi.start({ maxChangelogRows: 4 });
    try {
      for (let i = 0; i < 10; i++) p.addProject(`proj-${i}`);
      const serials = async (since: number): Promise<number[]> => {
        const xml = await (await post(p.url, rpc('changelog_since_serial', [`<int>${since}</int>`]))).text();
        return [...xml.matchAll(/<string>create<\/string><\/value>\s*<value><int>(\d+)<\/int>/g)].map((m) => Number(m[1]));
      };
      expect(await serials(0)).toEqual([1, 2, 3, 4]);
      expect(await serials(4)).toEqual([5, 6, 7, 8]);
      expect(await serials(8)).toEqual([9, 10]);
      expect(await serials(10)).toEqual([]);
    } finally {
      await p.close();
    }
  });

  it('faults on unknown methods and bad params, 415 on the wrong content type', async () => {
    const unknown = await (await post(pypi.url, rpc('no_such_method'))).text();
    expect(unknown).toMatch(/<fault>[\s\S]*<name>faultCode<\/name>\s*<value><int>-32601<\/int>/);
    const bad = await (await post(pypi.url, rpc('changelog_since_serial', ['<string>x</string>']))).text();
    expect(bad).toMatch(/<int>-32602<\/int>/);
    const missing = await (await post(pypi.url, rpc('changelog_since_serial'))).text();
    expect(missing).toMatch(/<int>-32602<\/int>/);
    expect((await post(pypi.url, rpc('changelog_last_serial'), 'application/json')).status).toBe(415);
  });
});

describe('JSON API', () => {
  it('redirects non-normalized names with 301', async () => {
    const res = await fetch(`${pypi.url}/pypi/Zope.Interface/json`, { redirect: 'manual' });
    expect(res.status).toBe(301);
    expect(res.headers.get('location')).toBe('/pypi/zope-interface/json');
  });

  it('404s unknown projects and projects without releases', async () => {
    expect((await fetch(`${pypi.url}/pypi/nope/json`)).status).toBe(404);
    expect((await fetch(`${pypi.url}/pypi/placeholder-project/json`)).status).toBe(404);
    expect((await fetch(`${pypi.url}/pypi/requests/9.9/json`)).status).toBe(404);
  });

  it('serves Warehouse-shaped bodies with X-PyPI-Last-Serial', async () => {
    const res = await fetch(`${pypi.url}/pypi/requests/json`);
    expect(res.headers.get('content-type')).toBe('application/json');
    const body = (await res.json()) as Loose;
    expect(Number(res.headers.get('x-pypi-last-serial'))).toBe(body.last_serial);
    expect(body.info.version).toBe('2.32.3'); // not the rc, not the yanked one
    expect(body.info.requires_dist).toContain('idna<4,>=2.5');
    expect(Object.keys(body.releases)).toEqual(['2.31.0', '2.32.0', '2.32.3', '2.33.0rc1']);
    const yanked = body.releases['2.32.0'][0];
    expect(yanked.yanked).toBe(true);
    expect(yanked.yanked_reason).toMatch(/CVE/);
    const whl = body.urls.find((f: Loose) => f.packagetype === 'bdist_wheel');
    expect(whl).toMatchObject({ python_version: 'py3', requires_python: '>=3.8', has_sig: false, downloads: -1 });
    expect(whl['core-metadata'].sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(body.urls.find((f: Loose) => f.packagetype === 'sdist')['core-metadata']).toBe(false);
    expect(whl.upload_time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$/);
    expect(whl.upload_time_iso_8601).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
    const b2 = whl.digests.blake2b_256 as string;
    expect(whl.url).toBe(`${pypi.url}/packages/${b2.slice(0, 2)}/${b2.slice(2, 4)}/${b2.slice(4)}/${whl.filename}`);
    expect(whl.digests.sha256).toBe(pypi.sha256(whl.filename));
    expect(whl.size).toBe(pypi.fileBytes(whl.filename).length);

    const rel = (await (await fetch(`${pypi.url}/pypi/requests/2.33.0rc1/json`)).json()) as Loose;
    expect(rel.info.version).toBe('2.33.0rc1');
    expect(rel.info.requires_dist).toContain('charset_normalizer<4,>=2');
    expect(rel.urls).toHaveLength(1);
    expect(rel.releases).toBeUndefined();
    expect(pypi.requests.json['requests']).toBeGreaterThanOrEqual(2);
  });

  it('omits core-metadata when the upstream is older', async () => {
    const p = await FakePypi.start({ coreMetadataInJson: false });
    try {
      p.addProject('Old');
      p.addRelease('old', '1.0');
      p.addFile('old', '1.0');
      const body = (await (await fetch(`${p.url}/pypi/old/json`)).json()) as { urls: object[] };
      expect(body.urls[0]).not.toHaveProperty('core-metadata');
      const simple = (await (await fetch(`${p.url}/simple/old/`, { headers: { Accept: PIP_ACCEPT } })).json()) as {
        files: Array<{ 'core-metadata': unknown }>;
      };
      expect(simple.files[0]?.['core-metadata']).toEqual({ sha256: expect.stringMatching(/^[0-9a-f]{64}$/) });
    } finally {
      await p.close();
    }
  });
});

describe('simple API', () => {
  it('negotiates JSON vs HTML by Accept and q-values', async () => {
    const type = async (accept?: string): Promise<string | null> =>
      (await fetch(`${pypi.url}/simple/requests/`, { headers: accept ? { Accept: accept } : {} })).headers.get('content-type');
    expect(await type(PIP_ACCEPT)).toBe('application/vnd.pypi.simple.v1+json');
    expect(await type()).toMatch(/^text\/html/);
    expect(await type('*/*')).toMatch(/^text\/html/);
    expect(await type('text/html')).toMatch(/^text\/html/);
    expect(await type('application/vnd.pypi.simple.v1+json;q=0.2, application/vnd.pypi.simple.v1+html')).toMatch(/^application\/vnd\.pypi\.simple\.v1\+html/);
    expect(await type('application/vnd.pypi.simple.v1+json, */*;q=0.1')).toBe('application/vnd.pypi.simple.v1+json');
  });

  it('redirects to the normalized, slash-terminated URL', async () => {
    for (const path of ['/simple/requests', '/simple/Zope.Interface/', '/simple']) {
      const res = await fetch(pypi.url + path, { redirect: 'manual' });
      expect(res.status).toBe(301);
      expect(res.headers.get('location')).toMatch(/^\/simple\/(requests\/|zope-interface\/)?$/);
    }
    expect((await fetch(`${pypi.url}/simple/nope/`)).status).toBe(404);
  });

  it('renders PEP 691 JSON with serials, yanks and core-metadata', async () => {
    const res = await fetch(`${pypi.url}/simple/idna/`, { headers: { Accept: PIP_ACCEPT } });
    const body = (await res.json()) as Loose;
    expect(body.meta).toEqual({ 'api-version': '1.4', '_last-serial': Number(res.headers.get('x-pypi-last-serial')) });
    expect(res.headers.get('vary')).toBe('Accept');
    expect(body.name).toBe('idna');
    expect(body.versions).toEqual(['3.6', '3.7']);
    const old = body.files.find((f: Loose) => f.filename === 'idna-3.6-py3-none-any.whl');
    expect(old.yanked).toBe(true);
    expect(old.size).toBeGreaterThan(0);
    expect(old['upload-time']).toMatch(/Z$/);
    expect(body.files.find((f: Loose) => f.filename === 'idna-3.6.tar.gz')['core-metadata']).toBe(false);
    const root = (await (await fetch(`${pypi.url}/simple/`, { headers: { Accept: PIP_ACCEPT } })).json()) as Loose;
    expect(root.meta['_last-serial']).toBe(pypi.serial());
    expect(root.projects).toContainEqual({ name: 'zope.interface', '_last-serial': expect.any(Number) });
  });

  it('renders PEP 503 HTML with escaped data attributes', async () => {
    const html = await (await fetch(`${pypi.url}/simple/idna/`)).text();
    expect(html).toContain('<meta name="pypi:repository-version" content="1.4">');
    expect(html).toMatch(/<a href="[^"]+\/idna-3\.6-py3-none-any\.whl#sha256=[0-9a-f]{64}" data-requires-python="&gt;=3\.5" data-dist-info-metadata="sha256=[0-9a-f]{64}" data-core-metadata="sha256=[0-9a-f]{64}" data-yanked="">idna-3\.6-py3-none-any\.whl<\/a>/);
    const req = await (await fetch(`${pypi.url}/simple/requests/`)).text();
    expect(req).toMatch(/data-yanked="Yanked due to conflicts with CVE-2024-35195 mitigation"/);
  });
});

describe('files', () => {
  it('serves .metadata whose sha256 is the advertised one and equals the METADATA member', async () => {
    const body = (await (await fetch(`${pypi.url}/pypi/requests/json`)).json()) as Loose;
    const whl = body.urls.find((f: Loose) => f.packagetype === 'bdist_wheel');
    const meta = Buffer.from(await (await fetch(`${whl.url}.metadata`)).arrayBuffer());
    const { createHash } = await import('node:crypto');
    expect(createHash('sha256').update(meta).digest('hex')).toBe(whl['core-metadata'].sha256);
    expect(meta.toString()).toContain('Requires-Dist: urllib3<3,>=1.21.1');
    const path = join(tmp, whl.filename);
    await writeFile(path, pypi.fileBytes(whl.filename));
    const inner = await python(
      `import sys,zipfile,hashlib
z = zipfile.ZipFile(sys.argv[1])
print(hashlib.sha256(z.read('requests-2.32.3.dist-info/METADATA')).hexdigest())`,
      path,
    );
    expect(inner.trim()).toBe(whl['core-metadata'].sha256);
    expect(pypi.requests.metadata[whl.filename]).toBe(1);
    const sdist = body.urls.find((f: Loose) => f.packagetype === 'sdist');
    expect((await fetch(`${sdist.url}.metadata`)).status).toBe(404);
    expect((await fetch(`${pypi.url}/packages/aa/bb/cc/nope.whl`)).status).toBe(404);
  });

  it('builds files Python opens, with the advertised digests, deterministically, padded to size', async () => {
    const p = await FakePypi.start();
    try {
      seedDemo(p);
      p.addProject('Big_Pkg');
      p.addRelease('big-pkg', '1.0');
      const big = p.addFile('big-pkg', '1.0', { size: 300_000 });
      const bigSdist = p.addFile('big-pkg', '1.0', { kind: 'sdist', size: 300_000 });
      expect(big).toBe('big_pkg-1.0-py3-none-any.whl');
      expect(Math.abs(p.fileBytes(big).length - 300_000)).toBeLessThan(600);
      expect(Math.abs(p.fileBytes(bigSdist).length - 300_000)).toBeLessThan(600);
      const dir = await mkdtemp(join(tmp, 'files-'));
      const expected: Record<string, { sha256: string; b2: string }> = {};
      for (const name of ['simplejson', 'charset-normalizer', 'docopt', 'big-pkg']) {
        const body = (await (await fetch(`${p.url}/pypi/${name}/json`)).json()) as Loose;
        for (const files of Object.values(body.releases) as Loose[][]) {
          for (const f of files) {
            if (name !== 'big-pkg') expect(p.fileBytes(f.filename).equals(pypi.fileBytes(f.filename))).toBe(true);
            const served = Buffer.from(await (await fetch(f.url)).arrayBuffer());
            expect(served.equals(p.fileBytes(f.filename))).toBe(true);
            await writeFile(join(dir, f.filename), served);
            expected[f.filename] = { sha256: f.digests.sha256, b2: f.digests.blake2b_256 };
          }
        }
      }
      for (const fn of ['simplejson-2.0.9-py2.7-linux-x86_64.egg', 'simplejson-2.0.9.win32.exe']) expect(expected).toHaveProperty([fn]);
      const out = await python(
        `import sys,os,json,zipfile,tarfile,hashlib
d = sys.argv[1]; res = {}
for n in sorted(os.listdir(d)):
    p = os.path.join(d, n); b = open(p, 'rb').read()
    r = {'sha256': hashlib.sha256(b).hexdigest(), 'b2': hashlib.blake2b(b, digest_size=32).hexdigest()}
    if n.endswith(('.whl', '.egg')):
        with zipfile.ZipFile(p) as z:
            assert z.testzip() is None, n
            r['members'] = z.namelist()
    elif n.endswith('.tar.gz'):
        with tarfile.open(p, 'r:gz') as t:
            r['members'] = t.getnames()
            pkg = [m for m in r['members'] if m.endswith('/PKG-INFO')][0]
            assert b'Name: ' in t.extractfile(pkg).read()
    res[n] = r
print(json.dumps(res))`,
        dir,
      );
      const seen = JSON.parse(out) as Record<string, { sha256: string; b2: string; members?: string[] }>;
      for (const [name, want] of Object.entries(expected)) {
        expect(seen[name]?.sha256, name).toBe(want.sha256);
        expect(seen[name]?.b2, name).toBe(want.b2);
      }
      expect(seen['docopt-0.6.2.tar.gz']?.members).toEqual(expect.arrayContaining(['docopt-0.6.2/PKG-INFO', 'docopt-0.6.2/pyproject.toml']));
      expect(seen['simplejson-2.0.9-py2.7.egg']?.members).toContain('EGG-INFO/PKG-INFO');
      expect(seen[big]?.members).toContain('big_pkg-1.0.dist-info/RECORD');
    } finally {
      await p.close();
    }
  });

  it('serves corrupted bytes on request: flipped, or truncated mid-body', async () => {
    const p = await FakePypi.start();
    try {
      p.addProject('bad');
      p.addRelease('bad', '1.0');
      const a = p.addFile('bad', '1.0', { size: 50_000 });
      const b = p.addFile('bad', '1.0', { kind: 'sdist', size: 50_000 });
      const urlOf = async (fn: string): Promise<string> => {
        const body = (await (await fetch(`${p.url}/pypi/bad/json`)).json()) as { urls: Array<{ filename: string; url: string }> };
        return body.urls.find((f) => f.filename === fn)!.url;
      };
      p.corruptFile(a, 'flip');
      const flipped = Buffer.from(await (await fetch(await urlOf(a))).arrayBuffer());
      expect(flipped.length).toBe(p.fileBytes(a).length);
      expect(flipped.equals(p.fileBytes(a))).toBe(false);
      p.corruptFile(b, 'truncate');
      const res = await fetch(await urlOf(b));
      expect(Number(res.headers.get('content-length'))).toBe(p.fileBytes(b).length);
      await expect(res.arrayBuffer()).rejects.toThrow();
      const ranged = await fetch(await urlOf(p.addFile('bad', '1.0', { tags: 'py2-none-any' })), { headers: { Range: 'bytes=-22' } });
      expect(ranged.status).toBe(206);
      expect(Buffer.from(await ranged.arrayBuffer()).readUInt32LE(0)).toBe(0x06054b50); // zip EOCD
      expect(p.requests.files[a]).toBe(1);
    } finally {
      await p.close();
    }
  });

  it('tracks mutations: serials, removal and counters', async () => {
    const p = await FakePypi.start();
    try {
      p.addProject('Gone');
      p.addRelease('gone', '1.0');
      const f = p.addFile('GONE', '1.0');
      expect(p.serial()).toBe(3);
      p.removeFile(f);
      p.removeRelease('gone', '1.0');
      p.removeProject('gone');
      const xml = await (await post(p.url, rpc('changelog_since_serial', ['<int>3</int>']))).text();
      expect([...xml.matchAll(/<string>(remove [^<]*)<\/string>/g)].map((m) => m[1])).toEqual([
        `remove file ${f}`,
        'remove release',
        'remove project',
      ]);
      const list = await (await post(p.url, rpc('list_packages_with_serial'))).text();
      expect(list).toMatch(/<struct>\s*<\/struct>/);
      expect((await fetch(`${p.url}/simple/gone/`)).status).toBe(404);
      expect(p.requests.total).toBe(3);
      expect(p.log.map((l) => l.path)).toEqual(['/pypi', '/pypi', '/simple/gone/']);
      p.resetCounts();
      expect(p.requests).toEqual({ xmlrpc: {}, json: {}, simple: 0, files: {}, metadata: {}, total: 0 });
      expect(p.log).toEqual([]);
    } finally {
      await p.close();
    }
  });
});

describe('pip', () => {
  it('installs a generated wheel and its dependency from --find-links', async () => {
    const p = await FakePypi.start();
    try {
      p.addProject('Top.Level');
      p.addRelease('top-level', '1.2.0', { requiresDist: ['dep_lib>=2'], requiresPython: '>=3.8' });
      p.addProject('dep-lib');
      p.addRelease('dep-lib', '2.0');
      const links = await mkdtemp(join(tmp, 'links-'));
      for (const fn of [p.addFile('top.level', '1.2.0'), p.addFile('dep-lib', '2.0')]) await writeFile(join(links, fn), p.fileBytes(fn));
      const target = await mkdtemp(join(tmp, 'target-'));
      await run(
        'python3',
        ['-m', 'pip', 'install', '--isolated', '--disable-pip-version-check', '--no-index', '--find-links', links, '--target', target, 'Top.Level'],
        { timeout: 60_000 },
      );
      const installed = await readdir(target);
      expect(installed).toEqual(expect.arrayContaining(['top_level', 'dep_lib', 'top_level-1.2.0.dist-info', 'dep_lib-2.0.dist-info']));
      expect(await readFile(join(target, 'top_level', '__init__.py'), 'utf8')).toBe('__version__ = "1.2.0"\n');
    } finally {
      await p.close();
    }
  });

  it('installs from the simple index, skipping the yanked release and fetching .metadata', async () => {
    const target = await mkdtemp(join(tmp, 'index-'));
    pypi.resetCounts();
    await run(
      'python3',
      ['-m', 'pip', 'install', '--isolated', '--disable-pip-version-check', '--only-binary', ':all:', '--index-url', `${pypi.url}/simple/`, '--target', target, 'requests<2.32.3'],
      { timeout: 60_000 },
    );
    const installed = await readdir(target);
    const want = ['requests-2.31.0.dist-info', 'idna-3.7.dist-info', 'certifi-2024.7.4.dist-info', 'urllib3-2.2.2.dist-info'];
    expect(installed).toEqual(expect.arrayContaining(want));
    expect(installed.some((n) => n.startsWith('charset_normalizer-3.3.2'))).toBe(true);
    expect(pypi.requests.simple).toBeGreaterThanOrEqual(5);
    expect(pypi.requests.files['requests-2.31.0-py3-none-any.whl']).toBe(1);
    expect(Object.keys(pypi.requests.metadata)).toContain('requests-2.31.0-py3-none-any.whl');
  });
});

interface Raw {
  status: number;
  declared: number;
  body: Buffer;
  /** How the connection ended: 'fin' for a clean close, else the socket error code. */
  end: string;
  headMs: number;
  ms: number;
}

/** One GET on a raw socket, to see exactly how a response ends (FIN vs reset, short body). */
function rawGet(base: string, path: string): Promise<Raw> {
  return new Promise((resolve) => {
    const start = Date.now();
    const chunks: Buffer[] = [];
    let headMs = -1;
    const s = connect(Number(new URL(base).port), '127.0.0.1');
    const done = (end: string): void => {
      const all = Buffer.concat(chunks);
      const cut = all.indexOf('\r\n\r\n');
      const head = all.subarray(0, cut).toString('latin1');
      resolve({
        status: Number(/^HTTP\/1\.1 (\d+)/.exec(head)?.[1] ?? 0),
        declared: Number(/\r\ncontent-length: (\d+)/i.exec(head)?.[1] ?? -1),
        body: all.subarray(cut + 4),
        end,
        headMs,
        ms: Date.now() - start,
      });
    };
    s.on('data', (d: Buffer) => {
      chunks.push(d);
      if (headMs < 0 && Buffer.concat(chunks).includes('\r\n\r\n')) headMs = Date.now() - start;
    });
    s.once('end', () => done('fin'));
    s.once('error', (e: NodeJS.ErrnoException) => done(e.code ?? 'error'));
    s.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`);
  });
}

interface ProjectDoc {
  last_serial: number;
  info: { name: string };
  releases: Record<string, Array<{ filename: string; url: string }>>;
}

describe('fault injection', () => {
  let f: FakePypi;
  let wheel: string;
  let wheelPath: string;
  const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

  beforeAll(async () => {
    f = await FakePypi.start();
    f.addProject('flaky');
    f.addRelease('flaky', '1.0');
    wheel = f.addFile('flaky', '1.0', { size: 100_000 });
    f.addFile('flaky', '1.0', { kind: 'sdist' });
    f.addRelease('flaky', '2.0');
    f.addFile('flaky', '2.0');
    const body = (await (await fetch(`${f.url}/pypi/flaky/json`)).json()) as ProjectDoc;
    wheelPath = new URL(body.releases['1.0']?.find((x) => x.filename === wheel)?.url ?? '').pathname;
  });
  afterEach(() => {
    f.setFaults(null);
    f.resetCounts();
  });
  afterAll(async () => {
    await f.close();
  });

  it('answers 500, 503, and 429 with Retry-After, counting each by kind and class', async () => {
    for (const [kind, status] of [['http-500', 500], ['http-503', 503], ['http-429', 429]] as const) {
      f.setFaults({ rate: 1, seed: 3, kinds: [kind], retryAfter: 2 });
      const res = await fetch(f.url + wheelPath);
      expect(res.status).toBe(status);
      expect(res.headers.get('retry-after')).toBe(status === 429 ? '2' : null);
      await res.arrayBuffer();
      expect(f.faultsInjected.kind[kind]).toBe(1);
    }
    expect(f.faultsInjected.total).toBe(3);
    expect(f.faultsInjected.class.files).toBe(3);
    expect(f.faultLog.map((e) => e.kind)).toEqual(['http-500', 'http-503', 'http-429']);
    expect(f.requests.files[wheel]).toBe(3); // the upstream still saw, and counted, each request
  });

  it('resets mid-body, truncates below Content-Length, corrupts at the right length', async () => {
    const size = f.fileBytes(wheel).length;
    f.setFaults({ rate: 1, kinds: ['reset'] });
    const reset = await rawGet(f.url, wheelPath);
    expect(reset).toMatchObject({ status: 200, declared: size, end: 'ECONNRESET' });
    expect(reset.body.length).toBeLessThan(size);

    f.setFaults({ rate: 1, kinds: ['truncate'] });
    const cut = await rawGet(f.url, wheelPath);
    expect(cut).toMatchObject({ status: 200, declared: size, end: 'fin' });
    expect(cut.body.length).toBeGreaterThan(0);
    expect(cut.body.length).toBeLessThan(size);
    expect(cut.body.equals(f.fileBytes(wheel).subarray(0, cut.body.length))).toBe(true);

    f.setFaults({ rate: 1, kinds: ['corrupt'] });
    const bad = Buffer.from(await (await fetch(f.url + wheelPath)).arrayBuffer());
    expect(bad.length).toBe(size);
    expect(sha(bad)).not.toBe(f.sha256(wheel));
    expect(f.faultsInjected.kind).toMatchObject({ reset: 1, truncate: 1, corrupt: 1 });

    f.setFaults(null);
    const good = await rawGet(f.url, wheelPath);
    expect(good).toMatchObject({ status: 200, end: 'fin' });
    expect(sha(good.body)).toBe(f.sha256(wheel));
  });

  it('holds a response back before its headers (slow) or mid-body (stall)', async () => {
    f.setFaults({ rate: 1, kinds: ['slow'], slowMs: 400 });
    const slow = await rawGet(f.url, wheelPath);
    expect(slow.headMs).toBeGreaterThanOrEqual(380);
    expect(sha(slow.body)).toBe(f.sha256(wheel));
    f.setFaults({ rate: 1, kinds: ['stall'], slowMs: 400 });
    const stall = await rawGet(f.url, wheelPath);
    expect(stall.headMs).toBeLessThan(300);
    expect(stall.ms).toBeGreaterThanOrEqual(380);
    expect(sha(stall.body)).toBe(f.sha256(wheel));
    expect(f.faultsInjected.total).toBe(2);
  });

  it('rate-limits XML-RPC with fault -32500, applies kinds only where they fit, stops after max', async () => {
    f.setFaults({ rate: 1, kinds: ['rpc-fault', 'corrupt'] });
    const xml = await (await post(f.url, rpc('changelog_last_serial'))).text();
    expect(xml).toMatch(/<fault>[\s\S]*<int>-32500<\/int>[\s\S]*<string>HTTPTooManyRequests/);
    // Neither kind applies to a JSON document: it is served intact.
    const doc = await fetch(`${f.url}/pypi/flaky/json`);
    expect(((await doc.json()) as ProjectDoc).info.name).toBe('flaky');
    expect(f.faultsInjected).toMatchObject({ total: 1, kind: { 'rpc-fault': 1 }, class: { xmlrpc: 1, json: 0 } });

    f.setFaults({ rate: 1, kinds: ['http-500'], only: ['json'] });
    expect((await fetch(`${f.url}/pypi/flaky/json`)).status).toBe(500);
    expect((await fetch(f.url + wheelPath)).status).toBe(200);
    expect((await fetch(`${f.url}/simple/flaky/`)).status).toBe(200);

    f.setFaults({ rate: 1, max: 2, kinds: ['http-503'] });
    const burst: number[] = [];
    for (let i = 0; i < 4; i++) burst.push((await fetch(f.url + wheelPath)).status);
    expect(burst).toEqual([503, 503, 200, 200]);
  });

  it('serves the first N JSON documents of a project stale: older serial, newest release missing', async () => {
    f.setFaults({ stale: { first: 2, projects: ['Flaky'] } });
    const seen: Array<{ header: number; body: number; versions: string[] }> = [];
    for (let i = 0; i < 3; i++) {
      const res = await fetch(`${f.url}/pypi/flaky/json`);
      const body = (await res.json()) as ProjectDoc;
      seen.push({ header: Number(res.headers.get('x-pypi-last-serial')), body: body.last_serial, versions: Object.keys(body.releases) });
    }
    const fresh = seen[2];
    expect(fresh?.versions).toEqual(['1.0', '2.0']);
    for (const s of seen.slice(0, 2)) {
      expect(s.header).toBe(s.body);
      expect(s.header).toBeLessThan(fresh?.header ?? 0);
      expect(s.versions).toEqual(['1.0']);
    }
    expect(f.faultsInjected.kind.stale).toBe(2);
  });

  it('fails one file on every request until cleared', async () => {
    const other = f.files().find((x) => x.filename !== wheel)?.filename;
    f.failFile(wheel, 'http-500');
    for (let i = 0; i < 3; i++) expect((await fetch(f.url + wheelPath)).status).toBe(500);
    const doc = (await (await fetch(`${f.url}/pypi/flaky/json`)).json()) as ProjectDoc;
    const url = Object.values(doc.releases).flat().find((x) => x.filename === other)?.url;
    expect((await fetch(url ?? '')).status).toBe(200);
    expect(f.faultsInjected.kind['http-500']).toBe(3);
    f.failFile(wheel, null);
    expect((await fetch(f.url + wheelPath)).status).toBe(200);
    expect(() => f.failFile('no-such-file.whl', 'corrupt')).toThrow();
  });

  it('draws faults from the seed alone: same seed, same faults, whatever the request order', async () => {
    const kinds: FaultKind[] = ['http-500', 'http-503'];
    const paths = Array.from({ length: 100 }, (_, i) => `/pypi/nope-${i}/json`);
    const faulted = async (seed: number, order: 'serial' | 'parallel'): Promise<string[]> => {
      f.setFaults({ rate: 0.3, seed, kinds });
      f.resetCounts();
      const statuses: number[] = [];
      if (order === 'serial') for (const p of paths) statuses.push((await fetch(f.url + p)).status);
      else statuses.push(...(await Promise.all([...paths].reverse().map(async (p) => (await fetch(f.url + p)).status))).reverse());
      expect(f.faultsInjected.total).toBe(statuses.filter((s) => s >= 500).length);
      return paths.filter((_, i) => (statuses[i] ?? 0) >= 500);
    };
    const a = await faulted(7, 'serial');
    expect(a.length).toBeGreaterThan(15);
    expect(a.length).toBeLessThan(45);
    expect(await faulted(7, 'serial')).toEqual(a);
    expect(await faulted(7, 'parallel')).toEqual(a);
    expect(await faulted(8, 'serial')).not.toEqual(a);
    // A retry of the same request draws again: a faulted request does not fail forever.
    f.setFaults({ rate: 0.3, seed: 7, kinds });
    const statuses: number[] = [];
    for (let i = 0; i < 20; i++) statuses.push((await fetch(f.url + (a[0] ?? ''))).status);
    expect(statuses[0]).toBeGreaterThanOrEqual(500);
    expect(statuses).toContain(404);
  });
});
