/**
 * Files a run stops publishing are deleted once their project is done, in the
 * background, while the run goes on with other projects.
 *
 * A project journals the files its pages stopped naming before its record stops naming
 * them (`defer`); once the record is saved and the project's line is in the journal
 * (`release`), nothing names them and they go. Until then they stay: a process killed in
 * between leaves a record that still lists them, and its successor hands them back to
 * that project's plan as pending, which keeps any its filters now select
 * (`takeEarlier`). A killed run's successor deletes the lists of the projects it finished.
 *
 * Deleting at the finish instead kept the main thread idle for 1.7–2.5 s at the end of a
 * rebuild that drops 30% of a 5,000-project mirror; in the background, as projects finish,
 * those rebuilds took 4.4–5.6 s instead of 5.2–5.7 s (4 alternating pairs).
 */
import type { StateStore } from '../state/store.js';
import type { Storage } from '../storage/storage.js';

/** Paths released and not yet deleted before a release waits: about 150 bytes each. */
const HOLD_LIMIT = 100_000;
/** Paths per `removeAll`: a run dropping millions does not queue them all at once. */
const CHUNK = 4_096;

export class DeferredRemovals {
  /** Journaled by projects not done yet, by project. */
  private readonly waiting = new Map<string, string[]>();
  /** Named by nothing: to delete. */
  private ready: string[] = [];
  private draining: Promise<void> | null = null;
  private failure: unknown;
  private deleted = 0;
  private readonly earlier: Map<string, string[]>;

  constructor(
    private readonly state: StateStore,
    private readonly storage: Storage,
    /** Lists a killed run journaled, by project. */
    journaled: Map<string, string[]>,
    /** Projects that killed run finished: their lists are deleted. */
    done: ReadonlySet<string>,
  ) {
    this.earlier = new Map();
    for (const [name, paths] of journaled) {
      if (done.has(name)) this.ready.push(...paths);
      else this.earlier.set(name, paths);
    }
  }

  /** What an earlier process journaled for `name`, which this run syncs again. */
  takeEarlier(name: string): string[] {
    const paths = this.earlier.get(name) ?? [];
    this.earlier.delete(name);
    return paths;
  }

  /** Journals `paths` for `name`; call before the project's record stops naming them. */
  async defer(name: string, paths: readonly string[]): Promise<void> {
    if (paths.length === 0) return;
    await this.state.journal({ name, removes: [...paths] });
    const list = this.waiting.get(name);
    if (list) list.push(...paths);
    else this.waiting.set(name, [...paths]);
  }

  /**
   * `name`'s record is saved and its line journaled: what it deferred is deleted in the
   * background. Waits only when deletions fall far behind.
   */
  async release(name: string): Promise<void> {
    const paths = this.waiting.get(name);
    if (!paths) return;
    this.waiting.delete(name);
    this.ready.push(...paths);
    const draining = this.startDrain();
    if (draining && this.ready.length >= HOLD_LIMIT) await draining;
  }

  /**
   * Deletes everything released (their folders too, where emptied), after what is being
   * deleted already; returns how many paths this run deleted. What projects not done
   * deferred stays, for the resumed run.
   */
  async flush(): Promise<number> {
    for (let draining = this.startDrain(); draining; draining = this.startDrain()) await draining;
    if (this.failure !== undefined) throw this.failure;
    const n = this.deleted;
    this.deleted = 0;
    return n;
  }

  /** The deletions under way, started if there is something to delete; null if none. */
  private startDrain(): Promise<void> | null {
    // Started only with paths ready: `drain` then awaits before its `finally` clears this.
    if (!this.draining && this.ready.length > 0 && this.failure === undefined) this.draining = this.drain();
    return this.draining;
  }

  private async drain(): Promise<void> {
    try {
      // Each round takes what was released meanwhile: batches grow while deletions lag.
      while (this.ready.length > 0 && this.failure === undefined) {
        const part = this.ready.splice(0, CHUNK);
        // The pages, records and journal lines that stopped naming them first reach the disk.
        await this.storage.flushAll();
        await this.storage.removeAll('root', part);
        this.deleted += part.length;
      }
    } catch (err) {
      // A disk failure: `flush` reports it at the run's finish; the journal keeps the lists.
      this.failure = err;
    } finally {
      this.draining = null;
    }
  }
}
