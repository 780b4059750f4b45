/** The two sizes of the bench: the (full) and a small one for iterating (quick). */
import type { Scale } from './context.js';
import type { CorpusParams } from './corpus.js';

export const FULL_CORPUS: CorpusParams = {
  seed: 6,
  projects: 5000,
  nativeShare: 0.316,
  releaseSpread: 3.7,
  sizeMedian: 20_000,
  sizeSigma: 0.8,
  sizeMin: 1_000,
  sizeMax: 2_000_000,
  changed: 100,
  changedPool: 500,
  changeRounds: 9,
};

export const SCALES: Record<'full' | 'quick', Scale> = {
  full: {
    mode: 'full',
    corpus: FULL_CORPUS,
    listing: 750_000,
    listingKeep: 20,
    listingChanges: 10,
    reps: { ceiling: 2, firstSync: 3, noop: 15, change: 9, listingSync: 3, rootListing: 3, dryRun: 5, rebuild: 5, verify: 3 },
    minReps: 2,
    minNoopReps: 10,
    budgetS: { firstSync: 420, noop: 60, verify: 120, dryRun: 45, rebuild: 150, change: 120, listing: 120 },
    fakeCeilingSample: 20_000,
  },
  quick: {
    mode: 'quick',
    corpus: { ...FULL_CORPUS, projects: 200, changed: 10, changedPool: 20, changeRounds: 3 },
    listing: 50_000,
    listingKeep: 5,
    listingChanges: 10,
    reps: { ceiling: 1, firstSync: 2, noop: 5, change: 3, listingSync: 2, rootListing: 2, dryRun: 3, rebuild: 2, verify: 2 },
    minReps: 1,
    minNoopReps: 5,
    budgetS: { firstSync: 40, noop: 10, verify: 15, dryRun: 10, rebuild: 15, change: 15, listing: 20 },
    fakeCeilingSample: 0,
  },
};
