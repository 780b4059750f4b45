/**
 * What every command that changes the mirror shares: configuration, logger, context, the
 * mirror's lock, the metrics textfile afterwards, and graceful SIGTERM/SIGINT (stop
 * starting work, finish what is in flight, save state; a second signal exits at once).
 */
import type { Logger } from 'pino';
import { loadConfig } from '../config/load.js';
import { MirrorLock } from '../lock.js';
import { createLogger } from '../log.js';
import { publishMetrics } from '../metrics/publish-metrics.js';
import { createContext, requestStop, type SyncContext } from '../sync/context.js';
import type { Args } from './args.js';

export interface Session {
  ctx: SyncContext;
  /** Writes the metrics textfile, closes connections and releases the lock. */
  close(): Promise<void>;
}

/** Loads the configuration afresh and takes the lock; throws LockedError if it is held. */
export async function openSession(configPath: string, command: string, logger?: Logger): Promise<Session> {
  const cfg = await loadConfig(configPath);
  const log = logger ?? createLogger(cfg.log.level, cfg.log.format);
  const ctx = await createContext(cfg, log);
  await ctx.storage.ensureDirs();
  const lock = new MirrorLock(ctx.storage);
  await lock.acquire(command);
  return {
    ctx,
    async close() {
      try {
        await publishMetrics(ctx);
      } finally {
        ctx.http.close();
        await ctx.files.close();
        await ctx.rootIndex.close();
        ctx.storage.close();
        await lock.release();
      }
    },
  };
}

/** Calls `onFirst` on the first SIGTERM/SIGINT; a second one exits at once (as safe as a crash). Returns the uninstaller. */
export function onStopSignals(onFirst: (signal: string) => void): () => void {
  let signals = 0;
  const handler = (signal: string) => {
    signals++;
    if (signals > 1) process.exit(130);
    onFirst(signal);
  };
  process.on('SIGTERM', handler);
  process.on('SIGINT', handler);
  return () => {
    process.off('SIGTERM', handler);
    process.off('SIGINT', handler);
  };
}

export async function withMirror<T>(args: Args, command: string, work: (ctx: SyncContext) => Promise<T>): Promise<T> {
  const session = await openSession(args.config, command);
  const { ctx } = session;
  const uninstall = onStopSignals((signal) => {
    requestStop(ctx);
    ctx.log.warn({ signal, command }, 'stopping: finishing work in flight, then saving state');
  });
  try {
    return await work(ctx);
  } finally {
    uninstall();
    await session.close();
  }
}
