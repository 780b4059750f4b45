/**
 * The mirror's lock: one command at a time per state folder. The lock file names its
 * holder; a lock whose process is gone (on this host), or that a crash left torn, is
 * taken over.
 *
 * Two rules keep two processes from ever both holding it:
 * - The lock appears with its whole content at once (`Storage.createExclusive`), so a
 *   reader never mistakes a live holder's lock, still being written, for a torn one.
 * - Only one process at a time removes a dead lock: the one that created `lock.takeover`.
 *   It reads the lock again under that guard and removes it only if it is still the dead
 *   one, so a live lock created meanwhile is never removed.
 */
import { hostname } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { LockedError } from './errors.js';
import type { Storage } from './storage/storage.js';

const LOCK = 'lock';
const GUARD = 'lock.takeover';
const ATTEMPTS = 10;

interface Holder {
  pid: number;
  host: string;
  command: string;
  startedAt: string;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function parse(raw: string): Holder | null {
  try {
    const h = JSON.parse(raw) as Partial<Holder> | null;
    return h && typeof h.pid === 'number' && typeof h.host === 'string' ? (h as Holder) : null;
  } catch {
    return null; // torn (a machine crash between create and write): nobody holds it
  }
}

export class MirrorLock {
  private held = false;

  constructor(private readonly storage: Storage) {}

  private async readText(rel: string): Promise<string | null> {
    return (await this.storage.read('state', rel))?.toString('utf8') ?? null;
  }

  async acquire(command: string): Promise<void> {
    const me: Holder = { pid: process.pid, host: hostname(), command, startedAt: new Date().toISOString() };
    for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
      if (await this.storage.createExclusive('state', LOCK, JSON.stringify(me))) {
        this.held = true;
        return;
      }
      const raw = await this.readText(LOCK);
      if (raw === null) continue; // released between our create and our read
      const holder = parse(raw);
      if (holder && (holder.host !== me.host || alive(holder.pid))) {
        throw new LockedError(
          `mirror is locked by pid ${holder.pid} on ${holder.host} (${holder.command}, started ${holder.startedAt})`,
        );
      }
      if (!(await this.removeDead(raw, me))) await sleep(5 + Math.random() * 20);
    }
    throw new LockedError('mirror lock is contended; try again');
  }

  /** Removes the lock if it still reads `dead`, under the takeover guard; false if another process holds the guard. */
  private async removeDead(dead: string, me: Holder): Promise<boolean> {
    if (!(await this.storage.createExclusive('state', GUARD, JSON.stringify(me)))) {
      // A process that died holding the guard (a window of a few system calls) would
      // block every takeover for good: clear a guard whose holder is gone.
      const raw = await this.readText(GUARD);
      const holder = raw === null ? null : parse(raw);
      if (raw !== null && (holder === null || (holder.host === me.host && !alive(holder.pid)))) {
        if ((await this.readText(GUARD)) === raw) await this.storage.remove('state', GUARD);
      }
      return false;
    }
    try {
      if ((await this.readText(LOCK)) === dead) await this.storage.remove('state', LOCK);
    } finally {
      await this.storage.remove('state', GUARD);
    }
    return true;
  }

  async release(): Promise<void> {
    if (!this.held) return;
    this.held = false;
    await this.storage.remove('state', LOCK);
  }
}
