/**
 * The disk side of one download, run on a download thread (`src/download/file-thread.ts`):
 * one descriptor from create to fsync, and synchronous calls, which block only that
 * thread. On the main thread every call was a promise round trip through libuv's pool,
 * and a download made two opens, two closes, a mkdir and a rename that way. The fsync
 * alone goes to the pool, so one slow flush does not stall the thread's other downloads.
 *
 * Paths come from `Storage.downloadPaths` on the main thread, already confined to the
 * mirror's root; the temporary sits in the root's hidden temporary folder, so the
 * rename is atomic and nothing half-written is ever served.
 */
import { closeSync, fsync, mkdirSync, renameSync, unlinkSync, writevSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { openTemp, storageError } from './storage.js';

const fsyncAsync = promisify(fsync);

/**
 * Folders this thread made or found. A file and its `.metadata` share a folder, and a
 * recursive mkdir of an existing folder costs a failing mkdir and a stat. A folder a
 * prune removed since shows as ENOENT on the rename, which makes it again.
 */
const madeDirs = new Set<string>();
const MADE_DIRS_MAX = 100_000;

function ensureDir(dir: string, again: boolean): void {
  if (!again && madeDirs.has(dir)) return;
  mkdirSync(dir, { recursive: true });
  if (madeDirs.size >= MADE_DIRS_MAX) madeDirs.clear();
  madeDirs.add(dir);
}

export class DownloadFile {
  private fd: number | null;

  private constructor(fd: number, readonly temp: string) {
    this.fd = fd;
  }

  /** Creates `temp`, which must not exist yet. */
  static create(temp: string): DownloadFile {
    try {
      return new DownloadFile(openTemp(temp, 'wx'), temp);
    } catch (err) {
      throw storageError(err, 'create a temporary file');
    }
  }

  /** Appends `chunks` in one system call (a short write goes on from where it stopped). */
  write(chunks: readonly Uint8Array[]): void {
    const fd = this.openFd();
    try {
      let left = chunks.slice();
      while (left.length > 0) {
        let n = writevSync(fd, left);
        while (left.length > 0 && n >= (left[0]?.length ?? 0)) n -= left.shift()?.length ?? 0;
        const first = left[0];
        if (first && n > 0) left[0] = first.subarray(n);
      }
    } catch (err) {
      throw storageError(err, 'write a download');
    }
  }

  /** Flushes (if asked), closes and renames the file to `dest`, making its folder. */
  async publish(dest: string, opts: { fsync: boolean }): Promise<void> {
    try {
      const fd = this.openFd();
      if (opts.fsync) await fsyncAsync(fd);
      this.fd = null;
      closeSync(fd);
      for (let attempt = 0; ; attempt++) {
        // Content-addressed folders are new, so the folder is made first. A prune on the
        // main thread may remove a parent in between: then the rename meets ENOENT.
        ensureDir(path.dirname(dest), attempt > 0);
        try {
          renameSync(this.temp, dest);
          return;
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code !== 'ENOENT' || attempt >= 2) throw err;
        }
      }
    } catch (err) {
      this.discard();
      throw storageError(err, `publish ${dest}`);
    }
  }

  /** Closes and deletes the temporary; safe to call twice. */
  discard(): void {
    if (this.fd !== null) {
      const fd = this.fd;
      this.fd = null;
      try {
        closeSync(fd);
      } catch {
        // Already unusable: the unlink below is what matters.
      }
    }
    try {
      unlinkSync(this.temp);
    } catch {
      // Gone already (published, or never written).
    }
  }

  private openFd(): number {
    if (this.fd === null) throw storageError(Object.assign(new Error('closed'), { code: 'EBADF' }), 'write a download');
    return this.fd;
  }
}
