/** `jubjub sync [--project NAME...]` under the mirror's lock, with graceful SIGTERM. */
import { loadConfig } from '../config/load.js';
import { MirrorLock } from '../lock.js';
import { createLogger } from '../log.js';
import { createContext } from '../sync/context.js';
import { runSync } from '../sync/sync.js';
import type { Args } from './args.js';

export async function syncCommand(args: Args): Promise<number> {
  const cfg = await loadConfig(args.config);
  const log = createLogger(cfg.log.level, cfg.log.format);
  const ctx = await createContext(cfg, log);
  await ctx.storage.ensureDirs();
  const lock = new MirrorLock(ctx.storage);
  await lock.acquire(args.projects ? `sync --project ${args.projects.join(' ')}` : 'sync');
  let signals = 0;
  const onSignal = (signal: string) => {
    signals++;
    if (signals > 1) process.exit(130);
    ctx.stopping.requested = true;
    log.warn({ signal }, 'stopping: finishing projects in flight, then saving state');
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  try {
    const result = await runSync(ctx, args.projects ? { projects: args.projects } : {});
    if (result.interrupted) return 0;
    const missing = args.projects ? result.missing.length : 0;
    return result.summary.failed > 0 || missing > 0 ? 1 : 0;
  } finally {
    process.off('SIGTERM', onSignal);
    process.off('SIGINT', onSignal);
    ctx.http.close();
    await lock.release();
  }
}
