/**
 * The shipped docs/nginx.conf and docs/apache.conf, run by the real nginx and Apache
 * over a synced tree: PEP 691 negotiation, redirects, types, compression, caching,
 * hidden paths, and pip installing through each. The shipped files are used as they are,
 * with only the root and the listen address replaced. A server that is not installed is
 * skipped; CI installs both (.ci/setup-system.sh), so there nothing is skipped.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readFile, readdir, rm, unlink, writeFile } from 'node:fs/promises';
import http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { negotiate } from '../../src/serve/negotiate.js';
import { useDemoUpstream } from './demo-upstream.js';
import { listTree, REPO, runJubjub, type Mirror } from './harness.js';
import { findBin, freePort, nginxMainConf } from './local-bin.js';

const JSON_TYPE = 'application/vnd.pypi.simple.v1+json';
const V1_HTML = 'application/vnd.pypi.simple.v1+html';
const TEXT_HTML = 'text/html; charset=utf-8';
const PIP_ACCEPT = `${JSON_TYPE}, ${V1_HTML}; q=0.1, text/html; q=0.01`;
const SECRET = 'never-served-secret';
const APACHE_MODULES = '/usr/lib/apache2/modules';
const IS_ROOT = process.getuid?.() === 0;

type Row = [label: string, accept: string | undefined, file: string | null, type: string | null];
const HTML_PAGE = ['index.html', TEXT_HTML] as const;
const V1_PAGE = ['index.v1_html', V1_HTML] as const;
const JSON_PAGE = ['index.v1_json', JSON_TYPE] as const;
/** Accept header -> the page and type served; null: 406. Checked against negotiate() below. */
const MATRIX: Row[] = [
  ['no Accept', undefined, ...HTML_PAGE],
  ['text/html (pip <= 22.1, pex)', 'text/html', ...HTML_PAGE],
  ['*/*', '*/*', ...HTML_PAGE],
  ['v1+html', V1_HTML, ...V1_PAGE],
  ['v1+json', JSON_TYPE, ...JSON_PAGE],
  ['pip', PIP_ACCEPT, ...JSON_PAGE],
  ['uv', `${JSON_TYPE}, ${V1_HTML};q=0.2, text/html;q=0.01`, ...JSON_PAGE],
  ['poetry', `${JSON_TYPE}, */*;q=0.1`, ...JSON_PAGE],
  ['json q=0 and text/html', `${JSON_TYPE};q=0, text/html`, ...HTML_PAGE],
  ['json q=0 and */*', `${JSON_TYPE}; q=0, */*`, ...HTML_PAGE],
  ['json ranked below html', `text/html;q=0.9, ${JSON_TYPE};q=0.8`, ...HTML_PAGE],
  ['json ranked just above html', `TEXT/HTML;Q=0.499, ${JSON_TYPE};q=0.5`, ...JSON_PAGE],
  ['json q=0 alone', `${JSON_TYPE};q=0`, null, null],
];

interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

function get(port: number, urlPath: string, headers: Record<string, string> = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    // node:http, not fetch: fetch always sends an Accept and decodes gzip by itself.
    const req = http.get({ host: '127.0.0.1', port, path: urlPath, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
  });
}

function varyTokens(r: Reply): string[] {
  return String(r.headers.vary ?? '').toLowerCase().split(/\s*,\s*/);
}

/** A shipped config with the edits an operator makes; each must still be there, once. */
async function shipped(file: string, edits: Array<[from: string, to: string]>): Promise<string> {
  let text = await readFile(path.join(REPO, file), 'utf8');
  for (const [from, to] of edits) {
    if (text.split(from).length !== 2) throw new Error(`${file} should contain \`${from}\` exactly once`);
    text = text.replace(from, to);
  }
  return text;
}

interface WebServer {
  name: string;
  doc: string;
  bin: string | null;
  /** Writes the configuration into `dir`; returns the arguments to run in the foreground. */
  configure(dir: string, port: number, root: string): Promise<string[]>;
}

const nginx: WebServer = {
  name: 'nginx',
  doc: 'docs/nginx.conf',
  bin: findBin('nginx'),
  async configure(dir, port, root) {
    const site = await shipped(this.doc, [
      ['listen 80;', `listen 127.0.0.1:${port};`],
      ['root /srv/jubjub/web;', `root ${root};`],
    ]);
    await writeFile(path.join(dir, 'jubjub.conf'), site);
    // The snippet must work inside a distribution's http {}, next to gzip.
    const { conf, args } = nginxMainConf(dir, ['gzip on;', `access_log ${dir}/access.log;`]);
    await writeFile(path.join(dir, 'nginx.conf'), conf);
    return args;
  },
};

const apache: WebServer = {
  name: 'apache2',
  doc: 'docs/apache.conf',
  bin: existsSync(APACHE_MODULES) ? findBin('apache2') : null,
  async configure(dir, port, root) {
    const site = await shipped(this.doc, [
      ['Define JUBJUB_ROOT /srv/jubjub/web', `Define JUBJUB_ROOT ${root}`],
      ['<VirtualHost *:80>', `<VirtualHost 127.0.0.1:${port}>`],
    ]);
    await writeFile(path.join(dir, 'jubjub.conf'), site);
    const modules = ['mpm_event', 'authz_core', 'mime', 'dir', 'rewrite', 'headers', 'setenvif', 'deflate', 'env', 'filter'];
    const main = [
      `ServerRoot ${dir}`,
      `DefaultRuntimeDir ${dir}`,
      `PidFile ${dir}/httpd.pid`,
      `Mutex file:${dir} default`,
      `ErrorLog ${dir}/error.log`,
      'LogLevel warn',
      `Listen 127.0.0.1:${port}`,
      'ServerName 127.0.0.1',
      // httpd refuses to serve as root; as anyone else User/Group are ignored.
      ...(IS_ROOT ? ['User www-data', 'Group www-data'] : []),
      ...modules.map((m) => `LoadModule ${m}_module ${APACHE_MODULES}/mod_${m}.so`),
      `TypesConfig ${existsSync('/etc/mime.types') ? '/etc/mime.types' : '/dev/null'}`,
      // Server-wide settings seen in the wild that would corrupt archives: the snippet
      // must undo them for packages/ (a .tar.gz sent as Content-Encoding: gzip is
      // decompressed by clients and then fails its sha256).
      'AddType application/x-gzip .gz .tgz',
      'AddEncoding x-gzip .gz .tgz',
      'AddOutputFilterByType DEFLATE text/html text/plain application/octet-stream application/x-gzip',
      `Include ${dir}/jubjub.conf`,
    ];
    await writeFile(path.join(dir, 'httpd.conf'), `${main.join('\n')}\n`);
    return ['-f', `${dir}/httpd.conf`, '-DFOREGROUND'];
  },
};

interface Running {
  port: number;
  stop(): Promise<void>;
}

async function start(server: WebServer, bin: string, root: string, dirs: string[]): Promise<Running> {
  const dir = await mkdtemp(path.join(tmpdir(), `jubjub-${server.name}-`));
  dirs.push(dir);
  // Workers run as another user when started as root: they must reach the config dir.
  await chmod(dir, 0o755);
  const port = await freePort();
  const args = await server.configure(dir, port, root);
  const child: ChildProcess = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (output += c.toString()));
  child.on('error', (e) => (output += String(e)));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(timer);
  };
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) break;
    const ok = await get(port, '/last-modified').then((r) => r.status === 200, () => false);
    if (ok) return { port, stop };
    await new Promise((r) => setTimeout(r, 50));
  }
  await stop();
  const log = await readFile(path.join(dir, 'error.log'), 'utf8').catch(() => '');
  throw new Error(`${server.name} did not come up on port ${port}:\n${output}\n${log}`);
}

function pipInstall(index: string, target: string, req: string): Promise<{ code: number; out: string }> {
  const args = ['-m', 'pip', 'install', '--isolated', '--no-cache-dir', '--disable-pip-version-check', '--no-deps', '--only-binary', ':all:', '--index-url', index, '--target', target, req];
  return new Promise((resolve) => {
    execFile('python3', args, { env: { ...process.env, PIP_CONFIG_FILE: '/dev/null' } }, (err, stdout, stderr) => {
      resolve({ code: err ? Number(err.code ?? 1) : 0, out: `${stdout}\n${stderr}` });
    });
  });
}

const mirror = useDemoUpstream(() => {});
let m: Mirror;
const tempDirs: string[] = [];
const pkg = { wheel: '', sdist: '', metadata: '' };

beforeAll(async () => {
  m = await mirror();
  expect((await runJubjub(['sync', '-c', m.config])).code).toBe(0);
  // mkdtemp makes the mirror's folder 0700; workers running as www-data/nobody read it.
  await chmod(m.dir, 0o755);
  const files = await listTree(path.join(m.root, 'packages'));
  pkg.wheel = `packages/${files.find((f) => f.endsWith('.whl')) ?? ''}`;
  pkg.sdist = `packages/${files.find((f) => f.endsWith('.tar.gz')) ?? ''}`;
  pkg.metadata = `packages/${files.find((f) => f.endsWith('.whl.metadata')) ?? ''}`;
  expect([pkg.wheel, pkg.sdist, pkg.metadata]).toEqual([expect.stringMatching(/\.whl$/), expect.stringMatching(/\.tar\.gz$/), expect.stringMatching(/\.metadata$/)]);
  // Hidden things a server must never hand out.
  await mkdir(path.join(m.root, '.jubjub-tmp'), { recursive: true });
  await writeFile(path.join(m.root, '.jubjub-tmp/partial.whl'), SECRET);
  await mkdir(path.join(m.root, 'simple/.hidden'), { recursive: true });
  await writeFile(path.join(m.root, 'simple/.hidden/index.html'), SECRET);
  await writeFile(path.join(m.root, 'simple/requests/.probe'), SECRET);
  // One format missing, as on a mirror that publishes only HTML (docopt) or only JSON (idna).
  await unlink(path.join(m.root, 'simple/docopt/index.v1_json'));
  await unlink(path.join(m.root, 'simple/idna/index.html'));
  await unlink(path.join(m.root, 'simple/idna/index.v1_html'));
});

afterAll(async () => {
  for (const d of tempDirs) await rm(d, { recursive: true, force: true });
});

const onDisk = (rel: string): Promise<Buffer> => readFile(path.join(m.root, rel));

test('the matrix is what `jubjub serve` negotiates (src/serve/negotiate.ts)', () => {
  for (const [, accept, , type] of MATRIX) expect(negotiate(accept)?.contentType ?? null).toBe(type);
});

for (const server of [nginx, apache]) {
  describe.skipIf(!server.bin)(`${server.name} with ${server.doc}`, () => {
    let srv: Running;
    beforeAll(async () => {
      srv = await start(server, server.bin ?? '', m.root, tempDirs);
    });
    afterAll(async () => {
      await srv?.stop();
    });

    describe.each([['root listing', 'simple/'], ['project page', 'simple/requests/']])('%s', (_, page) => {
      test.each(MATRIX)('Accept: %s', async (_label, accept, file, type) => {
        const r = await get(srv.port, `/${page}`, accept === undefined ? {} : { accept });
        expect(varyTokens(r)).toContain('accept');
        if (file === null) {
          expect(r.status).toBe(406);
          return;
        }
        expect(r.status).toBe(200);
        expect(r.headers['content-type']).toBe(type);
        expect(r.headers['cache-control']).toBe('max-age=600');
        expect(r.body.equals(await onDisk(`${page}${file}`))).toBe(true);
      });
    });

    test('a mirror with one format: the other one when the client accepts it, else 404', async () => {
      const htmlOnly = await get(srv.port, '/simple/docopt/', { accept: PIP_ACCEPT });
      expect([htmlOnly.status, htmlOnly.headers['content-type']]).toEqual([200, V1_HTML]);
      expect(htmlOnly.body.equals(await onDisk('simple/docopt/index.v1_html'))).toBe(true);
      const jsonOnly = await get(srv.port, '/simple/idna/', { accept: `text/html, ${JSON_TYPE};q=0.5` });
      expect([jsonOnly.status, jsonOnly.headers['content-type']]).toEqual([200, JSON_TYPE]);
      expect((await get(srv.port, '/simple/docopt/', { accept: JSON_TYPE })).status).toBe(404);
      expect((await get(srv.port, '/simple/idna/', { accept: 'text/html' })).status).toBe(404);
      expect((await get(srv.port, '/simple/no-such-project/', { accept: PIP_ACCEPT })).status).toBe(404);
    });

    test('301 to the trailing slash, and from / to /simple/', async () => {
      for (const [from, to] of [['/simple/requests', '/simple/requests/'], ['/simple', '/simple/'], ['/', '/simple/']] as const) {
        const r = await get(srv.port, from);
        expect(r.status, from).toBe(301);
        expect(new URL(String(r.headers.location), `http://127.0.0.1:${srv.port}${from}`).pathname).toBe(to);
      }
    });

    test('types: .metadata, the JSON API, last-modified', async () => {
      const meta = await get(srv.port, `/${pkg.metadata}`);
      expect([meta.status, meta.headers['content-type']]).toEqual([200, 'application/octet-stream']);
      expect(meta.body.equals(await onDisk(pkg.metadata))).toBe(true);
      const api = await get(srv.port, '/pypi/requests/json');
      expect([api.status, api.headers['content-type'], api.headers['cache-control']]).toEqual([200, 'application/json', 'max-age=600']);
      expect(api.body.equals(await onDisk('pypi/requests/json'))).toBe(true);
      const lm = await get(srv.port, '/last-modified');
      expect(lm.headers['content-type']).toBe('text/plain; charset=utf-8');
    });

    test('archives and .metadata: byte for byte, never Content-Encoding, cached as immutable', async () => {
      for (const rel of [pkg.wheel, pkg.sdist, pkg.metadata]) {
        const r = await get(srv.port, `/${rel}`, { 'accept-encoding': 'gzip, deflate, br' });
        expect(r.status, rel).toBe(200);
        expect(r.headers['content-encoding'], rel).toBeUndefined();
        expect(r.headers['content-type'], rel).toBe('application/octet-stream');
        expect(r.headers['cache-control'], rel).toBe('max-age=31536000, immutable');
        const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');
        expect(sha(r.body), rel).toBe(sha(await onDisk(rel)));
      }
    });

    test('Range requests on a wheel (uv reads wheel metadata that way)', async () => {
      const r = await get(srv.port, `/${pkg.wheel}`, { range: 'bytes=10-19' });
      expect(r.status).toBe(206);
      expect(r.body.equals((await onDisk(pkg.wheel)).subarray(10, 20))).toBe(true);
    });

    test('pages are gzip-compressed when the client asks, plain otherwise', async () => {
      const gz = await get(srv.port, '/simple/', { accept: PIP_ACCEPT, 'accept-encoding': 'gzip' });
      expect([gz.status, gz.headers['content-encoding']]).toEqual([200, 'gzip']);
      expect(varyTokens(gz)).toEqual(expect.arrayContaining(['accept', 'accept-encoding']));
      expect(gunzipSync(gz.body).equals(await onDisk('simple/index.v1_json'))).toBe(true);
      const page = await get(srv.port, '/simple/requests/', { 'accept-encoding': 'gzip' });
      expect(gunzipSync(page.body).equals(await onDisk('simple/requests/index.html'))).toBe(true);
      const plain = await get(srv.port, '/simple/', { accept: PIP_ACCEPT });
      expect(plain.headers['content-encoding']).toBeUndefined();
    });

    test('dot-paths are never served', async () => {
      const paths = [
        '/.jubjub-tmp/partial.whl',
        '/%2ejubjub-tmp/partial.whl',
        '/simple/../.jubjub-tmp/partial.whl',
        '/simple/%2e%2e/.jubjub-tmp/partial.whl',
        '/simple/.hidden/',
        '/simple/.hidden/index.html',
        '/simple/requests/.probe',
        '/.jubjub-tmp/',
      ];
      for (const p of paths) {
        const r = await get(srv.port, p, { accept: PIP_ACCEPT });
        expect([403, 404], p).toContain(r.status);
        expect(r.body.toString(), p).not.toContain(SECRET);
      }
      expect((await get(srv.port, '/packages/')).status).toBe(404);
    });

    test('pip installs through it', async () => {
      const target = await mkdtemp(path.join(tmpdir(), 'jubjub-pip-'));
      tempDirs.push(target);
      const r = await pipInstall(`http://127.0.0.1:${srv.port}/simple/`, target, 'requests');
      expect(r.out).not.toMatch(/ERROR/);
      expect(r.code).toBe(0);
      // 2.32.0 is yanked and 2.33.0rc1 a pre-release: 2.32.3 shows the pages were read right.
      expect((await readdir(target)).filter((n) => n.endsWith('.dist-info'))).toEqual(['requests-2.32.3.dist-info']);
    });
  });
}
