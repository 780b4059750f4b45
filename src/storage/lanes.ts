/**
 * Runs `fn` over `items`, at most `limit` at once. Deleting thousands of files with one
 * promise each queued them all on libuv's pool ahead of anything else: the root listing,
 * written while a run's deletions go on, waited behind them. A few lanes keep the pool's
 * threads busy and let other work's file operations in between. (p-queue would do it
 * too, at a queue entry and an extra promise per path, on the main thread.)
 */
export async function inLanes<T>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      await fn(items[i] as T, i);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, lane));
}
