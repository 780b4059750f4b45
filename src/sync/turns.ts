/**
 * A loop over projects whose work is all synchronous (a rebuild reads, plans and writes
 * without touching the network) never lets the event loop run: promises chain through
 * microtasks only. SIGTERM then waited for the whole loop (5.7 s into a 5,000-project
 * rebuild; its whole length at PyPI scale), and no I/O callback ran either. Such loops
 * ask here between projects, and get a turn of the event loop at most every half
 * millisecond: a turn costs tens of microseconds, and every 2 ms was too rare for the
 * readahead (`src/state/readahead.ts`) to keep ahead of a rebuild.
 */
const TURN_MS = 0.5;

export function eventLoopTurns(): () => Promise<void> | null {
  let last = performance.now();
  return () => {
    const now = performance.now();
    if (now - last < TURN_MS) return null; // null, not a promise: no microtask when not turning
    last = now;
    return new Promise((resolve) => setImmediate(resolve));
  };
}
