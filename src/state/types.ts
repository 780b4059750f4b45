import type { PublishedFile } from '../model.js';
import type { Closure } from '../planner/dependencies/types.js';
import type { ProjectRules } from '../planner/filters/rules-key.js';

export interface FailedProject {
  error: string;
  code: string;
  at: string;
  /** The serial the run wanted; the next run asks for at least this again. */
  serial: number;
}

export type RunCommand = 'sync' | 'sync --project' | 'rebuild';

export interface RunSummary {
  command: RunCommand;
  startedAt: string;
  endedAt: string;
  durationMs: number;
  /** ok: everything done; partial: some projects failed (exit 1). */
  outcome: 'ok' | 'partial';
  serialFrom: number | null;
  serialTo: number | null;
  projects: number;
  failed: number;
  filesAdded: number;
  bytesAdded: number;
  filesRemoved: number;
  bytesRemoved: number;
  requests: number;
  retries: number;
}

/** `state/mirror.json`: small, rewritten once per run. */
export interface MirrorState {
  version: 1;
  /** Every change up to this serial is mirrored (or recorded as failed). Null before the first full pass. */
  serial: number | null;
  /** The upstream's serial when last asked. */
  upstreamSerial: number | null;
  lastRun: RunSummary | null;
  lastSuccessAt: string | null;
  failed: Record<string, FailedProject>;
  overBudget: Record<string, true>;
  /**
   * Selected names the upstream answered 404 for, with the upstream's serial at the time:
   * a rebuild asks again only if the upstream shows a later change (the feed reports
   * projects that appear).
   */
  absent: Record<string, number>;
  /**
   * The project-level rules of the last full pass or rebuild; a rebuild of an
   * allow-everything mirror lists the upstream only when the new rules may accept more.
   */
  projectRules: ProjectRules | null;
  /**
   * With `min_age`: projects holding files back, and when the first comes of age (ISO).
   * A run visits them then, even if the upstream has not changed them.
   */
  quarantine: Record<string, string>;
  /** With `dependencies: true`: the closure the mirror was last planned with. */
  closure: Closure | null;
}

/** `state/published/<name>.json`: what the served pages of one project name. */
export interface PublishedRecord {
  name: string;
  displayName: string;
  serial: number;
  files: PublishedFile[];
  /** Files that may be on disk but that no page names (downloads in flight, deletions to do). */
  pending: string[];
  /** sha256 of the rendered pages, to skip rewriting identical ones. */
  pagesSha: string | null;
  /** `pagesKey` of the configuration and renderers the pages were rendered with (absent in older records). */
  pagesKey?: string;
  overBudget: boolean;
}

/** One line of the root listing (kept in `state/listing/`, see publish/root-index.ts). */
export interface ListingEntry {
  display: string;
  serial: number;
  files: number;
  bytes: number;
}

/** `state/run.json`: the run in progress; with `run.journal` it makes a killed run resumable. */
export interface RunPlan {
  command: RunCommand;
  startedAt: string;
  serialFrom: number | null;
  /** Serial to record once every project is done; null for `sync --project`. */
  targetSerial: number | null;
  upstreamSerial: number | null;
  /** Normalized name → the serial its metadata must at least show. */
  projects: Record<string, number>;
  /** Recorded as `MirrorState.projectRules` when the run completes (full passes and rebuilds). */
  projectRules?: ProjectRules;
  /** With `dependencies: true`: the closure the run plans with (a resumed run uses it again). */
  closure?: Closure;
}

export interface JournalEntry {
  name: string;
  ok: boolean;
  error?: string;
  code?: string;
}

/**
 * A `run.journal` line written before a project's record stops naming files: the run
 * deletes them at its finish, so a killed run's successor still knows them.
 */
export interface JournalRemovals {
  name: string;
  removes: string[];
}

/** What `run.journal` holds of a run so far. */
export interface RunJournal {
  /** Projects finished, by name. */
  done: Map<string, JournalEntry>;
  /** Files each project left for the finish to delete, by project. */
  removals: Map<string, string[]>;
}
