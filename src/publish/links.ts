/** Where things live in the served tree, and how pages link to them. */
import type { SelectedFile } from '../model.js';

export const API_VERSION = '1.4';

/** Content-addressed, so a changed file never overwrites one a live page still names. */
export function filePath(file: Pick<SelectedFile, 'sha256' | 'filename'>): string {
  const h = file.sha256;
  return `packages/${h.slice(0, 2)}/${h.slice(2, 4)}/${h.slice(4)}/${file.filename}`;
}

export function projectDir(name: string): string {
  return `simple/${name}`;
}

/**
 * A link from a page two levels below the root (`simple/<name>/`, `pypi/<name>/json`)
 * to `path`: relative unless the operator set `base_url`.
 */
export function linkFromProject(path: string, baseUrl: string | null): string {
  return baseUrl === null ? `../../${encodePath(path)}` : `${baseUrl}${encodePath(path)}`;
}

function encodePath(p: string): string {
  // Paths of characters encodeURIComponent keeps as they are (nearly every file) are
  // returned whole: splitting and joining each cost a few percent of a rebuild and verify.
  if (/^[A-Za-z0-9\-_.!~*'()/]*$/.test(p)) return p;
  return p.split('/').map(encodeURIComponent).join('/');
}

export function escapeHtml(s: string): string {
  // Most names need no escape, and five replace passes each cost a copy.
  if (!/[&<>"']/.test(s)) return s;
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

/** PEP 381's last-modified stamp: `YYYYMMDDThh:mm:ss` in UTC. */
export function lastModifiedStamp(d: Date): string {
  const iso = d.toISOString();
  return `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}T${iso.slice(11, 19)}`;
}
