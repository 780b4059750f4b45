/**
 * The root listings. They are assembled from fragments (see root-index.ts), so every
 * piece renders on its own: head, one fragment per run of entries, tail. A whole page
 * is head + fragments + tail, byte for byte whichever way it is cut.
 */
import type { ListingEntry } from '../state/types.js';
import { API_VERSION, escapeHtml } from './links.js';

export type Entry = [name: string, entry: ListingEntry];

export function sortedEntries(listing: Map<string, ListingEntry>): Entry[] {
  return [...listing.entries()].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
}

export const ROOT_HTML_HEAD = `<!DOCTYPE html>\n<html>\n  <head>\n    <meta name="pypi:repository-version" content="${API_VERSION}">\n    <title>Simple index</title>\n  </head>\n  <body>\n`;
export const ROOT_HTML_TAIL = '  </body>\n</html>\n';

/** JSON.stringify of a string, without its cost for the names that need no escapes (nearly all). */
function jsonString(s: string): string {
  return /["\\\u0000-\u001f\ud800-\udfff]/.test(s) ? JSON.stringify(s) : `"${s}"`;
}

export function rootHtmlFragment(entries: Entry[]): string {
  let out = '';
  for (const [name, e] of entries) out += `    <a href="${escapeHtml(name)}/">${escapeHtml(e.display)}</a><br />\n`;
  return out;
}

export function rootJsonHead(serial: number): string {
  return `{"meta":{"api-version":"${API_VERSION}","_last-serial":${serial}},"projects":[`;
}
export const ROOT_JSON_TAIL = ']}';

/** Items separated by commas, without brackets; empty for no entries. */
export function rootJsonFragment(entries: Entry[]): string {
  // Byte for byte JSON.stringify({ name, '_last-serial' }) of each, built without an object per entry.
  let out = '';
  for (const [, e] of entries) {
    const serial = Number.isFinite(e.serial) ? String(e.serial) : 'null';
    out += `${out === '' ? '' : ','}{"name":${jsonString(e.display)},"_last-serial":${serial}}`;
  }
  return out;
}

export function renderRootHtml(entries: Entry[]): string {
  return ROOT_HTML_HEAD + rootHtmlFragment(entries) + ROOT_HTML_TAIL;
}

export function renderRootJson(entries: Entry[], serial: number): string {
  return rootJsonHead(serial) + rootJsonFragment(entries) + ROOT_JSON_TAIL;
}
