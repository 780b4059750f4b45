/**
 * A run plan worked out without touching anything: the same planner and the same
 * metadata choice as the real run, so `--dry-run` shows exactly what would happen.
 * Projects never fetched are fetched (read-only) so their downloads can be counted.
 */
import PQueue from 'p-queue';
import { errorMessage } from '../errors.js';
import { planProject } from '../planner/plan.js';
import type { RunPlan } from '../state/types.js';
import type { SyncContext } from './context.js';
import { currentMeta } from './project-meta.js';
import { eventLoopTurns } from './turns.js';

export interface ProjectPreview {
  name: string;
  /** added: gets its first pages; removed: loses its pages; changed: files come or go. */
  change: 'added' | 'removed' | 'changed';
  download: Array<{ filename: string; size: number }>;
  delete: Array<{ path: string; size: number | null }>;
  downloadBytes: number;
  freeBytes: number;
  overBudget: boolean;
}

export interface RunPreview {
  command: RunPlan['command'];
  visited: number;
  added: number;
  removed: number;
  changed: number;
  downloadFiles: number;
  downloadBytes: number;
  deleteFiles: number;
  freeBytes: number;
  overBudget: string[];
  /** Projects whose metadata had to be fetched from the upstream for this preview. */
  fetched: string[];
  failed: Array<{ name: string; error: string }>;
  /** Every project with something to do, by name. */
  projects: ProjectPreview[];
}

async function previewProject(ctx: SyncContext, name: string, promised: number, cachedFirst: boolean): Promise<{ preview: ProjectPreview | null; fetched: boolean; overBudget: boolean }> {
  const before = await ctx.state.published(name);
  const { meta, fetched } = await currentMeta(ctx, name, promised, { cachedFirst, before, save: false });
  const plan = planProject(name, meta, before, ctx.filters, {
    upstreamDeletions: ctx.cfg.mirror.upstreamDeletions,
    coreMetadata: ctx.cfg.mirror.coreMetadata,
    now: Date.now(),
  });
  const sizes = new Map((before?.files ?? []).map((f) => [f.path, f.size]));
  const download = plan.files.filter((f) => !f.published).map((f) => ({ filename: f.file.filename, size: f.file.size }));
  const del = plan.remove.map((path) => ({ path, size: sizes.get(path) ?? null }));
  if (download.length === 0 && del.length === 0) return { preview: null, fetched, overBudget: plan.overBudget };
  const hadPages = (before?.files.length ?? 0) > 0;
  const change = !hadPages && plan.files.length > 0 ? 'added' : hadPages && plan.files.length === 0 ? 'removed' : 'changed';
  return {
    preview: {
      name,
      change,
      download,
      delete: del,
      downloadBytes: download.reduce((n, f) => n + f.size, 0),
      freeBytes: del.reduce((n, f) => n + (f.size ?? 0), 0),
      overBudget: plan.overBudget,
    },
    fetched,
    overBudget: plan.overBudget,
  };
}

export async function previewRun(ctx: SyncContext, plan: RunPlan): Promise<RunPreview> {
  const out: RunPreview = {
    command: plan.command, visited: 0, added: 0, removed: 0, changed: 0, downloadFiles: 0, downloadBytes: 0,
    deleteFiles: 0, freeBytes: 0, overBudget: [], fetched: [], failed: [], projects: [],
  };
  const queue = new PQueue({ concurrency: 32 });
  const cachedFirst = plan.command === 'rebuild';
  const entries = Object.entries(plan.projects);
  const turn = eventLoopTurns();
  // A mirror that never finished a sync may have no state to read ahead.
  const readahead = plan.serialFrom === null ? null : ctx.state.readahead(entries.map(([name]) => name), cachedFirst ? ['published', 'meta'] : ['published']);
  for (const [index, [name, promised]] of entries.entries()) {
    // Projects are added as the queue drains, so that the turns below reach the event loop.
    await queue.onSizeLessThan(32);
    await turn();
    readahead?.advance(index);
    void queue.add(async () => {
      try {
        const r = await previewProject(ctx, name, promised, cachedFirst);
        out.visited++;
        if (r.fetched) out.fetched.push(name);
        if (r.overBudget) out.overBudget.push(name);
        const p = r.preview;
        if (!p) return;
        out.projects.push(p);
        out[p.change]++;
        out.downloadFiles += p.download.length;
        out.downloadBytes += p.downloadBytes;
        out.deleteFiles += p.delete.length;
        out.freeBytes += p.freeBytes;
      } catch (err) {
        out.failed.push({ name, error: errorMessage(err) });
      }
    });
  }
  await queue.onIdle();
  readahead?.stop();
  out.projects.sort((a, b) => a.name.localeCompare(b.name));
  out.overBudget.sort();
  out.fetched.sort();
  out.failed.sort((a, b) => a.name.localeCompare(b.name));
  return out;
}
