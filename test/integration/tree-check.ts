/**
 * Checks the invariant a web server's clients rely on: every page names only files that
 * are completely there with the advertised sha256 (and `.metadata` likewise), every
 * listed project has its pages, and the pages agree with each other. Written against the
 * served tree only, independent of jubjub's own state.
 */
import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { listTree } from './harness.js';

interface JsonFile {
  filename: string;
  url: string;
  hashes: { sha256: string };
  size: number;
  yanked: boolean | string;
  'core-metadata': false | { sha256: string };
  'dist-info-metadata'?: unknown;
}

async function sha(file: string): Promise<string | null> {
  try {
    return createHash('sha256').update(await readFile(file)).digest('hex');
  } catch {
    return null;
  }
}

export interface TreeReport {
  problems: string[];
  projects: string[];
  /** filename → sha256 of every file some page names. */
  named: Map<string, string>;
}

async function exists(file: string): Promise<boolean> {
  return (await stat(file).catch(() => null)) !== null;
}

/** The normalized names the root JSON listing names now. */
async function listedNow(root: string): Promise<string[]> {
  const text = await readFile(path.join(root, 'simple/index.v1_json'), 'utf8').catch(() => '{"projects":[]}');
  return (JSON.parse(text) as { projects: Array<{ name: string }> }).projects.map((p) => p.name.toLowerCase().replace(/[-_.]+/g, '-'));
}

/** `complete: false` for a tree a killed run left: pages of one project may disagree. */
export async function checkTree(root: string, opts: { complete: boolean } = { complete: true }): Promise<TreeReport> {
  const problems: string[] = [];
  const named = new Map<string, string>();
  const tree = await listTree(root);
  // Before a first run finishes there is no root listing yet; project pages may already be live.
  const projects = await listedNow(root);
  const rootHtml = await readFile(path.join(root, 'simple/index.html'), 'utf8').catch(() => '');
  for (const name of projects) {
    if (!rootHtml.includes(`href="${name}/"`)) problems.push(`root HTML does not list ${name}`);
  }
  const pages = tree
    .filter((rel) => rel.startsWith('simple/') && rel.endsWith('/index.v1_json') && rel.split('/').length === 3)
    .map((rel) => rel.split('/')[1] ?? '');
  for (const name of projects) {
    if (pages.includes(name)) continue;
    // The walk above ran before the listing was read: a run may have written this page
    // (and then the listing) in between. A page removed since is fine only if the
    // listing stopped naming it first.
    if (await exists(path.join(root, 'simple', name, 'index.v1_json'))) continue;
    if ((await listedNow(root)).includes(name)) problems.push(`listed project ${name} has no JSON page`);
  }
  for (const name of pages) {
    const dir = path.join(root, 'simple', name);
    let page: { files: JsonFile[] };
    try {
      page = JSON.parse(await readFile(path.join(dir, 'index.v1_json'), 'utf8')) as { files: JsonFile[] };
    } catch {
      problems.push(`listed project ${name} has no JSON page`);
      continue;
    }
    const html = await readFile(path.join(dir, 'index.html'), 'utf8').catch(() => '');
    for (const f of page.files) {
      if ('dist-info-metadata' in f) problems.push(`${name}: JSON page carries dist-info-metadata`);
      const file = path.resolve(dir, f.url);
      const actual = await sha(file);
      if (actual !== f.hashes.sha256) problems.push(`${name}: ${f.filename} is ${actual === null ? 'missing' : 'wrong'}`);
      named.set(f.filename, f.hashes.sha256);
      if (f['core-metadata']) {
        const m = await sha(`${file}.metadata`);
        if (m !== f['core-metadata'].sha256) problems.push(`${name}: ${f.filename}.metadata is ${m === null ? 'missing' : 'wrong'}`);
      }
      if (opts.complete && !html.includes(`#sha256=${f.hashes.sha256}"`)) problems.push(`${name}: HTML page lacks ${f.filename}`);
    }
    // Each HTML link must resolve on its own: a run killed between a project's JSON and
    // HTML writes leaves two pages that disagree, but each still names only good files.
    const links = [...html.matchAll(/<a href="([^"#]+)#sha256=([0-9a-f]{64})"/g)];
    for (const [, href, digest] of links) {
      if ((await sha(path.resolve(dir, href ?? ''))) !== digest) problems.push(`${name}: HTML link ${href} does not resolve to its hash`);
    }
    if (opts.complete && links.length !== page.files.length) problems.push(`${name}: HTML has ${links.length} links, JSON ${page.files.length}`);
  }
  const visibleTemps = tree.filter((rel) => rel.includes('.tmp') && !rel.startsWith('.jubjub-tmp/'));
  for (const t of visibleTemps) problems.push(`temporary file in the served tree: ${t}`);
  return { problems, projects, named };
}
