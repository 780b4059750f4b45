/** The root listings, rendered from the listing state in one pass (sorted by name). */
import type { ListingEntry } from '../state/types.js';
import { API_VERSION, escapeHtml } from './links.js';

export function sortedEntries(listing: Map<string, ListingEntry>): Array<[string, ListingEntry]> {
  return [...listing.entries()].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
}

export function renderRootHtml(entries: Array<[string, ListingEntry]>): string {
  const parts: string[] = [
    `<!DOCTYPE html>\n<html>\n  <head>\n    <meta name="pypi:repository-version" content="${API_VERSION}">\n    <title>Simple index</title>\n  </head>\n  <body>\n`,
  ];
  for (const [name, e] of entries) parts.push(`    <a href="${name}/">${escapeHtml(e.display)}</a><br />\n`);
  parts.push('  </body>\n</html>\n');
  return parts.join('');
}

export function renderRootJson(entries: Array<[string, ListingEntry]>, serial: number): string {
  const projects = entries.map(([, e]) => ({ name: e.display, '_last-serial': e.serial }));
  return JSON.stringify({ meta: { 'api-version': API_VERSION, '_last-serial': serial }, projects });
}
