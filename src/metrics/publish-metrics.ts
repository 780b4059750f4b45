/** Writes `metrics.textfile` after a run. A failure here is logged, never fails the run. */
import { errorMessage } from '../errors.js';
import { buildStatus } from '../state/status.js';
import type { SyncContext } from '../sync/context.js';
import { renderMirrorMetrics } from './mirror-metrics.js';

export async function publishMetrics(ctx: SyncContext): Promise<void> {
  const file = ctx.cfg.metrics.textfile;
  if (file === null) return;
  try {
    await ctx.storage.writeOutside(file, renderMirrorMetrics(await buildStatus(ctx.state, ctx.rootIndex)));
  } catch (err) {
    ctx.log.warn({ file, err: errorMessage(err) }, 'metrics textfile not written');
  }
}
