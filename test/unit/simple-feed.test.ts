/** `changes: simple`: which projects a listing makes a run visit, and when the GET is conditional. */
import { pino } from 'pino';
import { beforeEach, describe, expect, test } from 'vitest';
import { SimpleFeed, type MirrorView } from '../../src/feed/simple-feed.js';
import type { Storage } from '../../src/storage/storage.js';
import type { ListingResult, ListingValidators, SimpleListingClient } from '../../src/upstream/simple-listing.js';
import { useTempStorage } from './temp-storage.js';

let storage: Storage;
useTempStorage((_dir, s) => {
  storage = s;
});

/** An upstream listing the tests edit; 304 when the client sends the current ETag. */
class FakeListing {
  serial = 10;
  projects: Array<[string, number]> = [];
  etag = '"e1"';
  calls: Array<ListingValidators | null> = [];

  fetch(onProject: (n: string, s: number) => void, opts: { validators?: ListingValidators | null; onResponse?: () => void | Promise<void> } = {}): Promise<ListingResult> {
    this.calls.push(opts.validators ?? null);
    return (async () => {
      if (opts.validators?.etag === this.etag) return { unchanged: true };
      await opts.onResponse?.();
      for (const [n, s] of this.projects) onProject(n, s);
      return { unchanged: false, serial: this.serial, validators: { etag: this.etag, lastModified: null } };
    })();
  }
}

let up: FakeListing;
let listed: Map<string, number>;
let fetched: Map<string, number>;
let selected: (name: string) => boolean;
let feed: SimpleFeed;

beforeEach(() => {
  up = new FakeListing();
  listed = new Map();
  fetched = new Map();
  selected = () => true;
  const view: MirrorView = {
    listed: async () => new Map(listed),
    selected: (n) => selected(n),
    fetchedSerial: async (n) => fetched.get(n),
  };
  feed = new SimpleFeed(up as unknown as SimpleListingClient, storage, view, pino({ level: 'silent' }));
});

const changed = async (serial: number) => Object.fromEntries((await feed.since(serial)).changed);

describe('SimpleFeed', () => {
  test('snapshot: every wanted project with its serial, names normalized, display names kept', async () => {
    up.projects = [['Foo.Bar', 3], ['baz', 7], ['not valid!', 1], ['skip', 2]];
    const snap = await feed.snapshot((n) => n !== 'skip');
    expect(snap.serial).toBe(10);
    expect([...snap.projects]).toEqual([['foo-bar', { display: 'Foo.Bar', serial: 3 }], ['baz', { display: 'baz', serial: 7 }]]);
    expect(feed.displayNames.get('foo-bar')).toBe('Foo.Bar');
  });

  test('changed: above the mirrored serial; listed ones whose serial differs; removed ones', async () => {
    listed = new Map([['kept', 4], ['moved', 4], ['gone', 2]]);
    fetched = new Map([['old', 3]]);
    up.projects = [['kept', 4], ['moved', 6], ['new', 9], ['old', 3]];
    expect(await changed(5)).toEqual({ moved: 6, new: 9, gone: 0 });
  });

  test('a project published late upstream (serial below the mirror\'s) is visited once if selected', async () => {
    up.projects = [['late', 3], ['unselected', 3]];
    selected = (n) => n !== 'unselected';
    expect(await changed(10)).toEqual({ late: 3 });
    // Visited at that serial: the next changed listing does not ask again, nor after its fetch.
    up.etag = '"e2"';
    expect(await changed(10)).toEqual({});
    up.projects.push(['late', 4]);
    up.etag = '"e3"';
    expect(await changed(10)).toEqual({ late: 4 });
  });

  test('conditional only once the mirror is at the saved listing\'s serial; 304 is a no-op', async () => {
    up.projects = [['a', 10]];
    expect(await changed(8)).toEqual({ a: 10 });
    expect(up.calls).toEqual([null]);
    // The run that planned from it did not complete: the mirror is still at 8.
    expect(await changed(8)).toEqual({ a: 10 });
    expect(up.calls[1]).toBeNull();
    // It completed: the mirror is at 10, and the listing has not changed.
    const r = await feed.since(10);
    expect(up.calls[2]).toEqual({ serial: 10, etag: '"e1"', lastModified: null, visited: {} });
    expect(r).toEqual({ serial: 10, changed: new Map() });
  });

  test('the mirror\'s own listing is read only when the upstream\'s changed', async () => {
    let reads = 0;
    const view: MirrorView = { listed: async () => (reads++, new Map()), selected: () => true, fetchedSerial: async () => undefined };
    const f = new SimpleFeed(up as unknown as SimpleListingClient, storage, view, pino({ level: 'silent' }));
    await f.since(10);
    expect(reads).toBe(1);
    await f.since(10);
    expect(reads).toBe(1);
  });
});
