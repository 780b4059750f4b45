/**
 * One project through the pipeline: metadata → plan → downloads → pages → deletions.
 * Publication order per project: files in place, then pages, then the record of what
 * the pages name; what it stops publishing is deleted once the project is done, in the
 * background (deferred-removals.ts). A project that ends with no files keeps its (empty) record
 * until the run's finish removes its pages after the root listing drops it.
 */
import { JubjubError, errorCode, errorMessage } from '../errors.js';
import { isProjectSelected } from '../planner/filters/project.js';
import { planProject, type ProjectPlan } from '../planner/plan.js';
import { pagesKey, writeProjectPages } from '../publish/writer.js';
import type { PublishedRecord } from '../state/types.js';
import { sameJson } from '../state/same-json.js';
import type { SyncContext } from './context.js';
import type { DeferredRemovals } from './deferred-removals.js';
import { currentMeta } from './project-meta.js';
import { fetchFiles } from './fetch-files.js';

export interface ProjectOutcome {
  name: string;
  ok: boolean;
  error?: string;
  code?: string;
  /** The upstream has no such project (404). */
  missing: boolean;
  /** Stopped part-way: what is published is consistent, and the resumed run finishes it. */
  interrupted?: boolean;
  record: PublishedRecord | null;
  /** With `min_age`: when a held-back file comes of age (ms), else null. */
  matureAt?: number | null;
  added: number;
  bytesAdded: number;
  removed: number;
  bytesRemoved: number;
}

function failed(name: string, err: unknown, record: PublishedRecord | null): ProjectOutcome {
  return { name, ok: false, error: errorMessage(err), code: errorCode(err), missing: false, record, added: 0, bytesAdded: 0, removed: 0, bytesRemoved: 0 };
}

/** The published files a plan removes (not `.metadata`, not leftovers of failed downloads). */
function removedFiles(plan: ProjectPlan, before: PublishedRecord | null): { files: number; bytes: number } {
  const gone = new Set(plan.remove);
  const files = (before?.files ?? []).filter((f) => gone.has(f.path));
  return { files: files.length, bytes: files.reduce((n, f) => n + f.size, 0) };
}

export async function syncProject(
  ctx: SyncContext,
  name: string,
  promised: number,
  opts: {
    cachedFirst: boolean;
    removals: DeferredRemovals;
    /** The run is a killed one's, resumed: its process may have been part-way through this project. */
    resumed: boolean;
  },
): Promise<ProjectOutcome> {
  const earlier = opts.removals.takeEarlier(name);
  const before = resumedRecord(await ctx.state.published(name), earlier, opts.resumed);
  try {
    const { meta, missing } = await currentMeta(ctx, name, promised, { cachedFirst: opts.cachedFirst, before, save: true });
    const plan = planProject(name, meta, before, ctx.filters, {
      upstreamDeletions: ctx.cfg.mirror.upstreamDeletions,
      coreMetadata: ctx.cfg.mirror.coreMetadata,
      now: Date.now(),
    });
    if (!before && plan.files.length === 0) {
      await forgetIfDropped(ctx, name);
      return { name, ok: true, missing, record: null, matureAt: plan.matureAt, added: 0, bytesAdded: 0, removed: 0, bytesRemoved: 0 };
    }
    // With `upstream_deletions: keep` a vanished project keeps its pages, and their info.
    const info = meta?.info ?? (await ctx.state.meta(name))?.info ?? {};
    const outcome = await applyPlan(ctx, plan, before, missing, info, opts.removals);
    if (outcome.ok && !outcome.interrupted) await forgetIfDropped(ctx, name);
    return { ...outcome, matureAt: plan.matureAt };
  } catch (err) {
    if (err instanceof JubjubError && err.code === 'E_STORAGE') throw err;
    // A stop while its metadata waited for a retry: nothing changed, and the resumed run does it.
    const stopped = err instanceof JubjubError && err.code === 'E_INTERRUPTED';
    if (!stopped) ctx.log.warn({ project: name, code: errorCode(err), err: errorMessage(err) }, 'project failed');
    // What the resumed record says (pages to rewrite, files to delete) outlives the journal.
    if (before && opts.resumed) await ctx.state.savePublished(before);
    return stopped ? { ...failed(name, err, before), interrupted: true } : failed(name, err, before);
  }
}

/**
 * The record as a resumed run must read it. A killed process may have rewritten this
 * project's pages before it saved the record, so the record's page digest says nothing
 * of the pages on disk: without it they are rendered and written again (the filters may
 * have changed since, and then the same record would have meant "already current").
 * Files that process journaled for deletion go back to the pending list, which the plan
 * deletes unless it keeps them. With no record nothing was published, so nothing of this
 * project names them.
 */
function resumedRecord(before: PublishedRecord | null, earlier: string[], resumed: boolean): PublishedRecord | null {
  if (!before || !resumed) return before;
  return { ...before, pagesSha: null, pending: earlier.length > 0 ? [...new Set([...before.pending, ...earlier])] : before.pending };
}

/**
 * The feed skips projects the filters drop, so their cached metadata would go stale;
 * dropping it makes a later rebuild that allows them again fetch them fresh.
 */
async function forgetIfDropped(ctx: SyncContext, name: string): Promise<void> {
  if (!isProjectSelected(ctx.filters, name)) {
    await ctx.state.removeMeta(name);
    await ctx.state.removeRequires(name);
  }
}

/**
 * The pages on disk were rendered from this record's content with the same configuration
 * and renderers (`pagesKey`). The upstream's `info` they also show changes only with the
 * serial.
 */
function pagesCurrent(before: PublishedRecord, record: PublishedRecord, key: string, sameFiles: boolean): boolean {
  return sameFiles && before.pagesKey === key && before.pagesSha !== null && before.serial === record.serial && before.displayName === record.displayName;
}

/** Every field but the files, which the caller compared once already. */
function sameRest(before: PublishedRecord, record: PublishedRecord): boolean {
  return sameJson({ ...before, files: null }, { ...record, files: null });
}

async function applyPlan(
  ctx: SyncContext,
  plan: ProjectPlan,
  before: PublishedRecord | null,
  missing: boolean,
  info: Record<string, unknown>,
  removals: DeferredRemovals,
): Promise<ProjectOutcome> {
  const base: PublishedRecord = before ?? {
    name: plan.name, displayName: plan.displayName, serial: plan.serial, files: [], pending: [], pagesSha: null, overBudget: false,
  };
  const toFetch = plan.files.filter((f) => !f.published).map((f) => f.path);
  if (toFetch.length > 0) {
    // Recorded before downloading, so files of a killed run are known even if no page names them yet.
    await ctx.state.savePublished({ ...base, pending: [...new Set([...base.pending, ...toFetch])] });
  }
  const fetched = await fetchFiles(ctx, plan.files, new Set(base.pending));
  for (const f of fetched.failures) ctx.log.warn({ project: plan.name, filename: f.filename, code: f.code, err: f.error }, 'file failed');

  const record: PublishedRecord = {
    name: plan.name,
    displayName: plan.displayName,
    serial: plan.serial,
    files: fetched.files,
    pending: [...new Set([...plan.remove, ...toFetch.filter((p) => !fetched.files.some((f) => f.path === p))])],
    pagesSha: base.pagesSha,
    overBudget: plan.overBudget,
  };
  // Downloads are renamed into place unflushed; the pages name them only once they are
  // on stable storage, and until then the record holds them as pending.
  if (fetched.downloaded > 0) await ctx.storage.flushRoot();
  const key = pagesKey(ctx.cfg.mirror);
  // A rebuild visits every project, and most are unchanged: compared once, here.
  const sameFiles = before !== null && sameJson(before.files, record.files);
  if (record.files.length > 0 && !(before && pagesCurrent(before, record, key, sameFiles))) {
    record.pagesSha = await writeProjectPages(
      ctx.storage,
      ctx.cfg.mirror,
      { name: plan.name, displayName: plan.displayName, serial: plan.serial, files: record.files, info, baseUrl: ctx.cfg.mirror.baseUrl },
      base.pagesSha,
    );
    record.pagesKey = key;
  } else if (base.pagesKey !== undefined) {
    record.pagesKey = base.pagesKey;
  }
  // The pages no longer name what is pending: it is journaled, to be deleted once the
  // project is done, and then the record is saved once. A crash before the journal line leaves the
  // previous record, which still lists every such file (or held it as pending before the
  // downloads), so the resumed run plans the same deletions again. A project left with no
  // files keeps its pages (and so its files) until the finish, after the root listing
  // stops naming it.
  if (record.files.length > 0 && record.pending.length > 0) {
    await removals.defer(plan.name, record.pending);
    record.pending = [];
  }
  // A rebuild visits every project, and most are unchanged: their record stays as it is.
  if (!before || !sameFiles || !sameRest(before, record)) await ctx.state.savePublished(record);
  const outcome: ProjectOutcome = {
    name: plan.name,
    ok: fetched.failures.length === 0,
    missing,
    interrupted: fetched.interrupted,
    record,
    added: fetched.added,
    bytesAdded: fetched.bytesAdded,
    removed: removedFiles(plan, before).files,
    bytesRemoved: removedFiles(plan, before).bytes,
  };
  if (!outcome.ok) {
    const first = fetched.failures[0];
    outcome.error = `${fetched.failures.length} file(s) failed; first: ${first?.filename}: ${first?.error}`;
    outcome.code = first?.code;
  }
  return outcome;
}
