/**
 * FlushGroup: one `sync -f` for many callers, and never a flush that started before a
 * caller asked. A stand-in command logs when each flush starts and ends.
 */
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execFile } from 'node:child_process';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { FlushGroup } from '../../src/storage/flush.js';

let dir = '';
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'jubjub-flush-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A `sync` that records its arguments and start/end times (ms), sleeping in between. */
async function fakeSync(opts: { failWithF?: boolean; failAlways?: boolean } = {}): Promise<{ command: string; log: () => Promise<Array<{ args: string; start: number; end: number }>> }> {
  const log = path.join(dir, 'calls');
  const command = path.join(dir, 'fake-sync');
  const fail = opts.failAlways ? 'echo "no such filesystem" >&2; exit 1' : opts.failWithF ? '[ "$1" = "-f" ] && { echo "sync: invalid option -- f" >&2; exit 1; }' : ':';
  await writeFile(
    command,
    `#!/bin/sh\nstart=$(date +%s%3N)\n${fail}\nsleep 0.05\necho "$start $(date +%s%3N) $*" >> ${JSON.stringify(log)}\n`,
  );
  await chmod(command, 0o755);
  return {
    command,
    log: async () =>
      (await readFile(log, 'utf8').catch(() => ''))
        .split('\n')
        .filter(Boolean)
        .map((line) => {
          const [start, end, ...args] = line.split(' ');
          return { start: Number(start), end: Number(end), args: args.join(' ') };
        }),
  };
}

describe('FlushGroup', () => {
  test('the real sync -f flushes the folder and resolves', async () => {
    const g = new FlushGroup(dir);
    await g.flush();
    expect(g.flushes).toBe(1);
  });

  test('callers that arrive together share one flush of the folder', async () => {
    const fake = await fakeSync();
    const g = new FlushGroup(dir, 0, fake.command);
    await Promise.all(Array.from({ length: 20 }, () => g.flush()));
    const calls = await fake.log();
    expect(calls.map((c) => c.args)).toEqual([`-f ${dir}`]);
  });

  test('a caller arriving during a flush waits for the next one, which starts after it asked', async () => {
    const fake = await fakeSync();
    const g = new FlushGroup(dir, 0, fake.command);
    const first = g.flush();
    await new Promise((resolve) => setTimeout(resolve, 20));
    const askedAt = Date.now();
    let secondDone = 0;
    const second = g.flush().then(() => (secondDone = Date.now()));
    await Promise.all([first, second]);
    const calls = await fake.log();
    expect(calls).toHaveLength(2);
    const [a, b] = calls;
    // The second flush began after the first ended, and after the second caller asked.
    expect(b!.start).toBeGreaterThanOrEqual(a!.end);
    expect(b!.start).toBeGreaterThanOrEqual(askedAt - 5);
    expect(secondDone).toBeGreaterThanOrEqual(b!.end - 5);
  });

  test('flushes are spaced by the minimum interval', async () => {
    const fake = await fakeSync();
    const g = new FlushGroup(dir, 300, fake.command);
    await g.flush();
    await g.flush();
    const [a, b] = await fake.log();
    expect(b!.start - a!.start).toBeGreaterThanOrEqual(295);
  });

  test('without sync -f it falls back to a whole-system sync', async () => {
    const fake = await fakeSync({ failWithF: true });
    const g = new FlushGroup(dir, 0, fake.command);
    await g.flush();
    await g.flush();
    expect((await fake.log()).map((c) => c.args)).toEqual(['', '']);
  });

  test('the helper shell does not keep the process alive after its last flush', async () => {
    // The built module (npm test compiles before vitest runs), in a process of its own.
    const flushJs = path.resolve(import.meta.dirname, '../../dist/storage/flush.js');
    const script = `const { FlushGroup } = await import(${JSON.stringify(flushJs)}); const g = new FlushGroup(${JSON.stringify(dir)}); await g.flush(); await g.flush(); console.log('flushed', g.flushes);`;
    const started = Date.now();
    const out = await new Promise<string>((resolve, reject) => {
      execFile(process.execPath, ['--input-type=module', '-e', script], { timeout: 10_000 }, (err, stdout) => (err ? reject(err) : resolve(stdout)));
    });
    expect(out.trim()).toBe('flushed 2');
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  test('a flush that cannot run is a storage error for every waiting caller', async () => {
    const fake = await fakeSync({ failAlways: true });
    const g = new FlushGroup(dir, 0, fake.command);
    const results = await Promise.allSettled([g.flush(), g.flush()]);
    for (const r of results) {
      expect(r.status).toBe('rejected');
      expect((r as PromiseRejectedResult).reason).toMatchObject({ code: 'E_STORAGE', message: expect.stringContaining('no such filesystem') });
    }
  });
});
