/**
 * `jubjub rebuild`: the current filters applied to the mirror from cached metadata.
 * It is an ordinary run (same executor, journal and publication order as sync) whose
 * projects read the cache first, so a crash resumes it and its result is what a fresh
 * sync with these filters would leave.
 */
import { UsageError } from '../errors.js';
import type { SyncContext } from './context.js';
import { executeRun, type RunResult } from './execute-run.js';
import { planRebuildRun } from './plan-rebuild.js';
import { previewRun, type RunPreview } from './preview.js';
import { logSummary, resumePending } from './sync.js';

function neverSynced(): UsageError {
  return new UsageError('the mirror has never completed a sync; run `jubjub sync` first');
}

/** The plan, changing nothing: no temp cleanup, no resume, no cache writes. */
export async function previewRebuild(ctx: SyncContext): Promise<RunPreview & { unfinishedRun: boolean }> {
  const mirror = await ctx.state.mirror();
  if (mirror.serial === null) throw neverSynced();
  const { plan } = await planRebuildRun(ctx, mirror);
  return { ...(await previewRun(ctx, plan)), unfinishedRun: (await ctx.state.run()) !== null };
}

export async function runRebuild(ctx: SyncContext): Promise<RunResult> {
  const resumed = await resumePending(ctx);
  if (resumed?.interrupted) return resumed;
  const statsFrom = { ...ctx.http.stats };
  const mirror = await ctx.state.mirror();
  if (mirror.serial === null) throw neverSynced();
  const { plan, unfetched } = await planRebuildRun(ctx, mirror);
  if (unfetched.length > 0) ctx.log.info({ projects: unfetched.length, first: unfetched.slice(0, 10) }, 'fetching metadata of newly selected projects');
  await ctx.state.startRun(plan);
  const result = await executeRun(ctx, plan, new Map(), mirror, statsFrom);
  logSummary(ctx, result);
  return result;
}
