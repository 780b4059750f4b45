/**
 * Which projects a rebuild visits: everything the mirror has published or cached, plus
 * what the current filters newly allow. Only projects never fetched need the upstream;
 * an allow-everything mirror also needs the upstream's listing, but only when its
 * project rules may accept more than at the last full pass (deny entries were dropped).
 */
import { isProjectSelected } from '../planner/filters/project.js';
import { mayAcceptMore, projectRules } from '../planner/filters/rules-key.js';
import type { MirrorState, RunPlan } from '../state/types.js';
import type { SyncContext } from './context.js';
import { resolveDependencies } from './dependencies.js';

export interface RebuildScope {
  plan: RunPlan;
  /** Selected projects with no cached metadata: a rebuild fetches these. */
  unfetched: string[];
}

export async function planRebuildRun(ctx: SyncContext, mirror: MirrorState, opts: { save: boolean }): Promise<RebuildScope> {
  // The closure from cached metadata; only projects it reaches for the first time are fetched.
  const closure = ctx.baseFilters.dependencies
    ? await resolveDependencies(ctx, { changed: new Map(), previous: mirror.closure, cachedFirst: true, save: opts.save })
    : undefined;
  const cached = new Set(await ctx.state.metaNames());
  const projects: Record<string, number> = {};
  for (const name of cached) projects[name] = 0;
  for (const name of await ctx.state.publishedNames()) projects[name] = 0;
  for (const name of await ctx.rootIndex.names()) projects[name] = 0;

  // Fetched by the closure just now (a dry run keeps them in memory only).
  for (const name of ctx.metaMemo.keys()) projects[name] ??= 0;
  const rules = projectRules(ctx.baseFilters);
  const unfetched: string[] = [];
  const add = (name: string, serial: number) => {
    if (name in projects || !isProjectSelected(ctx.filters, name)) return;
    projects[name] = serial;
    unfetched.push(name);
  };
  if (!ctx.filters.allowAll) {
    const fresh = [...ctx.filters.allowedProjects].filter((n) => !(n in projects) && !(n in mirror.absent) && isProjectSelected(ctx.filters, n));
    if (fresh.length > 0) {
      // Their serials from the listing, so that a stale cached JSON document is refused
      // (as on a first sync); names it lacks are asked for anyway and reported.
      const wanted = new Set(fresh);
      const snap = await ctx.feed.snapshot((name) => wanted.has(name));
      for (const name of fresh) add(name, snap.projects.get(name)?.serial ?? 0);
    }
  } else if (mirror.serial !== null && mayAcceptMore(mirror.projectRules, rules)) {
    const snap = await ctx.feed.snapshot((name) => !(name in projects) && isProjectSelected(ctx.filters, name));
    for (const [name, p] of snap.projects) if (p.serial > (mirror.absent[name] ?? -1)) add(name, p.serial);
  }
  return {
    plan: {
      command: 'rebuild',
      startedAt: new Date().toISOString(),
      serialFrom: mirror.serial,
      targetSerial: null,
      upstreamSerial: mirror.upstreamSerial,
      projects,
      projectRules: rules,
      ...(closure ? { closure } : {}),
    },
    unfetched: unfetched.sort(),
  };
}
