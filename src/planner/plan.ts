/**
 * The pure planner: upstream metadata + filters + what is published in, a plan out.
 * No I/O, so `--dry-run`, `rebuild` and tests all get the same answer as `sync`.
 */
import type { ProjectMeta, PublishedFile, SelectedFile } from '../model.js';
import { filePath } from '../publish/links.js';
import type { PublishedRecord } from '../state/types.js';
import type { CompiledFilters } from './filters/compile.js';
import { isProjectSelected } from './filters/project.js';
import { selectFiles } from './filters/select.js';

export interface PlanOptions {
  upstreamDeletions: 'delete' | 'keep';
  coreMetadata: boolean;
  /** The run's clock (ms), for `min_age`. */
  now?: number;
}

/** One file the pages will name after the run. */
export interface PlannedFile {
  file: SelectedFile;
  path: string;
  /** sha256 of the `.metadata` to serve beside it, when the upstream has one and it is wanted. */
  metadataSha256: string | null;
  /** The same bytes are already published at `path`. */
  published: boolean;
  /** The right `.metadata` is already published. */
  metadataPublished: boolean;
}

export interface ProjectPlan {
  name: string;
  displayName: string;
  serial: number;
  files: PlannedFile[];
  /** Paths under the root to delete once no page names them (files and their `.metadata`). */
  remove: string[];
  overBudget: boolean;
  /** With `min_age`: when a file held back comes of age (ms); the run visits the project again then. */
  matureAt: number | null;
}

/**
 * With `upstream_deletions: keep`, files the upstream no longer lists stay, as if the
 * upstream still had them; they still go through the filters like any other file.
 */
function withRetained(meta: ProjectMeta, published: PublishedRecord | null): ProjectMeta {
  if (!published) return meta;
  const listed = new Set(meta.releases.flatMap((r) => r.files.map((f) => f.filename)));
  const retained = published.files.filter((f) => !listed.has(f.filename));
  if (retained.length === 0) return meta;
  const releases = meta.releases.map((r) => ({ version: r.version, files: [...r.files] }));
  for (const f of retained) {
    let release = releases.find((r) => r.version === f.version);
    if (!release) releases.push((release = { version: f.version, files: [] }));
    const { version: _v, path: _p, metadataSha256, ...upstream } = f;
    release.files.push({ ...upstream, coreMetadataSha256: metadataSha256 });
  }
  return { ...meta, releases };
}

function removals(published: PublishedRecord | null, keep: Set<string>): string[] {
  if (!published) return [];
  const out = new Set<string>();
  for (const f of published.files) {
    if (!keep.has(f.path)) out.add(f.path);
    if (f.metadataSha256 && !keep.has(`${f.path}.metadata`)) out.add(`${f.path}.metadata`);
  }
  for (const p of published.pending) if (!keep.has(p)) out.add(p);
  return [...out];
}

/**
 * Plans one project. `meta` null means the upstream has no such project (any more).
 * The result names every file the project's pages will list; an empty list means the
 * project has no pages.
 */
export function planProject(
  name: string,
  meta: ProjectMeta | null,
  published: PublishedRecord | null,
  filters: CompiledFilters,
  opts: PlanOptions,
): ProjectPlan {
  const keepAll = opts.upstreamDeletions === 'keep';
  const source = meta && keepAll ? withRetained(meta, published) : meta;
  const cooling = { now: opts.now ?? Date.now(), published: new Set((published?.files ?? []).map((f) => f.filename)) };
  const selection =
    source && isProjectSelected(filters, name) ? selectFiles(filters, source, cooling) : { files: [], overBudget: false, matureAt: null };
  if (!source && keepAll && published) {
    // The upstream dropped the whole project and the operator keeps deletions: nothing changes.
    return { name, displayName: published.displayName, serial: published.serial, files: planned(published.files, published), remove: [], overBudget: published.overBudget, matureAt: null };
  }
  const files = planned(selection.files, published, opts.coreMetadata);
  const keep = new Set<string>();
  for (const f of files) {
    keep.add(f.path);
    if (f.metadataSha256) keep.add(`${f.path}.metadata`);
  }
  return {
    name,
    displayName: source?.displayName ?? published?.displayName ?? name,
    serial: source?.lastSerial ?? published?.serial ?? 0,
    files,
    remove: removals(published, keep),
    overBudget: selection.overBudget,
    matureAt: selection.matureAt ?? null,
  };
}

function planned(files: SelectedFile[] | PublishedFile[], published: PublishedRecord | null, coreMetadata = true): PlannedFile[] {
  const byPath = new Map<string, PublishedFile>();
  for (const f of published?.files ?? []) byPath.set(f.path, f);
  return files.map((file) => {
    const path = filePath(file);
    const have = byPath.get(path);
    const wanted = 'metadataSha256' in file ? file.metadataSha256 : coreMetadata ? file.coreMetadataSha256 : null;
    return {
      file: stripPublished(file),
      path,
      metadataSha256: wanted,
      published: have !== undefined && have.size === file.size,
      metadataPublished: wanted !== null && have?.metadataSha256 === wanted,
    };
  });
}

function stripPublished(file: SelectedFile | PublishedFile): SelectedFile {
  if (!('path' in file)) return file;
  const { path: _p, metadataSha256: _m, ...rest } = file;
  return rest;
}

/** Counts for logs and `--dry-run`. */
export function planTotals(plan: ProjectPlan): { fetchFiles: number; fetchBytes: number; removeFiles: number } {
  let fetchFiles = 0;
  let fetchBytes = 0;
  for (const f of plan.files) {
    if (!f.published) {
      fetchFiles++;
      fetchBytes += f.file.size;
    }
  }
  return { fetchFiles, fetchBytes, removeFiles: plan.remove.length };
}
