/**
 * Typed access to `mirror.state`. Reads here, writes through `Storage` (the one writer).
 * Per-project files keep a run's cost proportional to the projects it touches.
 */
import { readdir } from 'node:fs/promises';
import type { ProjectMeta } from '../model.js';
import type { Storage } from '../storage/storage.js';
import { Readahead } from './readahead.js';
import type { JournalEntry, JournalRemovals, MirrorState, PublishedRecord, RunJournal, RunPlan } from './types.js';

const MIRROR = 'mirror.json';
const RUN = 'run.json';
const JOURNAL = 'run.journal';

export function emptyMirrorState(): MirrorState {
  return { version: 1, serial: null, upstreamSerial: null, lastRun: null, lastSuccessAt: null, failed: {}, overBudget: {}, absent: {}, projectRules: null, quarantine: {}, closure: null };
}

export class StateStore {
  constructor(readonly storage: Storage) {}

  private async readJson<T>(rel: string): Promise<T | null> {
    const buf = await this.storage.read('state', rel);
    if (buf === null) return null;
    try {
      return JSON.parse(buf.toString('utf8')) as T;
    } catch {
      // A torn file can only come from outside jubjub (writes are atomic); start that piece over.
      return null;
    }
  }

  private writeJson(rel: string, value: unknown, fsync = false): Promise<void> {
    return this.storage.writeFile('state', rel, JSON.stringify(value), { fsync });
  }

  async mirror(): Promise<MirrorState> {
    return { ...emptyMirrorState(), ...(await this.readJson<MirrorState>(MIRROR)) };
  }

  saveMirror(state: MirrorState): Promise<void> {
    return this.writeJson(MIRROR, state, true);
  }

  meta(name: string): Promise<ProjectMeta | null> {
    return this.readJson<ProjectMeta>(`meta/${name}.json`);
  }

  saveMeta(meta: ProjectMeta): Promise<void> {
    return this.writeJson(`meta/${meta.name}.json`, meta);
  }

  removeMeta(name: string): Promise<void> {
    return this.storage.remove('state', `meta/${name}.json`);
  }

  /** Cached `Requires-Dist` of a project's releases, by version (`dependencies: true`). */
  async requires(name: string): Promise<Record<string, string[]>> {
    return (await this.readJson<Record<string, string[]>>(`requires/${name}.json`)) ?? {};
  }

  saveRequires(name: string, byVersion: Record<string, string[]>): Promise<void> {
    return this.writeJson(`requires/${name}.json`, byVersion);
  }

  removeRequires(name: string): Promise<void> {
    return this.storage.remove('state', `requires/${name}.json`);
  }

  /** Names with cached metadata (a directory read: for whole-mirror commands only). */
  metaNames(): Promise<string[]> {
    return this.names('meta');
  }

  /** Names with a published record (a directory read: for whole-mirror commands only). */
  publishedNames(): Promise<string[]> {
    return this.names('published');
  }

  private async names(dir: string): Promise<string[]> {
    const entries = await readdir(this.storage.resolve('state', dir)).catch(() => [] as string[]);
    return entries.filter((e) => e.endsWith('.json')).map((e) => e.slice(0, -'.json'.length));
  }

  /** Pages in the `kinds` files of `names`, in that order, for a run that will read them. */
  readahead(names: readonly string[], kinds: ReadonlyArray<'meta' | 'published'>): Readahead {
    const k = kinds.length;
    return new Readahead(names.length * k, (i) => this.storage.resolve('state', `${kinds[i % k]}/${names[Math.floor(i / k)]}.json`), k);
  }

  published(name: string): Promise<PublishedRecord | null> {
    return this.readJson<PublishedRecord>(`published/${name}.json`);
  }

  savePublished(record: PublishedRecord): Promise<void> {
    return this.writeJson(`published/${record.name}.json`, record);
  }

  removePublished(name: string): Promise<void> {
    return this.storage.remove('state', `published/${name}.json`);
  }

  async run(): Promise<({ plan: RunPlan } & RunJournal) | null> {
    const plan = await this.readJson<RunPlan>(RUN);
    if (!plan) return null;
    const journal: RunJournal = { done: new Map(), removals: new Map() };
    const text = (await this.storage.read('state', JOURNAL))?.toString('utf8') ?? '';
    for (const line of text.split('\n')) {
      if (!line) continue;
      let entry: JournalEntry | JournalRemovals;
      try {
        entry = JSON.parse(line) as JournalEntry | JournalRemovals;
      } catch {
        // The last line of a killed run may be torn; that project is simply done again.
        continue;
      }
      if ('removes' in entry) journal.removals.set(entry.name, [...(journal.removals.get(entry.name) ?? []), ...entry.removes]);
      else journal.done.set(entry.name, entry);
    }
    return { plan, ...journal };
  }

  async startRun(plan: RunPlan): Promise<void> {
    await this.storage.remove('state', JOURNAL);
    await this.writeJson(RUN, plan, true);
  }

  journal(entry: JournalEntry | JournalRemovals): Promise<void> {
    return this.storage.appendLine('state', JOURNAL, JSON.stringify(entry));
  }

  async finishRun(): Promise<void> {
    await this.storage.remove('state', RUN);
    await this.storage.remove('state', JOURNAL);
  }
}
