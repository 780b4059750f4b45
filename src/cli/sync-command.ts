/** `jubjub sync [--project NAME...]`. */
import { runSync } from '../sync/sync.js';
import type { Args } from './args.js';
import { showProgress } from './progress.js';
import { withMirror } from './session.js';

export function syncCommand(args: Args): Promise<number> {
  const label = args.projects ? `sync --project ${args.projects.join(' ')}` : 'sync';
  return withMirror(args, label, async (ctx) => {
    const hide = showProgress(ctx);
    const result = await runSync(ctx, args.projects ? { projects: args.projects } : {}).finally(hide);
    if (result.interrupted) return 0;
    const missing = args.projects ? result.missing.length : 0;
    return result.summary.failed > 0 || missing > 0 ? 1 : 0;
  });
}
