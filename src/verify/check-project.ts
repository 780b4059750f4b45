/**
 * Verify's checks for one project: its files and `.metadata` against the record, its
 * pages against what the state renders, and every link in those pages against its files.
 * Runs on verify's threads (`check-thread.ts`), so file reads are synchronous.
 */
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Config } from '../config/types.js';
import { projectPages } from '../publish/writer.js';
import type { StateStore } from '../state/store.js';
import type { PublishedRecord } from '../state/types.js';
import { htmlLinks, jsonLinks, resolveLink } from './page-links.js';
import { digestFile } from './file-digest.js';
import type { Problem } from './report.js';

export interface CheckDeps {
  root: string;
  state: StateStore;
  mirror: Config['mirror'];
  fast: boolean;
}

export interface ProjectCheck {
  problems: Problem[];
  /** Every path under the root this project accounts for (files, metadata, pages, pending). */
  known: string[];
  files: number;
  bytes: number;
  metadata: number;
  pages: number;
  links: number;
}

function readPage(full: string): Buffer | null {
  try {
    return readFileSync(full);
  } catch {
    return null;
  }
}

function checkBlob(deps: CheckDeps, rel: string, want: { size: number | null; sha256: string }): { problem: string | null; missing: boolean; bytes: number } {
  const full = path.join(deps.root, rel);
  if (deps.fast) {
    const s = statSync(full, { throwIfNoEntry: false });
    if (!s?.isFile()) return { problem: 'not on disk', missing: true, bytes: 0 };
    if (want.size !== null && s.size !== want.size) return { problem: `size ${s.size}, recorded ${want.size}`, missing: false, bytes: 0 };
    return { problem: null, missing: false, bytes: 0 };
  }
  const d = digestFile(full);
  if (!d) return { problem: 'not on disk', missing: true, bytes: 0 };
  if (want.size !== null && d.size !== want.size) return { problem: `size ${d.size}, recorded ${want.size}`, missing: false, bytes: d.size };
  if (d.sha256 !== want.sha256) return { problem: `sha256 ${d.sha256}, recorded ${want.sha256}`, missing: false, bytes: d.size };
  return { problem: null, missing: false, bytes: d.size };
}

export async function checkProject(deps: CheckDeps, record: PublishedRecord): Promise<ProjectCheck> {
  const name = record.name;
  const out: ProjectCheck = { problems: [], known: [...record.pending], files: 0, bytes: 0, metadata: 0, pages: 0, links: 0 };
  const info = (await deps.state.meta(name))?.info ?? {};
  const pages = projectPages(deps.mirror, { name, displayName: record.displayName, serial: record.serial, files: record.files, info, baseUrl: deps.mirror.baseUrl });
  out.known.push(...pages.map(([rel]) => rel));
  // A project emptied by a run that has not finished keeps its pages until the run does.
  if (record.files.length === 0) return out;

  const targets = new Set<string>();
  const unresolved = new Set<string>();
  const check = (rel: string, want: { size: number | null; sha256: string }, what: 'file' | 'metadata') => {
    out.known.push(rel);
    targets.add(rel);
    const r = checkBlob(deps, rel, want);
    out.bytes += r.bytes;
    if (what === 'file') out.files++;
    else out.metadata++;
    if (r.missing) unresolved.add(rel);
    if (r.problem) out.problems.push({ kind: r.missing ? 'missing' : 'corrupt', path: rel, project: name, detail: `${what}: ${r.problem}` });
  };
  for (const f of record.files) {
    check(f.path, { size: f.size, sha256: f.sha256 }, 'file');
    if (f.metadataSha256) check(`${f.path}.metadata`, { size: null, sha256: f.metadataSha256 }, 'metadata');
  }
  const bodies = pages.map(([rel]) => readPage(path.join(deps.root, rel)));

  // index.html and index.v1_html are one file (a hard link): parsed once. And the pages
  // of a project name the same files, mostly from the same folder: each link resolved once.
  let lastHtml: { text: string; links: string[] } | null = null;
  const resolved = new Map<string, string | null>();
  const resolve = (rel: string, link: string): string | null => {
    const key = `${path.dirname(rel)}\0${link}`;
    let target = resolved.get(key);
    if (target === undefined) resolved.set(key, (target = resolveLink(rel, link, deps.mirror.baseUrl)));
    return target;
  };
  pages.forEach(([rel, expected], i) => {
    out.pages++;
    const disk = bodies[i];
    if (!disk) {
      out.problems.push({ kind: 'page', path: rel, project: name, detail: 'page is missing' });
      return;
    }
    if (deps.fast) return;
    const text = disk.toString('utf8');
    const same = text === expected;
    if (!same) out.problems.push({ kind: 'page', path: rel, project: name, detail: 'page differs from the published state' });
    // A page identical to what the record renders links exactly the record's files, all
    // on disk unless reported missing above: parsing it back could find nothing new, and
    // was a third of verify's CPU.
    if (same && unresolved.size === 0) {
      out.links += record.files.length;
      return;
    }
    const html = rel.endsWith('.html') || rel.endsWith('.v1_html');
    let links: string[];
    try {
      links = html && lastHtml?.text === text ? lastHtml.links : html ? htmlLinks(text) : jsonLinks(text);
      if (html) lastHtml = { text, links };
    } catch {
      out.problems.push({ kind: 'page', path: rel, project: name, detail: 'page does not parse' });
      return;
    }
    for (const link of links) {
      out.links++;
      const target = resolve(rel, link);
      if (target === null || !targets.has(target) || unresolved.has(target)) {
        out.problems.push({ kind: 'link', path: rel, project: name, detail: `links to ${link}, which is not a published file` });
      }
    }
  });
  return out;
}
