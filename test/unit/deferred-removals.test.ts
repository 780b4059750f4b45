import { describe, expect, test } from 'vitest';
import type { StateStore } from '../../src/state/store.js';
import type { Storage } from '../../src/storage/storage.js';
import { DeferredRemovals } from '../../src/sync/deferred-removals.js';

/** The two calls DeferredRemovals makes, recorded; `removeAll` resolves when the test says. */
function fakes(opts: { fail?: boolean } = {}) {
  const journal: unknown[] = [];
  const removed: string[][] = [];
  const gates: Array<() => void> = [];
  const state = { journal: async (entry: unknown) => void journal.push(entry) } as unknown as StateStore;
  const order: string[] = [];
  const storage = {
    flushAll: async () => void order.push('flush'),
    removeAll: async (_area: string, paths: string[]) => {
      order.push('remove');
      removed.push([...paths]);
      await new Promise<void>((resolve) => gates.push(resolve));
      if (opts.fail) throw new Error('disk gone');
    },
  } as unknown as Storage;
  const open = () => {
    for (const g of gates.splice(0)) g();
  };
  return { state, storage, journal, removed, open, order };
}

const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('DeferredRemovals', () => {
  test('deferred paths are journaled at once and deleted only after their project is released', async () => {
    const f = fakes();
    const r = new DeferredRemovals(f.state, f.storage, new Map(), new Set());
    await r.defer('a', ['packages/a1']);
    await r.defer('b', ['packages/b1', 'packages/b2']);
    expect(f.journal).toEqual([{ name: 'a', removes: ['packages/a1'] }, { name: 'b', removes: ['packages/b1', 'packages/b2'] }]);
    await tick();
    expect(f.removed).toEqual([]);
    await r.release('b');
    await tick();
    // In the background: the release does not wait for the deletion, which follows a flush.
    expect(f.removed).toEqual([['packages/b1', 'packages/b2']]);
    expect(f.order).toEqual(['flush', 'remove']);
    f.open();
    const flushed = r.flush();
    await tick();
    f.open();
    // What `a` deferred stays: `a` never finished.
    expect(await flushed).toBe(2);
    expect(f.removed.flat()).not.toContain('packages/a1');
  });

  test('releases while a deletion runs are taken together by the next round, and flush waits for all', async () => {
    const f = fakes();
    const r = new DeferredRemovals(f.state, f.storage, new Map(), new Set());
    for (const n of ['a', 'b', 'c']) await r.defer(n, [`packages/${n}`]);
    await r.release('a');
    await r.release('b');
    await r.release('c');
    await tick();
    expect(f.removed).toEqual([['packages/a']]);
    const flushed = r.flush();
    f.open();
    await tick();
    expect(f.removed).toEqual([['packages/a'], ['packages/b', 'packages/c']]);
    f.open();
    expect(await flushed).toBe(3);
  });

  test('a killed run: the lists of projects it finished are deleted, the others go back to their plans', async () => {
    const f = fakes();
    const journaled = new Map([['done', ['packages/d']], ['open', ['packages/o']]]);
    const r = new DeferredRemovals(f.state, f.storage, journaled, new Set(['done']));
    expect(r.takeEarlier('open')).toEqual(['packages/o']);
    expect(r.takeEarlier('open')).toEqual([]);
    const flushed = r.flush();
    await tick();
    f.open();
    expect(await flushed).toBe(1);
    expect(f.removed).toEqual([['packages/d']]);
  });

  test('a failed deletion is reported by flush, and nothing more is tried', async () => {
    const f = fakes({ fail: true });
    const r = new DeferredRemovals(f.state, f.storage, new Map(), new Set());
    await r.defer('a', ['packages/a']);
    await r.release('a');
    await tick();
    f.open();
    await tick();
    await r.defer('b', ['packages/b']);
    await r.release('b');
    await expect(r.flush()).rejects.toThrow('disk gone');
    expect(f.removed).toEqual([['packages/a']]);
  });
});
