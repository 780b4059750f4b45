/**
 * Files a run stops publishing are deleted at its finish, not as each project ends.
 * On ext4 without a journal, freeing inodes in the middle of a run made every file the
 * run created next search past them (`recently_deleted`): a rebuild that drops 30% of a
 * mirror spent more time creating its pages and records than deleting. Deleting last is
 * also kinder to readers: a page fetched just before its rewrite still finds its files.
 *
 * The journal carries each project's list before its record stops naming the files, so
 * a killed run's successor deletes them too. A project the successor runs again gets its
 * list back as pending instead: its new plan may keep some of those files.
 */
import type { StateStore } from '../state/store.js';
import type { Storage } from '../storage/storage.js';

/** Paths held before deleting early: about 150 bytes each, so at most ~15 MB. */
const HOLD_LIMIT = 100_000;
/** Paths per `removeAll`, so a PyPI-sized finish does not queue a million unlinks at once. */
const CHUNK = 4_096;

export class DeferredRemovals {
  private held: string[] = [];
  private readonly earlier: Map<string, string[]>;

  constructor(
    private readonly state: StateStore,
    private readonly storage: Storage,
    /** Lists a killed run journaled, by project. */
    journaled: Map<string, string[]>,
    /** Projects that killed run finished: their lists are the finish's to delete. */
    done: ReadonlySet<string>,
  ) {
    this.earlier = new Map();
    for (const [name, paths] of journaled) {
      if (done.has(name)) this.held.push(...paths);
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
    this.held.push(...paths);
    // A run that drops millions of files deletes as it goes rather than hold them all.
    if (this.held.length >= HOLD_LIMIT) await this.flush();
  }

  /** Deletes everything held (their folders too, where emptied); returns how many paths. */
  async flush(): Promise<number> {
    const paths = this.held;
    this.held = [];
    for (let i = 0; i < paths.length; i += CHUNK) await this.storage.removeAll('root', paths.slice(i, i + CHUNK));
    return paths.length;
  }
}
