/** The CLI contract: exit codes, one-line errors, the lock, check-config and status output. */
import { spawn } from 'node:child_process';
import { writeFile, mkdir } from 'node:fs/promises';
import { hostname } from 'node:os';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { FakePypi } from '../fake-pypi/index.js';
import { useDemoUpstream } from './demo-upstream.js';
import { runJubjub } from './harness.js';

let up: FakePypi;
const mirror = useDemoUpstream((u) => {
  up = u;
});


function oneLine(stderr: string): string {
  const lines = stderr.trim().split('\n');
  expect(lines).toHaveLength(1);
  expect(stderr).not.toMatch(/\n\s+at /);
  return lines[0] ?? '';
}

describe('configuration errors exit 2 with one line naming key and line', () => {
  test('wrong type', async () => {
    const m = await mirror();
    await writeFile(m.config, `upstream:\n  url: ${up.url}\nfilters:\n  allow: [requests]\n  latest: two\n`);
    const r = await runJubjub(['sync', '-c', m.config]);
    expect(r.code).toBe(2);
    expect(oneLine(r.stderr)).toMatch(/^jubjub: filters\.latest: expected an integer ≥ 0, got "two" \(.*mirror\.yaml:5\)$/);
  });

  test('unknown key', async () => {
    const m = await mirror();
    await writeFile(m.config, `upstream:\n  url: ${up.url}\n  retrys: 3\n`);
    const r = await runJubjub(['check-config', '-c', m.config]);
    expect(r.code).toBe(2);
    expect(oneLine(r.stderr)).toMatch(/upstream\.retrys: unknown key \(.*mirror\.yaml:3\)/);
  });

  test('bad line in an allow file', async () => {
    const m = await mirror();
    await mkdir(path.join(m.dir, 'filters'), { recursive: true });
    await writeFile(path.join(m.dir, 'filters/ci.txt'), 'requests\nidna>=\n');
    await writeFile(m.config, `upstream:\n  url: ${up.url}\nfilters:\n  allow_files: [filters/ci.txt]\n`);
    const r = await runJubjub(['sync', '-c', m.config]);
    expect(r.code).toBe(2);
    expect(oneLine(r.stderr)).toMatch(/filters\/ci\.txt:2: /);
  });

  test('missing configuration file and unknown command', async () => {
    const r = await runJubjub(['sync', '-c', '/nonexistent/mirror.yaml']);
    expect(r.code).toBe(2);
    expect(oneLine(r.stderr)).toContain('/nonexistent/mirror.yaml');
    const u = await runJubjub(['frobnicate']);
    expect(u.code).toBe(2);
    expect(oneLine(u.stderr)).toContain('unknown command frobnicate');
  });
});

describe('lock', () => {
  test('a live holder makes every command that changes the mirror exit 3 naming it; a dead holder is taken over', async () => {
    const m = await mirror();
    await mkdir(m.state, { recursive: true });
    const holder = { pid: process.pid, host: hostname(), command: 'sync', startedAt: '2026-01-01T00:00:00.000Z' };
    await writeFile(path.join(m.state, 'lock'), JSON.stringify(holder));
    for (const command of [['sync'], ['sync', '--project', 'idna'], ['rebuild'], ['rebuild', '--dry-run'], ['verify'], ['verify', '--repair']]) {
      const r = await runJubjub([...command, '-c', m.config]);
      expect(r.code, command.join(' ')).toBe(3);
      expect(oneLine(r.stderr)).toBe(`jubjub: mirror is locked by pid ${process.pid} on ${hostname()} (sync, started 2026-01-01T00:00:00.000Z)`);
    }
    // status only reads, so monitoring keeps working during a long run.
    expect((await runJubjub(['status', '-c', m.config])).code).toBe(0);

    const dead = spawn(process.execPath, ['-e', '0']);
    const deadPid = dead.pid ?? 0;
    await new Promise((resolve) => dead.once('exit', resolve));
    await writeFile(path.join(m.state, 'lock'), JSON.stringify({ ...holder, pid: deadPid }));
    const ok = await runJubjub(['sync', '-c', m.config]);
    expect(ok.code, ok.stderr).toBe(0);
  });
});

describe('check-config and status', () => {
  test('check-config prints the effective configuration', async () => {
    const m = await mirror({ filters: { allow: ['requests'], max_file_size: '2KiB' } });
    const r = await runJubjub(['check-config', '--json', '-c', m.config]);
    expect(r.code).toBe(0);
    const cfg = JSON.parse(r.stdout) as { mirror: { root: string }; filters: { maxFileSize: number }; upstream: { userAgent: string } };
    expect(cfg.mirror.root).toBe(m.root);
    expect(cfg.filters.maxFileSize).toBe(2048);
    expect(cfg.upstream.userAgent).toMatch(/^jubjub\/\d+\.\d+\.\d+$/);
  });

  test('status shows serials, counts and failures for humans', async () => {
    const m = await mirror({ filters: { allow: ['idna'] } });
    expect((await runJubjub(['sync', '-c', m.config])).code).toBe(0);
    const r = await runJubjub(['status', '-c', m.config]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`mirrored ${up.serial()}, upstream ${up.serial()}, lag 0`);
    expect(r.stdout).toMatch(/published:\s+1 projects, 4 files/);
    expect(r.stdout).toMatch(/failed:\s+0/);
  });
});

describe('logs', () => {
  test('log.format json gives one JSON object a line; pretty gives readable lines', async () => {
    const json = await mirror({ filters: { allow: ['idna'] }, log: { level: 'info', format: 'json' } });
    const j = await runJubjub(['sync', '-c', json.config]);
    const lines = j.stderr.trim().split('\n');
    for (const line of lines) expect(() => JSON.parse(line) as unknown).not.toThrow();
    expect(lines.map((l) => (JSON.parse(l) as { msg: string }).msg)).toContain('run finished');

    const pretty = await mirror({ filters: { allow: ['idna'] }, log: { level: 'info', format: 'pretty' } });
    const p = await runJubjub(['sync', '-c', pretty.config]);
    expect(p.code).toBe(0);
    expect(p.stderr).toMatch(/INFO.*run finished/);
    expect(p.stderr).not.toMatch(/^\{"level"/m);
  });
});

describe('change feed', () => {
  test('pages through changelog_since_serial past 50,000 rows', async () => {
    const big = await FakePypi.start();
    try {
      big.addProject('busy');
      big.addRelease('busy', '1.0');
      big.addFile('busy', '1.0', { kind: 'sdist' });
      const m = await mirror();
      const { writeConfig } = await import('./harness.js');
      await writeConfig(m, big.url);
      expect((await runJubjub(['sync', '-c', m.config])).code).toBe(0);
      for (let i = 0; i < 30_001; i++) {
        big.yank('busy', '1.0');
        big.unyank('busy', '1.0');
      }
      big.resetCounts();
      const r = await runJubjub(['sync', '-c', m.config]);
      expect(r.code, r.stderr).toBe(0);
      expect(big.requests.xmlrpc).toEqual({ changelog_since_serial: 2 });
      const status = JSON.parse((await runJubjub(['status', '--json', '-c', m.config])).stdout) as { serial: number };
      expect(status.serial).toBe(big.serial());
    } finally {
      await big.close();
    }
  });
});
