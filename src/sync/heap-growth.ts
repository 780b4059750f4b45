/**
 * How far V8 lets the old generation grow past what survived its last full collection.
 * By default that is several times over when the program allocates fast, as a sync
 * does: in a first sync of 5,000 projects the main heap held 94-121 MB while 9-63 MB of
 * it was live, and the process peaked at 222-241 MB. Collecting once it has grown 20%
 * kept the same sync at 182-186 MB, in the same time. V8 reads the flag at every
 * collection, so it can be changed at run time (the young generation's size cannot).
 *
 * Only while projects are synced: building a root listing of 750,000 names keeps most of
 * what it allocates, and there the frequent collections cost about a second.
 */
import { setFlagsFromString } from 'node:v8';

const TIGHT_PERCENT = 20;

export function tightHeapGrowth(on: boolean): void {
  // 0 is V8's default: the factor it computes from its own collection speed.
  setFlagsFromString(`--heap-growing-percent=${on ? TIGHT_PERCENT : 0}`);
}
