import type { Catalog, Project } from './catalog.js';
import { escapeHtml } from './names.js';

/** PEP 503 / PEP 691 pages as Warehouse renders them at API version 1.4. */

export const SIMPLE_JSON = 'application/vnd.pypi.simple.v1+json';
export const SIMPLE_HTML = 'application/vnd.pypi.simple.v1+html';
const API_VERSION = '1.4';

export type SimpleFormat = typeof SIMPLE_JSON | typeof SIMPLE_HTML | 'text/html';

/**
 * Picks by q-value. On a tie an explicit type beats a wildcard; among explicit types JSON
 * wins, and a wildcard-only match (`text/*`, the any-type range, or no Accept at all) gets
 * text/html, as on PyPI.
 */
export function negotiate(accept: string | undefined): SimpleFormat {
  if (!accept) return 'text/html';
  const ranges = accept.split(',').map((part) => {
    const [type = '', ...params] = part.split(';').map((s) => s.trim().toLowerCase());
    const q = params.find((p) => p.startsWith('q='));
    return { type, q: q ? Number(q.slice(2)) || 0 : 1 };
  });
  const offers: Array<[SimpleFormat, number, number]> = [
    [SIMPLE_JSON, 3, 1],
    [SIMPLE_HTML, 2, 2],
    ['text/html', 1, 3],
  ];
  let best: { f: SimpleFormat; key: [number, number, number] } = { f: 'text/html', key: [0, 0, 0] };
  for (const [f, explicitPref, wildPref] of offers) {
    const [major] = f.split('/');
    const exact = ranges.find((r) => r.type === f);
    const wild = ranges.find((r) => r.type === `${major}/*`) ?? ranges.find((r) => r.type === '*/*');
    const hit = exact ?? wild;
    if (!hit || hit.q <= 0) continue;
    const key: [number, number, number] = [hit.q, exact ? 1 : 0, exact ? explicitPref : wildPref];
    if (key[0] > best.key[0] || (key[0] === best.key[0] && (key[1] > best.key[1] || (key[1] === best.key[1] && key[2] > best.key[2]))))
      best = { f, key };
  }
  return best.f;
}

function htmlPage(title: string, extraHead: string, body: string[]): string {
  return [
    '<!DOCTYPE html>',
    '<html>',
    '  <head>',
    `    <meta name="pypi:repository-version" content="${API_VERSION}">`,
    ...(extraHead ? [`    ${extraHead}`] : []),
    `    <title>${escapeHtml(title)}</title>`,
    '  </head>',
    '  <body>',
    ...body.map((l) => `    ${l}`),
    '  </body>',
    '</html>',
    '',
  ].join('\n');
}

export function rootPage(c: Catalog, format: SimpleFormat): string {
  const projects = [...c.projects.values()].sort((a, b) => (a.name < b.name ? -1 : 1));
  if (format === SIMPLE_JSON) {
    return JSON.stringify({
      meta: { 'api-version': API_VERSION, '_last-serial': c.serial },
      projects: projects.map((p) => ({ name: p.displayName, '_last-serial': p.lastSerial })),
    });
  }
  return htmlPage('Simple index', '', projects.map((p) => `<a href="/simple/${p.name}/">${escapeHtml(p.displayName)}</a>`));
}

export function projectPage(c: Catalog, p: Project, format: SimpleFormat, baseUrl: string): string {
  const releases = c.sortedReleases(p);
  const files = releases.flatMap((r) =>
    [...r.files.values()].sort((a, b) => (a.filename < b.filename ? -1 : 1)).map((f) => ({ f, r })),
  );
  if (format === SIMPLE_JSON) {
    return JSON.stringify({
      meta: { 'api-version': API_VERSION, '_last-serial': p.lastSerial },
      name: p.name,
      'project-status': { status: 'active' },
      versions: releases.map((r) => r.version),
      files: files.map(({ f, r }) => ({
        filename: f.filename,
        url: baseUrl + f.path,
        hashes: { sha256: f.sha256 },
        'requires-python': f.requiresPython,
        size: f.bytes.length,
        'upload-time': f.uploadTimeIso,
        yanked: r.yanked ? r.yankedReason || true : false,
        'core-metadata': f.metadataSha256 ? { sha256: f.metadataSha256 } : false,
        provenance: null,
      })),
    });
  }
  const links = files.map(({ f, r }) => {
    const attrs = [`href="${escapeHtml(`${baseUrl}${f.path}#sha256=${f.sha256}`)}"`];
    if (f.requiresPython) attrs.push(`data-requires-python="${escapeHtml(f.requiresPython)}"`);
    if (f.metadataSha256) {
      attrs.push(`data-dist-info-metadata="sha256=${f.metadataSha256}"`, `data-core-metadata="sha256=${f.metadataSha256}"`);
    }
    if (r.yanked) attrs.push(`data-yanked="${escapeHtml(r.yankedReason)}"`);
    return `<a ${attrs.join(' ')}>${escapeHtml(f.filename)}</a><br />`;
  });
  return htmlPage(
    `Links for ${p.displayName}`,
    '<meta name="pypi:project-status" content="active">',
    [`<h1>Links for ${escapeHtml(p.displayName)}</h1>`, ...links],
  );
}
