/** One backoff policy for everything that talks to the upstream. */
import { setTimeout as sleep } from 'node:timers/promises';
import { JubjubError } from '../errors.js';

export interface RetryPolicy {
  retries: number;
  /** First delay; doubles each attempt, with jitter, up to `maxDelayMs`. */
  baseDelayMs: number;
  maxDelayMs: number;
}

/** Tests and benchmarks shrink the base so fault-injection runs stay fast. */
export function defaultBaseDelayMs(): number {
  const env = Number(process.env.JUBJUB_BACKOFF_BASE_MS);
  return Number.isFinite(env) && env >= 0 && process.env.JUBJUB_BACKOFF_BASE_MS !== '' ? env : 1000;
}

export function isTransient(err: unknown): boolean {
  return err instanceof JubjubError && err.transient;
}

/** Full-jitter exponential backoff, but never shorter than a Retry-After the server sent. */
export function backoffDelay(policy: RetryPolicy, attempt: number, err: unknown): number {
  const exp = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** attempt);
  const jittered = exp / 2 + Math.random() * (exp / 2);
  const after = err instanceof JubjubError && err.retryAfter !== undefined ? err.retryAfter * 1000 : 0;
  return Math.max(jittered, Math.min(after, policy.maxDelayMs * 4));
}

/**
 * Runs `attempt` until it succeeds, fails with a permanent error, or has been retried
 * `policy.retries` times. `onRetry` sees each transient failure (for counting and logs).
 * `stop` ends a wait for the next attempt at once, as `E_INTERRUPTED`: a Retry-After can
 * ask for minutes, and a stopping run must neither sit them out nor ask again after.
 */
export async function withRetry<T>(
  policy: RetryPolicy,
  attempt: (n: number) => Promise<T>,
  onRetry: (err: unknown, n: number, delayMs: number) => void,
  stop?: AbortSignal,
): Promise<T> {
  for (let n = 0; ; n++) {
    try {
      return await attempt(n);
    } catch (err) {
      if (!isTransient(err) || n >= policy.retries) throw err;
      const delay = backoffDelay(policy, n, err);
      onRetry(err, n + 1, delay);
      try {
        // Rejects at once, too, if the stop came before the failure.
        await sleep(delay, undefined, { signal: stop });
      } catch {
        throw new JubjubError('E_INTERRUPTED', `stopped while waiting to retry: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
  }
}
