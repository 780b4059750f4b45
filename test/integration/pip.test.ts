/**
 * A real client: pip installs from a synced tree served by `jubjub serve`, once through
 * HTML pages only and once through JSON pages only. `--isolated` keeps this machine's
 * pip configuration (extra indexes, find-links) from hiding a broken mirror.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { access, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { FakePypi, seedDemo } from '../fake-pypi/index.js';
import { pip, serveMirror } from './clients.js';
import { cleanup, makeMirror, runJubjub, type Mirror } from './harness.js';

let up: FakePypi;
const mirrors: Mirror[] = [];
const servers: ChildProcess[] = [];

beforeAll(async () => {
  up = await FakePypi.start();
  seedDemo(up);
});
afterAll(async () => {
  for (const s of servers) s.kill('SIGTERM');
  await up.close();
  for (const m of mirrors) await cleanup(m);
});

async function pipInstall(index: string, ...reqs: string[]): Promise<string[]> {
  const target = await mkdtemp(path.join(tmpdir(), 'jubjub-pip-'));
  try {
    const r = await pip([
      'install', '--isolated', '--no-cache-dir', '--disable-pip-version-check',
      '--index-url', index, '--only-binary', ':all:', '--target', target, ...reqs,
    ]);
    expect(r.out).not.toMatch(/ERROR/);
    expect(r.code).toBe(0);
    return (await readdir(target)).filter((n) => n.endsWith('.dist-info')).sort();
  } finally {
    await rm(target, { recursive: true, force: true });
  }
}

test('a plain static server (python3 -m http.server, no negotiation) serves the tree to pip', async () => {
  const m = await makeMirror(up.url);
  mirrors.push(m);
  expect((await runJubjub(['sync', '-c', m.config])).code).toBe(0);
  const server = spawn('python3', ['-u', '-m', 'http.server', '0', '--bind', '127.0.0.1', '--directory', m.root], { stdio: ['ignore', 'pipe', 'pipe'] });
  servers.push(server);
  let port = '';
  for await (const line of createInterface({ input: server.stdout! })) {
    port = /port (\d+)/.exec(line)?.[1] ?? '';
    if (port) break;
  }
  const installed = await pipInstall(`http://127.0.0.1:${port}/simple/`, 'requests');
  expect(installed).toEqual(expect.arrayContaining(['idna-3.7.dist-info', 'requests-2.32.3.dist-info', 'urllib3-2.2.2.dist-info']));
});

describe.each([['html'], ['json']])('pip install through %s pages', (format) => {
  test('installs a package with its dependencies, skipping the yanked release', async () => {
    const m = await makeMirror(up.url, { mirror: { formats: [format] } });
    mirrors.push(m);
    expect((await runJubjub(['sync', '-c', m.config])).code).toBe(0);
    // The other format is absent, so pip can only have used this one.
    const other = format === 'html' ? 'index.v1_json' : 'index.html';
    await expect(access(path.join(m.root, 'simple/requests', other))).rejects.toThrow();
    const index = await serveMirror(m, servers);
    const installed = await pipInstall(index, 'requests==2.32.*', 'idna');
    // requests 2.32.0 is yanked, so pip takes 2.32.3; idna 3.6 is yanked too.
    expect(installed).toEqual(
      expect.arrayContaining(['certifi-2024.7.4.dist-info', 'idna-3.7.dist-info', 'requests-2.32.3.dist-info', 'urllib3-2.2.2.dist-info']),
    );
    expect(installed.some((n) => n.startsWith('charset_normalizer-3.3.2'))).toBe(true);
  });
});
