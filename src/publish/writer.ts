/**
 * Writes pages through `Storage` in publication order. Each page is replaced atomically;
 * callers guarantee that every file a page names is already in place, and delete files
 * only after the pages stop naming them.
 */
import { createHash } from 'node:crypto';
import type { Config } from '../config/types.js';
import type { Storage } from '../storage/storage.js';
import { lastModifiedStamp, projectDir } from './links.js';
import { renderJsonApi, renderProjectHtml, renderProjectJson, type ProjectPageInput } from './project-pages.js';

type Mirror = Config['mirror'];

/** Every page of one project, path and body, as the configuration asks for them. */
export function projectPages(mirror: Mirror, input: ProjectPageInput): Array<[string, string]> {
  const dir = projectDir(input.name);
  const pages: Array<[string, string]> = [];
  if (mirror.formats.includes('json')) pages.push([`${dir}/index.v1_json`, renderProjectJson(input)]);
  if (mirror.formats.includes('html')) {
    const html = renderProjectHtml(input);
    pages.push([`${dir}/index.html`, html], [`${dir}/index.v1_html`, html]);
  }
  if (mirror.jsonApi) pages.push([`pypi/${input.name}/json`, renderJsonApi(input)]);
  return pages;
}

/** A sample project with every field a page can show, rendered to fingerprint the renderer. */
const SAMPLE: ProjectPageInput = {
  name: 'sample',
  displayName: 'Sample',
  serial: 1,
  baseUrl: null,
  info: { name: 'Sample', version: '1.0', summary: 's', requires_dist: ['a>=1'] },
  files: [{
    filename: 'sample-1.0-py3-none-any.whl', url: 'https://example.invalid/sample-1.0-py3-none-any.whl', sha256: 'a'.repeat(64), size: 1,
    packagetype: 'bdist_wheel', pythonVersion: 'py3', requiresPython: '>=3.8', yanked: true, yankedReason: 'r', uploadTime: '2020-01-01T00:00:00.000000Z',
    coreMetadataSha256: 'b'.repeat(64), version: '1.0', path: 'packages/aa/aa/sample-1.0-py3-none-any.whl', metadataSha256: 'b'.repeat(64),
  }],
};

const keys = new Map<string, string>();

/**
 * What else, besides the record, decides a project's pages: the configuration's formats,
 * `json_api` and `base_url`, and the renderers' code, taken as the digest of a sample
 * project's pages. A record kept with the same key and the same files, serial and name
 * has its pages already: a rebuild that leaves most projects as they are skips
 * rendering them. A change of configuration or of jubjub's renderers changes the key,
 * and every project's pages are rendered again.
 */
export function pagesKey(mirror: Mirror): string {
  const config = JSON.stringify([mirror.formats, mirror.jsonApi, mirror.baseUrl]);
  let key = keys.get(config);
  if (key === undefined) {
    const hash = createHash('sha256').update(config);
    for (const [rel, body] of projectPages(mirror, { ...SAMPLE, baseUrl: mirror.baseUrl })) hash.update(rel).update('\0').update(body).update('\0');
    key = hash.digest('hex').slice(0, 32);
    keys.set(config, key);
  }
  return key;
}

/** Writes the project's pages unless identical ones are there; returns their digest. */
export async function writeProjectPages(storage: Storage, mirror: Mirror, input: ProjectPageInput, previousSha: string | null): Promise<string> {
  const pages = projectPages(mirror, input);
  const hash = createHash('sha256');
  for (const [rel, body] of pages) hash.update(rel).update('\0').update(body).update('\0');
  const sha = hash.digest('hex');
  if (sha !== previousSha) {
    // index.v1_html holds index.html's bytes: written once, and hard-linked under both names.
    const twin = `${projectDir(input.name)}/index.v1_html`;
    const html = `${projectDir(input.name)}/index.html`;
    const linked = pages.some(([rel]) => rel === twin) && pages.some(([rel]) => rel === html);
    await Promise.all(pages
      .filter(([rel]) => !(linked && rel === twin))
      .map(([rel, body]) => storage.writeFile('root', rel, body, linked && rel === html ? { links: [twin] } : {})));
  }
  return sha;
}

export async function removeProjectPages(storage: Storage, name: string): Promise<void> {
  const dir = projectDir(name);
  await storage.removeAll('root', [`${dir}/index.v1_json`, `${dir}/index.html`, `${dir}/index.v1_html`, `pypi/${name}/json`]);
}

export function writeLastModified(storage: Storage, when: Date): Promise<void> {
  return storage.writeFile('root', 'last-modified', `${lastModifiedStamp(when)}\n`);
}
