/**
 * Progress is for people: on a terminal a sync redraws one line (projects, files, bytes,
 * rate, ETA) between readable log lines; piped, not one byte of it appears.
 */
import { execFile } from 'node:child_process';
import { describe, expect, test } from 'vitest';
import type { FakePypi } from '../fake-pypi/index.js';
import { useDemoUpstream } from './demo-upstream.js';
import { BIN, runJubjub } from './harness.js';

let up: FakePypi;
const mirror = useDemoUpstream((u) => {
  up = u;
});

/** Runs a command under a pseudo-terminal (util-linux `script`), returning what the terminal showed. */
function onTerminal(command: string): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('script', ['-qfec', command, '/dev/null'], { env: { ...process.env, JUBJUB_BACKOFF_BASE_MS: '10', COLUMNS: '200' } }, (err, stdout) => {
      if (err) reject(new Error(`${err.message}\n${stdout}`));
      else resolve(stdout);
    });
  });
}

describe('progress', () => {
  test.skipIf(process.platform !== 'linux')('drawn on a terminal, with readable logs', async () => {
    const m = await mirror({ log: { level: 'info', format: 'auto' }, filters: { allow: ['requests', 'idna', 'certifi'] } });
    up.setFaults({ rate: 1, kinds: ['slow'], only: ['json'], slowMs: 400 });
    try {
      const screen = await onTerminal(`${process.execPath} ${BIN} sync -c ${m.config}`);
      expect(screen).toMatch(/projects \d+\/3 {2}files \d+\/\d+ {2}[\d.]+ (B|KiB) {2}[\d.]+ (B|KiB)\/s {2}ETA/);
      expect(screen).toContain('\r\x1b[K');
      expect(screen).toMatch(/INFO.*run finished/);
      expect(screen).not.toMatch(/^\{"level"/m);
    } finally {
      up.setFaults(null);
    }
  });

  test('never in piped output or logs', async () => {
    const m = await mirror({ log: { level: 'info', format: 'auto' }, filters: { allow: ['idna'] } });
    const r = await runJubjub(['sync', '-c', m.config]);
    expect(r.code).toBe(0);
    expect(r.stderr).not.toContain('ETA');
    expect(r.stderr).not.toContain('\x1b[');
    for (const line of r.stderr.trim().split('\n')) expect(() => JSON.parse(line) as unknown).not.toThrow();
  });
});
