/**
 * What every command that changes the mirror shares: configuration, logger, context,
 * the mirror's lock, and graceful SIGTERM/SIGINT (stop starting work, finish what is in
 * flight, save state; a second signal exits at once).
 */
import { loadConfig } from '../config/load.js';
import { MirrorLock } from '../lock.js';
import { createLogger } from '../log.js';
import { createContext, type SyncContext } from '../sync/context.js';
import type { Args } from './args.js';

export async function withMirror<T>(args: Args, command: string, work: (ctx: SyncContext) => Promise<T>): Promise<T> {
  const cfg = await loadConfig(args.config);
  const log = createLogger(cfg.log.level, cfg.log.format);
  const ctx = await createContext(cfg, log);
  await ctx.storage.ensureDirs();
  const lock = new MirrorLock(ctx.storage);
  await lock.acquire(command);
  let signals = 0;
  const onSignal = (signal: string) => {
    signals++;
    if (signals > 1) process.exit(130);
    ctx.stopping.requested = true;
    log.warn({ signal, command }, 'stopping: finishing work in flight, then saving state');
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  try {
    return await work(ctx);
  } finally {
    process.off('SIGTERM', onSignal);
    process.off('SIGINT', onSignal);
    ctx.http.close();
    await lock.release();
  }
}
