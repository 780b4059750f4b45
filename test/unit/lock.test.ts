import { spawn } from 'node:child_process';
import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { LockedError } from '../../src/errors.js';
import { MirrorLock } from '../../src/lock.js';
import { useTempStorage } from './temp-storage.js';
import type { Storage } from '../../src/storage/storage.js';

let storage: Storage;
useTempStorage((_dir, s) => {
  storage = s;
});

async function exists(p: string): Promise<boolean> {
  return (await stat(p).catch(() => null)) !== null;
}

async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '0'], { stdio: 'ignore' });
  const pid = child.pid;
  await new Promise<void>((resolve) => child.on('exit', () => resolve()));
  if (pid === undefined) throw new Error('no pid');
  return pid;
}

describe('MirrorLock', () => {
  test('a second acquire is refused naming the holder', async () => {
    const first = new MirrorLock(storage);
    await first.acquire('sync');
    const second = new MirrorLock(storage);
    let caught: unknown;
    try {
      await second.acquire('rebuild');
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(LockedError);
    const err = caught as LockedError;
    expect(err.code).toBe('E_LOCKED');
    expect(err.message).toContain(`pid ${process.pid}`);
    expect(err.message).toContain('sync');
    expect(err.message).toContain(os.hostname());
    // The holder's lock is untouched.
    const holder = JSON.parse(await readFile(path.join(storage.state, 'lock'), 'utf8')) as { pid: number; command: string };
    expect(holder).toMatchObject({ pid: process.pid, command: 'sync' });
  });

  test('release frees the lock; release without holding does nothing', async () => {
    const a = new MirrorLock(storage);
    await a.acquire('sync');
    await a.release();
    expect(await exists(path.join(storage.state, 'lock'))).toBe(false);
    const b = new MirrorLock(storage);
    await b.acquire('daemon');
    await a.release(); // a no longer holds it: b's lock stays
    expect(await exists(path.join(storage.state, 'lock'))).toBe(true);
    await expect(new MirrorLock(storage).acquire('sync')).rejects.toBeInstanceOf(LockedError);
    await b.release();
  });

  test('a lock whose process is gone is taken over', async () => {
    const pid = await deadPid();
    await writeFile(
      path.join(storage.state, 'lock'),
      JSON.stringify({ pid, host: os.hostname(), command: 'sync', startedAt: '2024-01-01T00:00:00.000Z' }),
    );
    const lock = new MirrorLock(storage);
    await lock.acquire('rebuild');
    const holder = JSON.parse(await readFile(path.join(storage.state, 'lock'), 'utf8')) as { pid: number; command: string };
    expect(holder).toMatchObject({ pid: process.pid, command: 'rebuild' });
    expect((await readdir(storage.state)).filter((n) => n.startsWith('lock.'))).toEqual([]);
    await lock.release();
  });

  test('a torn (unparsable) lock file is taken over', async () => {
    await writeFile(path.join(storage.state, 'lock'), '{"pid": 12');
    const lock = new MirrorLock(storage);
    await lock.acquire('sync');
    const holder = JSON.parse(await readFile(path.join(storage.state, 'lock'), 'utf8')) as { pid: number };
    expect(holder.pid).toBe(process.pid);
  });

  test('a lock held on another host is respected even if the pid is unknown here', async () => {
    const pid = await deadPid();
    await writeFile(
      path.join(storage.state, 'lock'),
      JSON.stringify({ pid, host: `not-${os.hostname()}`, command: 'daemon', startedAt: '2024-01-01T00:00:00.000Z' }),
    );
    await expect(new MirrorLock(storage).acquire('sync')).rejects.toThrow(new RegExp(`pid ${pid} on not-.*daemon`));
  });

  test('two racing acquires: exactly one wins', async () => {
    const results = await Promise.allSettled([new MirrorLock(storage).acquire('a'), new MirrorLock(storage).acquire('b')]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const lost = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    expect(lost.reason).toBeInstanceOf(LockedError);
  });
});
