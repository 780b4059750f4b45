/** `changes: xmlrpc` against pypi.org: the first listing from the PEP 691 listing, XML-RPC as the fallback. */
import { pino } from 'pino';
import { expect, test } from 'vitest';
import { JubjubError } from '../../src/errors.js';
import { XmlRpcFeed } from '../../src/feed/feed.js';
import type { ListingResult, SimpleListingClient } from '../../src/upstream/simple-listing.js';
import type { XmlRpcClient } from '../../src/upstream/xmlrpc-client.js';

const log = pino({ level: 'silent' });

function rpc(serial: number, calls: string[]): XmlRpcClient {
  return {
    changelogLastSerial: async () => (calls.push('changelog_last_serial'), serial),
    listPackagesWithSerial: async (on: (n: string, s: number) => void) => {
      calls.push('list_packages_with_serial');
      on('Xml.Only', 1);
    },
  } as unknown as XmlRpcClient;
}

function listing(result: () => ListingResult, projects: Array<[string, number]>, calls: string[]): SimpleListingClient {
  return {
    fetch: async (on: (n: string, s: number) => void, opts: { onResponse?: () => void } = {}) => {
      calls.push('simple');
      // A first attempt that fails half-way, then the retried one: only the second counts.
      opts.onResponse?.();
      on('Stale.Partial', 1);
      opts.onResponse?.();
      for (const [n, s] of projects) on(n, s);
      return result();
    },
  } as unknown as SimpleListingClient;
}

test('the listing replaces list_packages_with_serial; the changelog continues from the older serial', async () => {
  const calls: string[] = [];
  const cdnStale = new XmlRpcFeed(rpc(100, calls), log, listing(() => ({ unchanged: false, serial: 90, validators: { etag: null, lastModified: null } }), [['Foo', 80], ['bar', 90]], calls));
  const snap = await cdnStale.snapshot(() => true);
  expect(snap.serial).toBe(90);
  expect([...snap.projects.keys()]).toEqual(['foo', 'bar']);
  expect(calls).toEqual(['changelog_last_serial', 'simple']);
  const fresh = new XmlRpcFeed(rpc(100, []), log, listing(() => ({ unchanged: false, serial: 105, validators: { etag: null, lastModified: null } }), [], []));
  expect((await fresh.snapshot(() => true)).serial).toBe(100);
});

test('an upstream without a usable listing is listed over XML-RPC', async () => {
  const calls: string[] = [];
  const feed = new XmlRpcFeed(rpc(100, calls), log, listing(() => {
    throw new JubjubError('E_INVALID_UPSTREAM', 'not PEP 691');
  }, [], calls));
  const snap = await feed.snapshot(() => true);
  expect([...snap.projects.keys()]).toEqual(['xml-only']);
  expect(calls).toEqual(['changelog_last_serial', 'simple', 'list_packages_with_serial']);
});
