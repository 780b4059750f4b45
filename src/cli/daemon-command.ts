/**
 * `jubjub daemon`: `sync` on the configuration's `schedule`. The configuration is read
 * again before every run, so filter and schedule edits apply without a restart (a broken
 * edit skips that run and keeps the schedule). The lock is held only while a run goes,
 * so `rebuild` and `verify` can run between syncs.
 */
import { loadConfig } from '../config/load.js';
import { JubjubError, LockedError, errorMessage } from '../errors.js';
import { createLogger } from '../log.js';
import { Scheduler } from '../daemon/scheduler.js';
import { requestStop, type SyncContext } from '../sync/context.js';
import { runSync } from '../sync/sync.js';
import type { Args } from './args.js';
import { onStopSignals, openSession } from './session.js';

/** How long a stop waits for downloads in flight before leaving them (the state is crash-safe either way). */
export const STOP_GRACE_MS = 90_000;

export async function daemonCommand(args: Args): Promise<number> {
  const initial = await loadConfig(args.config);
  const log = createLogger(initial.log.level, initial.log.format);
  let active: SyncContext | null = null;

  const scheduler = new Scheduler(initial.schedule, async () => {
    let session;
    try {
      session = await openSession(args.config, 'daemon: sync', log);
    } catch (err) {
      if (err instanceof LockedError) {
        log.warn({ err: errorMessage(err) }, 'mirror is locked by another command: this run is skipped');
        return;
      }
      throw err;
    }
    active = session.ctx;
    try {
      scheduler.reschedule(session.ctx.cfg.schedule);
      await runSync(session.ctx);
    } catch (err) {
      // Stopped before the run began, while its first request waited to be retried.
      if (!(err instanceof JubjubError && err.code === 'E_INTERRUPTED')) throw err;
      log.info({ err: errorMessage(err) }, 'run stopped before it began');
    } finally {
      active = null;
      await session.close();
    }
  }, log);

  const stopped = new Promise<number>((resolve) => {
    onStopSignals((signal) => {
      log.warn({ signal, running: scheduler.running }, 'stopping: no new runs; the run in flight finishes its downloads and saves state');
      if (active) requestStop(active);
      void scheduler.stop(STOP_GRACE_MS).then((result) => {
        log.info({ result }, 'daemon stopped');
        resolve(0);
      });
    });
  });
  scheduler.start({ runNow: true });
  return stopped;
}
