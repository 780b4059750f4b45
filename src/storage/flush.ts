/**
 * One durability point for many files: `syncfs(2)` on the filesystem of a folder, run by
 * coreutils' `sync -f` (`sync-helper.ts`) because Node has no binding for it. A first
 * sync used to fsync every download (a journal commit and a disk cache flush each, a
 * fifth of the run); now downloads are renamed into place unflushed and a project's
 * pages wait for the next flush. Until then no page or record names those files, and a resumed run
 * re-hashes the files its record holds as pending, so a power cut in between costs
 * a re-check, never a wrong byte served.
 *
 * Calls are grouped: a caller waits for a flush that started after it called, and all
 * callers that arrive while one runs share the next.
 */
import { JubjubError } from '../errors.js';
import { SyncHelper } from './sync-helper.js';

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export class FlushGroup {
  private running: Promise<void> | null = null;
  private queued: Promise<void> | null = null;
  private lastStart = 0;
  private readonly helper: SyncHelper;
  /** Flushes started (tests read it). */
  flushes = 0;

  /**
   * `minIntervalMs` spaces flushes out: each costs a fork and a journal commit, and
   * back to back they ran 2,681 times in a first sync of 5,000 projects (14 ms each,
   * slower than the per-file fsyncs they replaced); 100 ms apart, about 350 times.
   * `command` is `sync` but for tests.
   */
  constructor(dir: string, private readonly minIntervalMs = 100, command = 'sync') {
    this.helper = new SyncHelper(dir, command);
  }

  close(): void {
    this.helper.close();
  }

  /** Resolves once everything written before the call is on stable storage. */
  flush(): Promise<void> {
    this.queued ??= this.next();
    return this.queued;
  }

  private async next(): Promise<void> {
    // Lets `flush` store this promise before it is cleared below.
    await Promise.resolve();
    if (this.running) await this.running.catch(() => undefined);
    const wait = this.lastStart + this.minIntervalMs - Date.now();
    if (wait > 0) await sleep(wait);
    // From here on, a caller's writes may be too late for this flush: it waits for the next.
    this.queued = null;
    this.lastStart = Date.now();
    this.flushes++;
    const p = this.syncOnce();
    this.running = p;
    try {
      await p;
    } finally {
      if (this.running === p) this.running = null;
    }
  }

  private async syncOnce(): Promise<void> {
    try {
      await this.helper.sync();
    } catch (err) {
      throw new JubjubError('E_STORAGE', `cannot flush writes to disk: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
    }
  }
}
