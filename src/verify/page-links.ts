/**
 * The links a served page names, read back from its bytes: what a client would follow.
 * Pure, so verify can be tested on hand-written pages.
 */
import path from 'node:path/posix';

const ENTITIES: Record<string, string> = { '&amp;': '&', '&lt;': '<', '&gt;': '>', '&quot;': '"', '&#39;': "'" };

function unescapeHtml(s: string): string {
  return s.replace(/&(amp|lt|gt|quot|#39);/g, (m) => ENTITIES[m] ?? m);
}

/** Hrefs of a PEP 503 page, plus `<href>.metadata` where the anchor advertises core metadata. */
export function htmlLinks(html: string): string[] {
  const out: string[] = [];
  for (const m of html.matchAll(/<a\s([^>]*)>/g)) {
    const attrs = m[1] ?? '';
    const href = /\bhref="([^"]*)"/.exec(attrs)?.[1];
    if (href === undefined) continue;
    const link = unescapeHtml(href).replace(/#.*$/, '');
    out.push(link);
    if (/\bdata-(core|dist-info)-metadata="sha256=/.test(attrs)) out.push(`${link}.metadata`);
  }
  return [...new Set(out)];
}

interface FileEntry {
  url?: unknown;
  'core-metadata'?: unknown;
}

function fileLinks(files: unknown): string[] {
  if (!Array.isArray(files)) return [];
  const out: string[] = [];
  for (const f of files as FileEntry[]) {
    if (typeof f.url !== 'string') continue;
    const link = f.url.replace(/#.*$/, '');
    out.push(link);
    if (f['core-metadata'] && typeof f['core-metadata'] === 'object') out.push(`${link}.metadata`);
  }
  return out;
}

/** URLs of a PEP 691 project page or a JSON API document (with their `.metadata`). */
export function jsonLinks(body: string): string[] {
  const doc = JSON.parse(body) as { files?: unknown; releases?: Record<string, unknown>; urls?: unknown };
  const out = [...fileLinks(doc.files), ...fileLinks(doc.urls)];
  for (const files of Object.values(doc.releases ?? {})) out.push(...fileLinks(files));
  return [...new Set(out)];
}

/**
 * The path under the root that `link`, found in the page at `pagePath`, points to; null
 * when it points outside the mirror (another host, or above the root).
 */
export function resolveLink(pagePath: string, link: string, baseUrl: string | null): string | null {
  let rel: string;
  if (baseUrl !== null && link.startsWith(baseUrl)) rel = link.slice(baseUrl.length);
  else if (/^[a-z][a-z0-9+.-]*:/i.test(link) || link.startsWith('/')) return null;
  else rel = path.join(path.dirname(pagePath), link);
  const decoded = rel.split('/').map((seg) => {
    try {
      return decodeURIComponent(seg);
    } catch {
      return seg;
    }
  });
  const normal = path.normalize(decoded.join('/'));
  return normal.startsWith('../') || normal === '..' ? null : normal;
}

/** Project names a root listing names: HTML hrefs `<name>/`, or PEP 691 `projects[].name`. */
export function rootListingNames(body: string, format: 'html' | 'json'): string[] {
  if (format === 'json') {
    const doc = JSON.parse(body) as { projects?: Array<{ name?: unknown }> };
    return (doc.projects ?? []).map((p) => (typeof p.name === 'string' ? p.name : ''));
  }
  return [...body.matchAll(/<a\s[^>]*\bhref="([^"]*)"/g)].map((m) => unescapeHtml(m[1] ?? '').replace(/\/$/, ''));
}
