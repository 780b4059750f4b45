/**
 * Runs a job on a cron schedule, one run at a time: a tick that comes while a run is
 * still going is skipped (and logged), never queued, so a slow run cannot pile up work.
 * A failing run is logged and the schedule goes on.
 */
import { CronJob, CronTime } from 'cron';
import type { Logger } from 'pino';
import { errorCode, errorMessage } from '../errors.js';

export type StopResult = 'idle' | 'finished' | 'abandoned';

export class Scheduler {
  private readonly job: CronJob;
  private current: Promise<void> | null = null;
  private stopped = false;
  private expression: string;

  constructor(
    schedule: string,
    private readonly run: () => Promise<void>,
    private readonly log: Logger,
  ) {
    this.expression = schedule;
    this.job = CronJob.from({ cronTime: schedule, onTick: () => this.tick('schedule'), start: false });
  }

  start(opts: { runNow: boolean }): void {
    this.job.start();
    this.log.info({ schedule: this.expression, next: this.job.nextDate().toISO() }, 'daemon started');
    if (opts.runNow) this.tick('start');
  }

  /** Takes a changed `schedule` from a reloaded configuration. */
  reschedule(schedule: string): void {
    if (schedule === this.expression || this.stopped) return;
    this.job.setTime(new CronTime(schedule));
    this.expression = schedule;
    this.log.info({ schedule, next: this.job.nextDate().toISO() }, 'schedule changed');
  }

  get running(): boolean {
    return this.current !== null;
  }

  private tick(reason: 'schedule' | 'start'): void {
    if (this.stopped) return;
    if (this.current) {
      this.log.warn({ reason }, 'previous run still going: this run is skipped');
      return;
    }
    this.current = this.run()
      .catch((err: unknown) => {
        this.log.error({ code: errorCode(err), err: errorMessage(err) }, 'run failed; the daemon goes on');
      })
      .finally(() => {
        this.current = null;
        if (!this.stopped) this.log.info({ next: this.job.nextDate().toISO() }, 'waiting for the next run');
      });
  }

  /** No new runs; waits up to `graceMs` for the one in flight. */
  async stop(graceMs: number): Promise<StopResult> {
    this.stopped = true;
    await this.job.stop();
    const current = this.current;
    if (!current) return 'idle';
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'abandoned'>((resolve) => {
      timer = setTimeout(() => resolve('abandoned'), graceMs);
    });
    const result = await Promise.race([current.then(() => 'finished' as const), timeout]);
    clearTimeout(timer);
    return result;
  }
}
