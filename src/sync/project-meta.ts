import type { ProjectMeta } from '../model.js';
import { isProjectSelected } from '../planner/filters/project.js';
import type { PublishedRecord } from '../state/types.js';
import type { SyncContext } from './context.js';

/**
 * The metadata to plan from. A rebuild re-applies filters to what is cached and asks the
 * upstream only for projects it never fetched; a sync fetches every selected project.
 * A project the filters dropped is planned from the cache (its files are removed), or
 * from its published record when nothing is cached. `save: false` (a dry run) leaves the
 * cache as it was.
 */
export async function currentMeta(
  ctx: SyncContext,
  name: string,
  promised: number,
  opts: { cachedFirst: boolean; before: PublishedRecord | null; save: boolean },
): Promise<{ meta: ProjectMeta | null; missing: boolean; fetched: boolean }> {
  const selected = isProjectSelected(ctx.filters, name);
  if (!selected || opts.cachedFirst) {
    const cached = await ctx.state.meta(name);
    if (cached) return { meta: cached, missing: false, fetched: false };
    if (!selected) {
      const b = opts.before;
      return { meta: b && { name, displayName: b.displayName, lastSerial: b.serial, releases: [], info: {} }, missing: false, fetched: false };
    }
  }
  // Fetched earlier in this process (by the dependency closure): already saved if wanted.
  const memo = ctx.metaMemo.get(name);
  if (memo !== undefined && (memo === null || memo.lastSerial >= promised)) return { meta: memo, missing: memo === null, fetched: true };
  const meta = await ctx.metadataQueue.add(() => ctx.projects.fetchProject(name, promised), { throwOnTimeout: true });
  if (!opts.save) return { meta, missing: meta === null, fetched: true };
  if (meta) await ctx.state.saveMeta(meta);
  else if (ctx.cfg.mirror.upstreamDeletions === 'delete') await ctx.state.removeMeta(name);
  return { meta, missing: meta === null, fetched: true };
}
