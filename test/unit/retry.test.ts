import { describe, expect, test } from 'vitest';
import { JubjubError } from '../../src/errors.js';
import { backoffDelay, withRetry, type RetryPolicy } from '../../src/upstream/retry.js';

const policy: RetryPolicy = { retries: 3, baseDelayMs: 1, maxDelayMs: 10 };
const transient = (retryAfter?: number) => new JubjubError('E_HTTP', 'HTTP 503', { transient: true, retryAfter });

describe('backoffDelay', () => {
  test('grows with the attempt, within half to all of the doubled base, capped', () => {
    for (let n = 0; n < 6; n++) {
      const exp = Math.min(10, 2 ** n);
      const d = backoffDelay(policy, n, transient());
      expect(d).toBeGreaterThanOrEqual(exp / 2);
      expect(d).toBeLessThanOrEqual(exp);
    }
  });

  test('honours Retry-After up to four times the cap', () => {
    expect(backoffDelay(policy, 0, transient(0.02))).toBeGreaterThanOrEqual(20);
    expect(backoffDelay(policy, 0, transient(3600))).toBe(40);
  });
});

describe('withRetry', () => {
  test('retries transient failures, then gives up with the last error', async () => {
    let calls = 0;
    const seen: number[] = [];
    await expect(
      withRetry(policy, async () => {
        calls++;
        throw transient();
      }, (_err, n) => seen.push(n)),
    ).rejects.toThrow('HTTP 503');
    expect(calls).toBe(4);
    expect(seen).toEqual([1, 2, 3]);
  });

  test('does not retry a permanent failure', async () => {
    let calls = 0;
    const permanent = new JubjubError('E_HTTP', 'HTTP 404');
    await expect(
      withRetry(policy, async () => {
        calls++;
        throw permanent;
      }, () => undefined),
    ).rejects.toBe(permanent);
    expect(calls).toBe(1);
  });

  test('a stop ends the wait for a retry at once, as E_INTERRUPTED, with no further attempt', async () => {
    const stop = new AbortController();
    let calls = 0;
    const started = Date.now();
    const run = withRetry(
      { retries: 3, baseDelayMs: 60_000, maxDelayMs: 60_000 },
      async () => {
        calls++;
        throw transient();
      },
      () => setTimeout(() => stop.abort(), 20),
      stop.signal,
    );
    await expect(run).rejects.toMatchObject({ code: 'E_INTERRUPTED' });
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(calls).toBe(1);
  });

  test('a stop that came before the failure means no retry either', async () => {
    const stop = new AbortController();
    stop.abort();
    let calls = 0;
    await expect(
      withRetry(policy, async () => {
        calls++;
        throw transient();
      }, () => undefined, stop.signal),
    ).rejects.toMatchObject({ code: 'E_INTERRUPTED' });
    expect(calls).toBe(1);
  });
});
