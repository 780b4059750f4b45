import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakePypi, seedDemo } from './fake-pypi/index.js';

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
