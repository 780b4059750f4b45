/**
 * Carries out a run plan: every project through the pipeline with bounded concurrency,
 * a journal line as each one ends (so a killed run resumes where it stopped), then the
 * finish, then the mirror's serial. The serial advances only when every project of the
 * plan is done or recorded as failed.
 */
import PQueue from 'p-queue';
import type { JournalEntry, MirrorState, RunJournal, RunPlan, RunSummary } from '../state/types.js';
import type { SyncContext } from './context.js';
import { DeferredRemovals } from './deferred-removals.js';
import { finalizeRun, listingChange, type ListingChange } from './finalize.js';
import { tightHeapGrowth } from './heap-growth.js';
import { syncProject } from './project-sync.js';
import { eventLoopTurns } from './turns.js';

export interface RunResult {
  summary: RunSummary;
  /** Names the upstream does not have (reported for `sync --project`). */
  missing: string[];
  /** SIGTERM/SIGINT stopped the run early; it resumes next time. */
  interrupted: boolean;
}

interface Tally {
  added: number;
  bytesAdded: number;
  removed: number;
  bytesRemoved: number;
}

/**
 * 404s worth remembering: names a rebuild would otherwise ask about again (allowlisted,
 * or found by a full listing). Projects an incremental sync sees deleted never come back
 * in a listing, so they are not kept.
 */
function remembersAbsence(ctx: SyncContext, plan: RunPlan, name: string): boolean {
  return ctx.filters.allowedProjects.has(name) || plan.command === 'rebuild' || plan.serialFrom === null;
}

export async function executeRun(
  ctx: SyncContext,
  plan: RunPlan,
  /** What a killed process of this run journaled; null for a new run. */
  journal: RunJournal | null,
  mirror: MirrorState,
  /** Upstream counters when the run began, before its planning asked the feed. */
  statsFrom: { requests: number; retries: number } = { ...ctx.http.stats },
): Promise<RunResult> {
  const started = Date.now();
  const done: Map<string, JournalEntry> = journal?.done ?? new Map();
  const resumed = journal !== null;
  const removals = new DeferredRemovals(ctx.state, ctx.storage, journal?.removals ?? new Map(), new Set(done.keys()));
  const requestsBefore = statsFrom.requests;
  const retriesBefore = statsFrom.retries;
  const names = Object.keys(plan.projects);
  ctx.progress.projectsTotal = names.length;
  ctx.progress.projectsDone = done.size;
  // Small per-project facts only: a run over 750,000 projects must not hold their records.
  const changes = new Map<string, ListingChange>();
  const missing: string[] = [];
  const tally: Tally = { added: 0, bytesAdded: 0, removed: 0, bytesRemoved: 0 };
  const inFlight = Math.max(16, ctx.cfg.upstream.metadataConcurrency * 2 + ctx.cfg.upstream.downloadConcurrency * 2);
  const queue = new PQueue({ concurrency: inFlight });
  // A failure of our own disk ends the run (every further project would fail the same
  // way); in-flight work settles first, and the journal lets the next run resume.
  let fatal: unknown;

  // Each project begins with synchronous reads of its state; a mirror that has synced
  // before has some to read. A rebuild plans from the cached metadata too.
  const readahead = mirror.serial !== null || resumed ? ctx.state.readahead(names, plan.command === 'rebuild' ? ['published', 'meta'] : ['published']) : null;

  const turn = eventLoopTurns();

  tightHeapGrowth(true);
  try {
    for (const [index, name] of names.entries()) {
      if (ctx.stopping.requested || fatal !== undefined) break;
      if (done.has(name)) continue;
      await queue.onSizeLessThan(inFlight);
      await turn();
      readahead?.advance(index);
      const task = queue.add(async () => {
        const outcome = await syncProject(ctx, name, plan.projects[name] ?? 0, { cachedFirst: plan.command === 'rebuild', removals, resumed });
        if (outcome.interrupted) return;
        changes.set(name, listingChange(outcome.record));
        if (outcome.missing) missing.push(name);
        if (outcome.missing && remembersAbsence(ctx, plan, name)) mirror.absent[name] = Math.max(plan.upstreamSerial ?? 0, plan.projects[name] ?? 0);
        else if (outcome.ok) delete mirror.absent[name];
        if (typeof outcome.matureAt === 'number') mirror.quarantine[name] = new Date(outcome.matureAt).toISOString();
        else if (outcome.ok) delete mirror.quarantine[name];
        if (outcome.record?.overBudget) mirror.overBudget[name] = true;
        else if (outcome.ok) delete mirror.overBudget[name];
        tally.added += outcome.added;
        tally.bytesAdded += outcome.bytesAdded;
        tally.removed += outcome.removed;
        tally.bytesRemoved += outcome.bytesRemoved;
        const entry: JournalEntry = { name, ok: outcome.ok };
        if (!outcome.ok) Object.assign(entry, { error: outcome.error, code: outcome.code });
        await ctx.state.journal(entry);
        done.set(name, entry);
        ctx.progress.projectsDone++;
        // Its record is saved and its line journaled: nothing names what it dropped.
        await removals.release(name);
      });
      task.catch((err: unknown) => {
        fatal ??= err;
      });
    }
    await queue.onIdle();
  } finally {
    readahead?.stop();
    tightHeapGrowth(false);
  }
  if (fatal !== undefined) throw fatal;
  const interrupted = names.some((n) => !done.has(n));

  const finished = names.filter((n) => done.has(n));
  await finalizeRun(ctx, finished, changes, interrupted ? mirror.serial : (plan.targetSerial ?? mirror.serial), { resumed, removals });

  const failedNow = [...done.values()].filter((e) => !e.ok);
  const at = new Date().toISOString();
  for (const e of done.values()) {
    if (e.ok) delete mirror.failed[e.name];
    else mirror.failed[e.name] = { error: e.error ?? 'failed', code: e.code ?? 'E_INTERNAL', at, serial: plan.projects[e.name] ?? 0 };
  }
  const summary: RunSummary = {
    command: plan.command,
    startedAt: plan.startedAt,
    endedAt: at,
    durationMs: Date.now() - started,
    outcome: failedNow.length > 0 || interrupted ? 'partial' : 'ok',
    serialFrom: plan.serialFrom,
    serialTo: interrupted ? mirror.serial : (plan.targetSerial ?? mirror.serial),
    projects: finished.length,
    failed: failedNow.length,
    filesAdded: tally.added,
    bytesAdded: tally.bytesAdded,
    filesRemoved: tally.removed,
    bytesRemoved: tally.bytesRemoved,
    requests: ctx.http.stats.requests - requestsBefore,
    retries: ctx.http.stats.retries - retriesBefore,
  };
  if (!interrupted && plan.targetSerial !== null) mirror.serial = plan.targetSerial;
  if (!interrupted && plan.projectRules !== undefined) mirror.projectRules = plan.projectRules;
  // A `sync --project` run reuses the stored closure; full runs and rebuilds record theirs.
  if (!interrupted && plan.closure !== undefined && plan.command !== 'sync --project') mirror.closure = plan.closure;
  if (!ctx.baseFilters.dependencies) mirror.closure = null;
  if (plan.upstreamSerial !== null) mirror.upstreamSerial = Math.max(mirror.upstreamSerial ?? 0, plan.upstreamSerial);
  mirror.lastRun = summary;
  if (summary.outcome === 'ok') mirror.lastSuccessAt = at;
  await ctx.state.saveMirror(mirror);
  if (!interrupted) await ctx.state.finishRun();
  return { summary, missing, interrupted };
}
