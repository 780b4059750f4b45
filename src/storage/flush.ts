/**
 * One durability point for many files: `syncfs(2)` on the filesystem of a folder, run by
 * coreutils' `sync -f` because Node has no binding for it. A first sync used to fsync
 * every download (a journal commit and a disk cache flush each, a fifth of the run);
 * now downloads are renamed into place unflushed and a project's pages wait for the
 * next flush. Until then no page or record names those files, and a resumed run
 * re-hashes the files its record holds as pending, so a power cut in between costs
 * a re-check, never a wrong byte served.
 *
 * Calls are grouped: a caller waits for a flush that started after it called, and all
 * callers that arrive while one runs share the next.
 */
import { spawn } from 'node:child_process';
import { JubjubError } from '../errors.js';

function run(command: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (s: string) => {
      if (stderr.length < 1000) stderr += s;
    });
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (code === 0) resolve();
      else reject(new Error(`${command} ${args.join(' ')}: ${stderr.trim() || `exit ${code ?? signal}`}`));
    });
  });
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export class FlushGroup {
  private running: Promise<void> | null = null;
  private queued: Promise<void> | null = null;
  private lastStart = 0;
  /** `sync -f` is coreutils 8.24 or later; elsewhere plain `sync` flushes every filesystem. */
  private wholeSystem = false;
  /** Flushes started (tests read it). */
  flushes = 0;

  /**
   * `minIntervalMs` spaces flushes out: each costs a process and a journal commit, and
   * back to back they ran 2,681 times in a first sync of 5,000 projects (14 ms each,
   * slower than the per-file fsyncs they replaced); 100 ms apart, about 350 times.
   * `command` is `sync` but for tests.
   */
  constructor(
    private readonly dir: string,
    private readonly minIntervalMs = 100,
    private readonly command = 'sync',
  ) {}

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
    if (!this.wholeSystem) {
      try {
        await run(this.command, ['-f', this.dir]);
        return;
      } catch {
        this.wholeSystem = true;
      }
    }
    try {
      await run(this.command, []);
    } catch (err) {
      throw new JubjubError('E_STORAGE', `cannot flush downloads to disk: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
    }
  }
}
