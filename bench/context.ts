/** What every figure shares: the scale, the work folders, the upstream, and the result rows. */
import type { FakePypi } from '../test/fake-pypi/index.js';
import type { Corpus, CorpusParams } from './corpus.js';
import type { Mirror } from './mirror.js';
import type { Nginx } from './nginx.js';
import type { FileBytes } from './upstream.js';

export interface Scale {
  mode: 'full' | 'quick';
  corpus: CorpusParams;
  /** Projects in the listing-only upstream of figure 4, and how many of them pass the filter. */
  listing: number;
  listingKeep: number;
  /** Entries changed for figure 4's listing update. */
  listingChanges: number;
  /**
   * Repetitions per figure. A figure stops early, after at least `minReps`, once another
   * repetition would take it past `budgetS` seconds (slow builds stay inside ~15 minutes).
   */
  reps: {
    ceiling: number;
    firstSync: number;
    noop: number;
    change: number;
    listingSync: number;
    rootListing: number;
    dryRun: number;
    rebuild: number;
    verify: number;
  };
  minReps: number;
  /** The issue asks for the median of at least 10 no-op runs. */
  minNoopReps: number;
  budgetS: {
    firstSync: number;
    noop: number;
    verify: number;
    dryRun: number;
    rebuild: number;
    change: number;
    listing: number;
  };
  /** URLs fetched from the fake itself to measure its ceiling (0: all). */
  fakeCeilingSample: number;
}

export type Target =
  | { kind: 'ratio>='; value: number }
  | { kind: 'ratio<='; value: number }
  | { kind: 'value<'; value: number }
  | { kind: 'value<='; value: number }
  | { kind: 'value=='; value: number };

export interface Row {
  /** Figure number of the issue (1–7), or 0 for context rows. */
  figure: number;
  what: string;
  unit: string;
  jubjub: number;
  baseline: number | null;
  /** Short name of the baseline (`curl -Z`, `sha256sum -P4`). */
  baselineName: string;
  /** jubjub ÷ baseline. */
  ratio: number | null;
  target: Target | null;
  met: boolean | null;
  /** Every repetition behind the medians. */
  samples: { jubjub: number[]; baseline: number[] };
  note?: string;
}

export interface Bench {
  scale: Scale;
  work: string;
  corpus: Corpus;
  store: FileBytes;
  nginx: Nginx;
  /** The upstream of the full corpus (figures 1, 2, 3, 5, 6). */
  fake: FakePypi;
  /** The mirror of the full corpus, synced by figure 1; every later figure leaves it up to date. */
  mirror: Mirror | null;
  rows: Row[];
  details: Record<string, unknown>;
  log(msg: string): void;
}

export function verdict(target: Target | null, jubjub: number, ratio: number | null): boolean | null {
  if (!target) return null;
  switch (target.kind) {
    case 'ratio>=':
      return ratio === null ? null : ratio >= target.value;
    case 'ratio<=':
      return ratio === null ? null : ratio <= target.value;
    case 'value<':
      return jubjub < target.value;
    case 'value<=':
      return jubjub <= target.value;
    case 'value==':
      return jubjub === target.value;
  }
}

export function addRow(b: Bench, r: Omit<Row, 'ratio' | 'met'> & { ratio?: number | null }): Row {
  const ratio = r.ratio !== undefined ? r.ratio : r.baseline ? r.jubjub / r.baseline : null;
  const row: Row = { ...r, ratio, met: verdict(r.target, r.jubjub, ratio) };
  b.rows.push(row);
  const tag = row.met === null ? '' : row.met ? '  [met]' : '  [MISSED]';
  b.log(`  => ${row.what}: jubjub ${row.jubjub.toFixed(3)} ${row.unit}${row.baseline !== null ? `, ${row.baselineName} ${row.baseline.toFixed(3)}` : ''}${ratio !== null ? `, ratio ${ratio.toFixed(3)}` : ''}${tag}`);
  return row;
}

/**
 * Runs `body` `planned` times, or fewer (never under `min`) when the next repetition
 * would overrun `budgetS`. Returns how many ran.
 */
export async function repeat(b: Bench, what: string, planned: number, min: number, budgetS: number, body: (i: number) => Promise<void>): Promise<number> {
  const started = Date.now();
  let i = 0;
  while (i < planned) {
    await body(i);
    i++;
    const elapsed = (Date.now() - started) / 1000;
    if (i < planned && i >= min && elapsed + elapsed / i > budgetS) {
      b.log(`  ${what}: stopping after ${i} of ${planned} repetitions (${elapsed.toFixed(0)} s of its ${budgetS} s budget)`);
      break;
    }
  }
  return i;
}
