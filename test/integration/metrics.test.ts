/**
 * `metrics.textfile` end to end: a sync writes it atomically, and the real node_exporter
 * textfile collector reads it without a scrape error and serves jubjub's gauges.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, describe, expect, test } from 'vitest';
import type { FakePypi } from '../fake-pypi/index.js';
import { useDemoUpstream } from './demo-upstream.js';
import { runJubjub, writeConfig, type Mirror } from './harness.js';
import { freePort } from './local-bin.js';

let up: FakePypi;
const mirror = useDemoUpstream((u) => {
  up = u;
});
const NODE_EXPORTER = ['/usr/bin/prometheus-node-exporter', '/usr/bin/node_exporter'].find((p) => existsSync(p));
const children: ChildProcess[] = [];
afterAll(() => {
  for (const c of children) c.kill('SIGKILL');
});

function values(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const i = line.lastIndexOf(' ');
    out.set(line.slice(0, i), Number(line.slice(i + 1)));
  }
  return out;
}

async function syncedWithMetrics(): Promise<{ m: Mirror; dir: string; file: string }> {
  const m = await mirror({ filters: { allow: ['idna', 'certifi'] } });
  const dir = path.join(m.dir, 'textfile');
  await mkdir(dir);
  const file = path.join(dir, 'jubjub.prom');
  await writeConfig(m, up.url, { filters: { allow: ['idna', 'certifi'] }, metrics: { textfile: file } });
  expect((await runJubjub(['sync', '-c', m.config])).code).toBe(0);
  return { m, dir, file };
}

describe('metrics textfile', () => {
  test('written after a run with the status figures, and nothing half-written beside it', async () => {
    const { m, dir, file } = await syncedWithMetrics();
    const metrics = values(await readFile(file, 'utf8'));
    const status = JSON.parse((await runJubjub(['status', '--json', '-c', m.config])).stdout) as { serial: number; files: number; bytes: number; lastRun: { filesAdded: number } };
    expect(metrics.get('jubjub_serial')).toBe(status.serial);
    expect(metrics.get('jubjub_serial_lag')).toBe(0);
    expect(metrics.get('jubjub_published_files')).toBe(status.files);
    expect(metrics.get('jubjub_published_bytes')).toBe(status.bytes);
    expect(metrics.get('jubjub_last_run_files_added')).toBe(status.lastRun.filesAdded);
    expect(metrics.get('jubjub_last_run_outcome{outcome="ok",command="sync"}')).toBe(1);
    expect(Date.now() / 1000 - (metrics.get('jubjub_last_success_timestamp_seconds') ?? 0)).toBeLessThan(60);
    expect(await readdir(dir)).toEqual(['jubjub.prom']);
  });

  test.skipIf(!NODE_EXPORTER)('node_exporter reads it without a scrape error', async () => {
    const { dir } = await syncedWithMetrics();
    const port = await freePort();
    const child = spawn(NODE_EXPORTER ?? '', [
      `--web.listen-address=127.0.0.1:${port}`,
      '--collector.disable-defaults',
      '--collector.textfile',
      `--collector.textfile.directory=${dir}`,
    ], { stdio: 'ignore' });
    children.push(child);
    let body = '';
    for (let i = 0; i < 100 && !body; i++) {
      body = await fetch(`http://127.0.0.1:${port}/metrics`).then((r) => r.text(), () => '');
      if (!body) await sleep(50);
    }
    child.kill('SIGTERM');
    const scraped = values(body);
    expect(scraped.get('node_textfile_scrape_error')).toBe(0);
    expect(scraped.get('jubjub_serial')).toBe(up.serial());
    expect(scraped.get('jubjub_published_projects')).toBe(2);
    expect(body).toContain('# HELP jubjub_serial_lag Upstream serial minus mirrored serial.');
  });
});
