/**
 * How far V8 lets the heap grow while projects are synced.
 *
 * The old generation: by default V8 lets it grow several times past what survived its
 * last full collection when the program allocates fast, as a sync does: in a first sync
 * of 5,000 projects the main heap held 94-121 MB while 9-63 MB of it was live, and the
 * process peaked at 222-241 MB. Collecting once it has grown 20% kept the same sync at
 * 182-186 MB, in the same time. V8 reads the flag at every collection.
 *
 * The young generation: Node 20's V8 stops it at 32 MB (two 16 MB semi-spaces), Node
 * 24's lets it reach 128 MB, and the same first sync peaked at 302 MB on Node 24. Its
 * maximum is fixed when the heap is made, but the factor it grows by is read at each
 * growth: set to 1 once it reaches 32 MB, it stays there, as on Node 20.
 *
 * Only while projects are synced: building a root listing of 750,000 names keeps most of
 * what it allocates, and there frequent collections cost about a second.
 */
import { PerformanceObserver } from 'node:perf_hooks';
import { getHeapSpaceStatistics, setFlagsFromString } from 'node:v8';

const TIGHT_PERCENT = 20;
const YOUNG_CAP_BYTES = 32 * 1024 * 1024;
/** V8's default growth factor of the young generation (Node 20 and 24). */
const YOUNG_GROWTH_DEFAULT = 2;

let youngWatch: PerformanceObserver | null = null;
let youngFrozen = false;

function freezeYoungAtCap(): void {
  if (youngFrozen) return;
  const young = getHeapSpaceStatistics().find((s) => s.space_name === 'new_space');
  if (!young || young.space_size < YOUNG_CAP_BYTES) return;
  setFlagsFromString('--semi-space-growth-factor=1');
  youngFrozen = true;
}

export function tightHeapGrowth(on: boolean): void {
  // 0 is V8's default: the factor it computes from its own collection speed.
  setFlagsFromString(`--heap-growing-percent=${on ? TIGHT_PERCENT : 0}`);
  if (on && !youngWatch) {
    freezeYoungAtCap();
    // The young generation grows after a scavenge; each collection is checked after it.
    youngWatch = new PerformanceObserver(freezeYoungAtCap);
    youngWatch.observe({ entryTypes: ['gc'] });
  } else if (!on && youngWatch) {
    youngWatch.disconnect();
    youngWatch = null;
    if (youngFrozen) setFlagsFromString(`--semi-space-growth-factor=${YOUNG_GROWTH_DEFAULT}`);
    youngFrozen = false;
  }
}
