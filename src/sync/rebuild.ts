/**
 * `jubjub rebuild`: the current filters applied to the mirror from cached metadata.
 * It is an ordinary run (same executor, journal and publication order as sync) whose
 * projects read the cache first, so a crash resumes it and its result is what a fresh
 * sync with these filters would leave.
 */
import { UsageError } from '../errors.js';
import type { Closure, UnreachableDependency } from '../planner/dependencies/types.js';
import type { SyncContext } from './context.js';
import { executeRun, type RunResult } from './execute-run.js';
import { planRebuildRun } from './plan-rebuild.js';
import { previewRun, type RunPreview } from './preview.js';
import { logSummary, resumePending } from './sync.js';

function neverSynced(): UsageError {
  return new UsageError('the mirror has never completed a sync; run `jubjub sync` first');
}

export interface DependencyPreview {
  /** Projects only the closure selects, with the first requirement chain that reached each. */
  projects: Array<{ name: string; via: string[]; new: boolean }>;
  /** Projects the previous closure selected and this one does not. */
  dropped: string[];
  unreachable: UnreachableDependency[];
}

export type RebuildPreview = RunPreview & { unfinishedRun: boolean; dependencies: DependencyPreview | null };

function dependencyPreview(ctx: SyncContext, previous: Closure | null, next: Closure | undefined): DependencyPreview | null {
  if (!next) return null;
  const roots = ctx.baseFilters.allowedProjects;
  const projects = Object.entries(next.demands)
    .filter(([name]) => !roots.has(name))
    .map(([name, d]) => ({ name, via: d.via, new: !(name in (previous?.demands ?? {})) }));
  const dropped = Object.keys(previous?.demands ?? {}).filter((n) => !roots.has(n) && !(n in next.demands));
  return { projects, dropped, unreachable: next.unreachable };
}

/** The plan, changing nothing: no temp cleanup, no resume, no cache writes. */
export async function previewRebuild(ctx: SyncContext): Promise<RebuildPreview> {
  const mirror = await ctx.state.mirror();
  if (mirror.serial === null) throw neverSynced();
  const { plan } = await planRebuildRun(ctx, mirror, { save: false });
  return {
    ...(await previewRun(ctx, plan)),
    unfinishedRun: (await ctx.state.run()) !== null,
    dependencies: dependencyPreview(ctx, mirror.closure, plan.closure),
  };
}

export async function runRebuild(ctx: SyncContext): Promise<RunResult> {
  const resumed = await resumePending(ctx);
  if (resumed?.interrupted) return resumed;
  const statsFrom = { ...ctx.http.stats };
  const mirror = await ctx.state.mirror();
  if (mirror.serial === null) throw neverSynced();
  const { plan, unfetched } = await planRebuildRun(ctx, mirror, { save: true });
  if (unfetched.length > 0) ctx.log.info({ projects: unfetched.length, first: unfetched.slice(0, 10) }, 'fetching metadata of newly selected projects');
  await ctx.state.startRun(plan);
  const result = await executeRun(ctx, plan, null, mirror, statsFrom);
  logSummary(ctx, result);
  return result;
}
