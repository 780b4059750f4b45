/** Decides which projects a run visits and which serial it may record when done. */
import { changedDemands, withClosure } from '../planner/dependencies/apply.js';
import type { Closure } from '../planner/dependencies/types.js';
import { isValidProjectName, normalizeName } from '../planner/filters/names.js';
import { isProjectSelected } from '../planner/filters/project.js';
import { projectRules } from '../planner/filters/rules-key.js';
import type { MirrorState, RunPlan } from '../state/types.js';
import type { SyncContext } from './context.js';
import { resolveDependencies } from './dependencies.js';

/** The next full or incremental pass, from the change feed. */
export async function planFeedRun(ctx: SyncContext, mirror: MirrorState): Promise<RunPlan> {
  const projects: Record<string, number> = {};
  const now = Date.now();
  const matured = Object.keys(mirror.quarantine).filter((name) => Date.parse(mirror.quarantine[name] ?? '') <= now);
  const deps = ctx.baseFilters.dependencies;
  let closure: Closure | undefined;
  // A project is visited if the filters select it, or if it is listed (so that a
  // project the filters or the upstream dropped is removed).
  let target: number;
  if (mirror.serial === null) {
    // The closure first: the listing is then filtered with the filters it implies.
    if (deps) closure = await resolveDependencies(ctx, { changed: new Map(), previous: mirror.closure, cachedFirst: false, save: true, force: true });
    const listed = new Set(await ctx.rootIndex.names());
    const wanted = (name: string) => isProjectSelected(ctx.filters, name) || listed.has(name);
    // The listing gives each project's serial, which the JSON API must then show at
    // least: without it a stale cached document would be accepted and never revisited.
    // Allowlisted names it lacks are still asked for, so that a typo is reported.
    const snap = await ctx.feed.snapshot(wanted);
    for (const [name, p] of snap.projects) projects[name] = p.serial;
    target = snap.serial;
    for (const name of listed) projects[name] ??= 0;
    for (const name of ctx.filters.allowedProjects) if (isProjectSelected(ctx.filters, name)) projects[name] ??= 0;
  } else {
    const changes = await ctx.feed.since(mirror.serial);
    if (deps) {
      const force = matured.length > 0;
      closure = await resolveDependencies(ctx, { changed: changes.changed, previous: mirror.closure, cachedFirst: false, save: true, force });
    }
    for (const [name, serial] of changes.changed) {
      if (isProjectSelected(ctx.filters, name) || (await ctx.rootIndex.get(name)) !== undefined) projects[name] = serial;
    }
    target = changes.serial;
  }
  for (const [name, f] of Object.entries(mirror.failed)) projects[name] = Math.max(projects[name] ?? 0, f.serial);
  // Files held back by min_age that have come of age: published now, upstream change or not.
  for (const name of matured) projects[name] ??= 0;
  // What the closure now asks differently of a project (or no longer asks) changes its files.
  if (closure) for (const name of changedDemands(mirror.closure, closure)) projects[name] ??= 0;
  const plan: RunPlan = {
    command: 'sync',
    startedAt: new Date().toISOString(),
    serialFrom: mirror.serial,
    targetSerial: target,
    upstreamSerial: target,
    projects,
  };
  // A first pass visits every selected project, as a rebuild does.
  if (mirror.serial === null) plan.projectRules = projectRules(ctx.baseFilters);
  if (closure) plan.closure = closure;
  return plan;
}

/** `sync --project NAME...`: those projects now, whatever their serial; the mirror's serial stays. */
export function planProjectRun(ctx: SyncContext, mirror: MirrorState, names: string[]): { plan: RunPlan; invalid: string[] } {
  const projects: Record<string, number> = {};
  const invalid: string[] = [];
  for (const n of names) {
    if (isValidProjectName(n)) projects[normalizeName(n)] = 0;
    else invalid.push(n);
  }
  const plan: RunPlan = {
    command: 'sync --project',
    startedAt: new Date().toISOString(),
    serialFrom: mirror.serial,
    targetSerial: null,
    upstreamSerial: mirror.upstreamSerial,
    projects,
  };
  // The closure of the last full run: without it a dependency would look unselected and lose its files.
  if (ctx.baseFilters.dependencies && mirror.closure) {
    ctx.filters = withClosure(ctx.baseFilters, mirror.closure);
    plan.closure = mirror.closure;
  }
  return { plan, invalid };
}
