/**
 * `verify --repair`: acts on a verify report in publication order. Missing and corrupt
 * files are downloaded again (verified as in sync) and renamed over the bad copy; a file
 * that cannot be fetched is taken off its project's pages and the project is marked
 * failed, so the next sync retries it. Then pages that disagree with the state are
 * rewritten, the root listing is corrected, and last, orphans are deleted.
 */
import { downloadVerified } from '../download/verified-download.js';
import { errorCode, errorMessage } from '../errors.js';
import { removeProjectPages, writeProjectPages } from '../publish/writer.js';
import type { ListingEntry, PublishedRecord } from '../state/types.js';
import type { SyncContext } from '../sync/context.js';
import { candidateUrls } from '../sync/fetch-files.js';
import { MAX_METADATA_BYTES } from '../upstream/documents.js';
import { listingChange } from '../sync/finalize.js';
import type { Problem, VerifyReport } from './report.js';

export interface RepairResult {
  repaired: number;
  /** Problems left: files that could not be fetched again. */
  unrepaired: Problem[];
}

async function refetch(ctx: SyncContext, record: PublishedRecord, problem: Problem): Promise<'ok' | 'dropped'> {
  const file = record.files.find((f) => f.path === problem.path || `${f.path}.metadata` === problem.path);
  if (!file) return 'dropped';
  const isMetadata = problem.path !== file.path;
  const deps = { http: ctx.http, files: ctx.files, storage: ctx.storage, hosts: ctx.cfg.upstream.fileHosts, fsync: !isMetadata };
  try {
    await ctx.downloadQueue.add(() =>
      isMetadata
        ? downloadVerified(deps, candidateUrls(ctx, `${file.url}.metadata`), { sha256: file.metadataSha256 ?? '', size: null, maxBytes: MAX_METADATA_BYTES }, problem.path)
        : downloadVerified(deps, candidateUrls(ctx, file.url), { sha256: file.sha256, size: file.size }, problem.path),
    { throwOnTimeout: true });
    return 'ok';
  } catch (err) {
    ctx.log.warn({ project: record.name, path: problem.path, code: errorCode(err), err: errorMessage(err) }, 'repair download failed');
    // Never leave a page naming bytes that are not there: unpublish it, and let sync retry.
    if (isMetadata) file.metadataSha256 = null;
    else record.files = record.files.filter((f) => f !== file);
    record.pending = [...new Set([...record.pending, problem.path])];
    return 'dropped';
  }
}

export async function repairMirror(ctx: SyncContext, report: VerifyReport): Promise<RepairResult> {
  const result: RepairResult = { repaired: 0, unrepaired: [] };
  const byProject = new Map<string, Problem[]>();
  for (const p of report.problems) {
    if (p.project === null || p.kind === 'orphan' || p.kind === 'listing') continue;
    const list = byProject.get(p.project) ?? [];
    list.push(p);
    byProject.set(p.project, list);
  }
  const relist = new Map<string, ListingEntry | null>();
  for (const p of report.problems) if (p.kind === 'listing' && p.project) relist.set(p.project, null);
  const mirror = await ctx.state.mirror();
  const emptied: PublishedRecord[] = [];

  await Promise.all([...byProject].map(async ([name, problems]) => {
    const record = await ctx.state.published(name);
    if (!record) return;
    const outcomes = await Promise.all(problems.map(async (p) => {
      if (p.kind !== 'missing' && p.kind !== 'corrupt') return { p, ok: true };
      return { p, ok: (await refetch(ctx, record, p)) === 'ok' };
    }));
    if (record.files.length === 0) {
      // Nothing of it could be fetched: it leaves the listing (below), then loses its pages.
      emptied.push(record);
    }
    const info = (await ctx.state.meta(name))?.info ?? {};
    const input = { name, displayName: record.displayName, serial: record.serial, files: record.files, info, baseUrl: ctx.cfg.mirror.baseUrl };
    // Rewritten whatever the problem: the files are now in place, so pages may name them.
    if (record.files.length > 0) record.pagesSha = await writeProjectPages(ctx.storage, ctx.cfg.mirror, input, null);
    await ctx.state.savePublished(record);
    relist.set(name, null);
    for (const o of outcomes) {
      if (o.ok) result.repaired++;
      else result.unrepaired.push(o.p);
    }
    const failed = outcomes.filter((o) => !o.ok);
    if (failed.length > 0) {
      mirror.failed[name] = { error: `verify: ${failed.length} file(s) could not be fetched again`, code: 'E_REPAIR', at: new Date().toISOString(), serial: record.serial };
    }
  }));

  const rootProblem = report.problems.some((p) => p.kind === 'page' && p.project === null);
  if (relist.size > 0 || rootProblem) {
    for (const name of relist.keys()) {
      const change = listingChange(await ctx.state.published(name));
      relist.set(name, typeof change === 'object' ? change : null);
    }
    await ctx.rootIndex.apply(relist);
    // A root page found wrong may have been edited in place: render it whole, not spliced.
    await ctx.rootIndex.writePages(ctx.cfg.mirror.formats, mirror.serial ?? 0, { fresh: rootProblem });
    result.repaired += report.problems.filter((p) => p.kind === 'listing' || (p.kind === 'page' && p.project === null)).length;
  }
  for (const record of emptied) {
    await removeProjectPages(ctx.storage, record.name);
    for (const rel of record.pending) await ctx.storage.remove('root', rel);
    await ctx.state.removePublished(record.name);
  }
  for (const p of report.problems) {
    if (p.kind !== 'orphan') continue;
    await ctx.storage.remove('root', p.path);
    result.repaired++;
  }
  await ctx.state.saveMirror(mirror);
  return result;
}
