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
