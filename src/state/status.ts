/** The mirror's status from its state alone: what `status` prints and the metrics export. */
import type { RootIndex } from '../publish/root-index.js';
import type { StateStore } from './store.js';
import type { MirrorState, RunPlan } from './types.js';

export interface StatusReport {
  serial: number | null;
  upstreamSerial: number | null;
  lag: number | null;
  lastRun: MirrorState['lastRun'];
  lastSuccessAt: string | null;
  projects: number;
  files: number;
  bytes: number;
  failed: MirrorState['failed'];
  overBudget: string[];
  /** With `min_age`: projects holding files back, and when the first comes of age. */
  quarantine: Array<{ name: string; releasedAt: string }>;
  /**
   * With `dependencies: true`: dependencies the mirror cannot hold (a deny rule removes
   * them, or the upstream lacks them), so the allowlist cannot be installed in full.
   */
  unsatisfied: Array<{ name: string; reason: 'denied' | 'missing'; via: string[] }>;
  /** A run that was interrupted and will resume, if any. */
  unfinishedRun: { command: RunPlan['command']; startedAt: string; projects: number; done: number } | null;
}

export async function buildStatus(state: StateStore, rootIndex: RootIndex): Promise<StatusReport> {
  const mirror = await state.mirror();
  const { projects, files, bytes } = await rootIndex.totals();
  const run = await state.run();
  return {
    serial: mirror.serial,
    upstreamSerial: mirror.upstreamSerial,
    lag: mirror.serial !== null && mirror.upstreamSerial !== null ? Math.max(0, mirror.upstreamSerial - mirror.serial) : null,
    lastRun: mirror.lastRun,
    lastSuccessAt: mirror.lastSuccessAt,
    projects,
    files,
    bytes,
    failed: mirror.failed,
    overBudget: Object.keys(mirror.overBudget).sort(),
    quarantine: Object.entries(mirror.quarantine ?? {})
      .map(([name, releasedAt]) => ({ name, releasedAt }))
      .sort((a, b) => a.releasedAt.localeCompare(b.releasedAt) || a.name.localeCompare(b.name)),
    unsatisfied: mirror.closure?.unreachable ?? [],
    unfinishedRun: run
      ? { command: run.plan.command, startedAt: run.plan.startedAt, projects: Object.keys(run.plan.projects).length, done: run.done.size }
      : null,
  };
}
