/**
 * Verify's checks of the root listing: the listing state against the published records,
 * and the served root pages against the listing state.
 */
import { normalizeName } from '../planner/filters/names.js';
import type { RootIndex } from '../publish/root-index.js';
import { sameEntry } from '../publish/root-shards.js';
import type { ListingEntry } from '../state/types.js';
import type { Storage } from '../storage/storage.js';
import { rootListingNames } from './page-links.js';
import type { Problem } from './report.js';

export const ROOT_PAGES: Record<'html' | 'json', string[]> = {
  html: ['simple/index.html', 'simple/index.v1_html'],
  json: ['simple/index.v1_json'],
};

/** `expected`: the line each project with published files should have. */
export async function checkListing(
  storage: Storage,
  rootIndex: RootIndex,
  formats: ReadonlyArray<'html' | 'json'>,
  expected: ReadonlyMap<string, ListingEntry>,
  fast: boolean,
): Promise<Problem[]> {
  const problems: Problem[] = [];
  const listed = new Set(await rootIndex.names());
  for (const [name, entry] of expected) {
    if (!sameEntry(await rootIndex.get(name), entry)) {
      problems.push({ kind: 'listing', path: 'simple/', project: name, detail: listed.has(name) ? 'listing line is out of date' : 'published but not listed' });
    }
  }
  for (const name of listed) {
    if (!expected.has(name)) problems.push({ kind: 'listing', path: 'simple/', project: name, detail: 'listed but not published' });
  }
  for (const format of formats) {
    for (const rel of ROOT_PAGES[format]) {
      const body = await storage.read('root', rel);
      if (!body) {
        problems.push({ kind: 'page', path: rel, project: null, detail: 'root listing page is missing' });
        continue;
      }
      if (fast) continue;
      let names: string[];
      try {
        names = rootListingNames(body.toString('utf8'), format).map(normalizeName);
      } catch {
        problems.push({ kind: 'page', path: rel, project: null, detail: 'root listing page does not parse' });
        continue;
      }
      const onPage = new Set(names);
      const differs = onPage.size !== expected.size || names.length !== onPage.size || [...expected.keys()].some((n) => !onPage.has(n));
      if (differs) problems.push({ kind: 'page', path: rel, project: null, detail: `root listing names ${onPage.size} projects; ${expected.size} are published` });
    }
  }
  return problems;
}
