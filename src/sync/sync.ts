/** `jubjub sync`: resume an interrupted run if there is one, then the next pass. */
import type { RunPlan } from '../state/types.js';
import type { SyncContext } from './context.js';
import { executeRun, type RunResult } from './execute-run.js';
import { planFeedRun, planProjectRun } from './plan-run.js';
import { UsageError } from '../errors.js';
import { withClosure } from '../planner/dependencies/apply.js';
import { isProjectSelected } from '../planner/filters/project.js';

/**
 * Clears what a killed process left and finishes its run (sync or rebuild alike), so
 * every command starts from a consistent mirror. Returns the resumed run's result, if any.
 */
export async function resumePending(ctx: SyncContext): Promise<RunResult | null> {
  await ctx.storage.ensureDirs();
  const leftovers = await ctx.storage.clearTemp();
  if (leftovers > 0) ctx.log.info({ files: leftovers }, 'removed temporary files of an interrupted run');
  const pending = await ctx.state.run();
  if (!pending) return null;
  if (pending.plan.closure) ctx.filters = withClosure(ctx.baseFilters, pending.plan.closure);
  ctx.log.info({ command: pending.plan.command, startedAt: pending.plan.startedAt, done: pending.done.size, total: Object.keys(pending.plan.projects).length }, 'resuming interrupted run');
  const resumed = await executeRun(ctx, pending.plan, pending, await ctx.state.mirror());
  logSummary(ctx, resumed);
  return resumed;
}

export async function runSync(ctx: SyncContext, opts: { projects?: string[] } = {}): Promise<RunResult> {
  const resumed = await resumePending(ctx);
  if (resumed?.interrupted) return resumed;

  const statsFrom = { ...ctx.http.stats };
  const mirror = await ctx.state.mirror();
  let plan: RunPlan;
  if (opts.projects) {
    const built = planProjectRun(ctx, mirror, opts.projects);
    if (built.invalid.length > 0) throw new UsageError(`not a valid project name: ${built.invalid.join(', ')}`);
    plan = built.plan;
    for (const name of Object.keys(plan.projects)) {
      if (!isProjectSelected(ctx.filters, name)) ctx.log.warn({ project: name }, 'project is not selected by the filters: nothing of it is mirrored');
    }
  } else {
    plan = await planFeedRun(ctx, mirror);
  }
  await ctx.state.startRun(plan);
  const result = await executeRun(ctx, plan, null, mirror, statsFrom);
  logSummary(ctx, result);
  return result;
}

export function logSummary(ctx: SyncContext, r: RunResult): void {
  const s = r.summary;
  ctx.log.info(
    {
      command: s.command,
      outcome: s.outcome,
      interrupted: r.interrupted,
      serialFrom: s.serialFrom,
      serialTo: s.serialTo,
      projects: s.projects,
      failed: s.failed,
      filesAdded: s.filesAdded,
      bytesAdded: s.bytesAdded,
      filesRemoved: s.filesRemoved,
      bytesRemoved: s.bytesRemoved,
      requests: s.requests,
      retries: s.retries,
      durationMs: s.durationMs,
    },
    'run finished',
  );
  if (ctx.projects.refusedHosts.size > 0) {
    ctx.log.warn({ hosts: [...ctx.projects.refusedHosts] }, 'files on hosts outside upstream.file_hosts were refused; add the hosts there if they are trusted');
  }
  // In a feed run a 404 is an upstream removal (or a listed project with no releases);
  // only names the operator typed (the allowlist, `--project`) are worth a warning.
  const typed = s.command === 'sync' ? r.missing.filter((n) => ctx.baseFilters.allowedProjects.has(n)) : r.missing;
  if (typed.length > 0) ctx.log.warn({ projects: typed }, 'projects not found upstream');
}
