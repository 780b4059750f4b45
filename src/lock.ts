/**
 * The mirror's lock: one command at a time per state folder. The lock file names its
 * holder; a lock whose process is gone (on this host) is moved aside and taken over.
 */
import { hostname } from 'node:os';
import { LockedError } from './errors.js';
import type { Storage } from './storage/storage.js';

const LOCK = 'lock';

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

export class MirrorLock {
  private held = false;

  constructor(private readonly storage: Storage) {}

  async acquire(command: string): Promise<void> {
    const me: Holder = { pid: process.pid, host: hostname(), command, startedAt: new Date().toISOString() };
    for (let attempt = 0; attempt < 3; attempt++) {
      if (await this.storage.createExclusive('state', LOCK, JSON.stringify(me))) {
        this.held = true;
        return;
      }
      const raw = (await this.storage.read('state', LOCK))?.toString('utf8') ?? '';
      let holder: Holder | null = null;
      try {
        holder = JSON.parse(raw) as Holder;
      } catch {
        holder = null; // torn by a crash between create and write: nobody holds it
      }
      if (holder && (holder.host !== me.host || alive(holder.pid))) {
        throw new LockedError(
          `mirror is locked by pid ${holder.pid} on ${holder.host} (${holder.command}, started ${holder.startedAt})`,
        );
      }
      // Moving aside (not deleting) means two processes racing for a stale lock cannot
      // both remove it and both create a new one: only one rename of the stale file wins.
      const aside = `${LOCK}.stale-${process.pid}`;
      if (!(await this.storage.move('state', LOCK, aside))) continue;
      const moved = (await this.storage.read('state', aside))?.toString('utf8') ?? '';
      // Another process may have taken over the stale lock between our read and our
      // rename; then what we moved is its live lock, and it goes straight back.
      if (moved !== raw) await this.storage.move('state', aside, LOCK);
      else await this.storage.remove('state', aside);
    }
    throw new LockedError('mirror lock is contended; try again');
  }

  async release(): Promise<void> {
    if (!this.held) return;
    this.held = false;
    await this.storage.remove('state', LOCK);
  }
}
