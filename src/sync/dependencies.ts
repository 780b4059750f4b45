/**
 * Drives the pure closure resolver (planner/dependencies) for `dependencies: true`: loads
 * what it asks for (cached metadata and Requires-Dist first, the upstream for the rest)
 * until it asks for nothing, then plans the run with the filters the closure implies.
 */
import { errorCode, errorMessage } from '../errors.js';
import type { ProjectMeta } from '../model.js';
import { withClosure } from '../planner/dependencies/apply.js';
import { closureKey } from '../planner/dependencies/key.js';
import { mergeClosures } from '../planner/dependencies/merge.js';
import { closureMemo, resolveClosure } from '../planner/dependencies/resolve.js';
import type { Closure } from '../planner/dependencies/types.js';
import { targetEnvironments } from '../planner/filters/target-environments.js';
import type { SyncContext } from './context.js';

export interface ClosureOptions {
  /** Projects the feed reports changed, with the serial their metadata must show. */
  changed: ReadonlyMap<string, number>;
  /** The closure the mirror was last planned with. */
  previous: Closure | null;
  /** A rebuild reads cached metadata first; a sync re-fetches what changed. */
  cachedFirst: boolean;
  /** false (a dry run): nothing is written to the state. */
  save: boolean;
  /** Resolve again even if nothing the previous closure read has changed (min_age releases). */
  force?: boolean;
}

/** Rounds are bounded by the depth of the dependency graph; this only stops a runaway. */
const MAX_ROUNDS = 500;

function reusable(previous: Closure | null, key: string, changed: ReadonlyMap<string, number>): previous is Closure {
  if (previous === null || previous.key !== key) return false;
  if (Object.keys(previous.demands).some((name) => changed.has(name))) return false;
  return !previous.unreachable.some((u) => changed.has(u.name));
}

class Loader {
  readonly metas = new Map<string, ProjectMeta | null>();
  readonly requires = new Map<string, Record<string, string[]>>();
  readonly dirty = new Set<string>();
  /** Projects whose truth could not be read this time: the closure is incomplete. */
  readonly failed = new Set<string>();
  /** `name\0version` of Requires-Dist that could not be fetched (never cached). */
  private readonly unread = new Set<string>();

  constructor(
    private readonly ctx: SyncContext,
    private readonly opts: ClosureOptions,
  ) {}

  async meta(name: string): Promise<void> {
    const { ctx, opts } = this;
    const promised = opts.changed.get(name);
    const memo = ctx.metaMemo.get(name);
    if (memo !== undefined && (memo === null || memo.lastSerial >= (promised ?? 0))) return void this.metas.set(name, memo);
    const cached = await ctx.state.meta(name);
    if (cached && (opts.cachedFirst || promised === undefined || cached.lastSerial >= promised)) return void this.metas.set(name, cached);
    try {
      const meta = await ctx.metadataQueue.add(() => ctx.projects.fetchProject(name, promised ?? 0), { throwOnTimeout: true });
      ctx.metaMemo.set(name, meta);
      this.metas.set(name, meta);
      if (opts.save && meta) await ctx.state.saveMeta(meta);
      else if (opts.save && ctx.cfg.mirror.upstreamDeletions === 'delete') await ctx.state.removeMeta(name);
    } catch (err) {
      ctx.log.warn({ project: name, code: errorCode(err), err: errorMessage(err) }, 'dependency metadata failed; the closure keeps what it had');
      this.failed.add(name);
      this.metas.set(name, cached);
    }
  }

  async requiresOf(name: string, version: string): Promise<void> {
    const { ctx } = this;
    let byVersion = this.requires.get(name);
    if (!byVersion) this.requires.set(name, (byVersion = await ctx.state.requires(name)));
    if (byVersion[version] !== undefined) return;
    const meta = this.metas.get(name);
    if (!meta) return;
    try {
      byVersion[version] = await ctx.metadataQueue.add(() => ctx.requiresDist.fetch(meta, version), { throwOnTimeout: true });
      this.dirty.add(name);
    } catch (err) {
      ctx.log.warn({ project: name, version, code: errorCode(err), err: errorMessage(err) }, 'Requires-Dist failed; the closure keeps what it had');
      this.failed.add(name);
      this.unread.add(`${name}\0${version}`);
    }
  }

  /** Failed loads read as "no requirements" so the walk goes on; the merge keeps the rest. */
  requiresFor(name: string, version: string): readonly string[] | undefined {
    return this.unread.has(`${name}\0${version}`) ? [] : this.requires.get(name)?.[version];
  }

  async flush(): Promise<void> {
    if (!this.opts.save) return;
    for (const name of this.dirty) {
      const byVersion = this.requires.get(name);
      if (byVersion) await this.ctx.state.saveRequires(name, byVersion);
    }
  }
}

/** Resolves the closure and sets `ctx.filters` to the filters it implies. */
export async function resolveDependencies(ctx: SyncContext, opts: ClosureOptions): Promise<Closure> {
  const base = ctx.baseFilters;
  const targets = targetEnvironments(base);
  const key = closureKey(base, targets);
  if (!opts.force && reusable(opts.previous, key, opts.changed)) {
    ctx.filters = withClosure(base, opts.previous);
    return opts.previous;
  }
  const loader = new Loader(ctx, opts);
  const now = Date.now();
  const memo = closureMemo();
  const lookup = {
    meta: (name: string) => loader.metas.get(name),
    requires: (name: string, version: string) => loader.requiresFor(name, version),
  };
  let progress = resolveClosure(base, targets, lookup, { now, key, memo });
  for (let round = 0; round < MAX_ROUNDS && (progress.needMeta.length > 0 || progress.needRequires.length > 0); round++) {
    await Promise.all(progress.needMeta.map((name) => loader.meta(name)));
    await Promise.all(progress.needRequires.map((r) => loader.requiresOf(r.name, r.version)));
    progress = resolveClosure(base, targets, lookup, { now, key, memo });
  }
  await loader.flush();
  for (const b of progress.bad.slice(0, 20)) ctx.log.warn({ project: b.project, version: b.version, requirement: b.requirement, err: b.error }, 'unreadable requirement skipped');
  let closure = progress.closure;
  if (loader.failed.size > 0) {
    closure = { ...closure, unreachable: closure.unreachable.filter((u) => !loader.failed.has(u.name)) };
    if (opts.previous) closure = mergeClosures(closure, opts.previous);
  }
  const roots = new Set(base.allowedProjects);
  ctx.log.info(
    {
      projects: Object.keys(closure.demands).length,
      added: Object.keys(closure.demands).filter((n) => !roots.has(n)).length,
      unreachable: closure.unreachable.length,
      incomplete: loader.failed.size > 0,
    },
    'dependency closure resolved',
  );
  for (const u of closure.unreachable) ctx.log.warn({ project: u.name, reason: u.reason, via: u.via }, 'dependency cannot be mirrored');
  ctx.filters = withClosure(base, closure);
  return closure;
}
