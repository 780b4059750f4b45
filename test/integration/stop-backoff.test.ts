/**
 * SIGTERM while a request waits out a backoff. A 429 may say "come back in a minute":
 * a stopping run must not sit that out (systemd would kill it first), and must not make
 * the request once the wait is over. What it did not finish, the next run does.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, expect, test } from 'vitest';
import { FakePypi, type RequestClass } from '../fake-pypi/index.js';
import { cleanup, makeMirror, publishedFiles, runJubjub, spawnJubjub, type Mirror } from './harness.js';
import { checkTree } from './tree-check.js';

const RETRY_AFTER_S = 60;
const upstreams: FakePypi[] = [];
const mirrors: Mirror[] = [];

afterAll(async () => {
  for (const up of upstreams) await up.close();
  for (const m of mirrors) await cleanup(m);
});

async function upstream(prefix: string): Promise<FakePypi> {
  const up = await FakePypi.start();
  upstreams.push(up);
  for (let p = 0; p < 3; p++) {
    const name = `${prefix}-${p}`;
    up.addProject(name);
    up.addRelease(name, '1.0');
    up.addFile(name, '1.0', { kind: 'wheel', size: 4_000 });
    up.addFile(name, '1.0', { kind: 'sdist', size: 3_000 });
  }
  return up;
}

// xmlrpc: the feed, before the run began; json: a project's metadata; files: a download.
test.each<RequestClass>(['xmlrpc', 'json', 'files'])('a stop while a %s request waits for its retry exits 0 at once, and asks nothing more', async (kind) => {
  const up = await upstream(`backoff-${kind}`);
  const m = await makeMirror(up.url, { upstream: { retries: 3, download_concurrency: 1 } });
  mirrors.push(m);
  up.setFaults({ rate: 1, max: 1, kinds: ['http-429'], only: [kind], retryAfter: RETRY_AFTER_S });

  const child = spawnJubjub(['sync', '-c', m.config]);
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  for (let i = 0; i < 2000 && up.faultLog.length === 0; i++) await sleep(5);
  const limited = up.faultLog[0];
  expect(limited?.kind).toBe('http-429');
  // The 429 is answered before jubjub reads it: give it time to start waiting.
  await sleep(300);
  const stoppedAt = Date.now();
  child.kill('SIGTERM');
  expect(await exited, stderr).toBe(0);
  // Before the fix the run slept out the whole minute, then made the request.
  expect(Date.now() - stoppedAt).toBeLessThan(10_000);
  expect(up.log.filter((l) => l.path === limited?.path)).toHaveLength(1);
  const status = JSON.parse((await runJubjub(['status', '--json', '-c', m.config])).stdout) as { failed: Record<string, unknown> };
  expect(status.failed).toEqual({});
  expect((await checkTree(m.root, { complete: false })).problems).toEqual([]);

  up.setFaults(null);
  const next = await runJubjub(['sync', '-c', m.config]);
  expect(next.code, next.stderr).toBe(0);
  expect(await publishedFiles(m.root)).toEqual(new Map(up.files().map((f) => [f.filename, f.sha256])));
  expect((await checkTree(m.root)).problems).toEqual([]);
});
