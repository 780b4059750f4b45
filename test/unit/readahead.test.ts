import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { Readahead } from '../../src/state/readahead.js';
import { eventLoopTurns } from '../../src/sync/turns.js';

let dir: string;
const FILES = 3_000;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'jubjub-readahead-'));
  // Every third path is missing, and one file is larger than a single read.
  await Promise.all(Array.from({ length: FILES }, (_, i) => (i % 3 === 2 ? null : writeFile(path.join(dir, `f${i}`), i === 0 ? Buffer.alloc(200_000) : `file ${i}`))));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Waits until `seen` stops growing. */
async function settled(seen: number[]): Promise<number[]> {
  for (let last = -1; last !== seen.length; ) {
    last = seen.length;
    await sleep(30);
  }
  return seen;
}

describe('Readahead', () => {
  test('reads in order, at most its window ahead of the consumer, and past missing files', async () => {
    const seen: number[] = [];
    const ahead = new Readahead(FILES, (i) => (seen.push(i), path.join(dir, `f${i}`)), 2);
    await settled(seen);
    expect(seen).toEqual(Array.from({ length: 1024 }, (_, i) => i));
    ahead.advance(500); // item 500 is path 1000
    await settled(seen);
    expect(seen.length).toBe(1000 + 1024);
    expect(seen.at(-1)).toBe(2023);
    ahead.advance(5_000);
    await settled(seen);
    expect(seen.length).toBe(FILES);
  });

  test('stop ends it', async () => {
    const seen: number[] = [];
    const ahead = new Readahead(FILES, (i) => (seen.push(i), path.join(dir, `f${i}`)));
    ahead.stop();
    ahead.advance(2_000);
    await settled(seen);
    expect(seen.length).toBeLessThanOrEqual(16);
  });
});

describe('eventLoopTurns', () => {
  test('a synchronous loop that asks between items lets timers and I/O callbacks run', async () => {
    let fired = 0;
    const timer = setInterval(() => fired++, 1);
    const turn = eventLoopTurns();
    const until = performance.now() + 60;
    while (performance.now() < until) await turn();
    clearInterval(timer);
    expect(fired).toBeGreaterThan(3);
  });

  test('it does not turn on every call', async () => {
    const turn = eventLoopTurns();
    let turns = 0;
    for (let i = 0; i < 1_000; i++) {
      const t = turn();
      if (t) {
        turns++;
        await t;
      }
    }
    expect(turns).toBeLessThan(50);
  });
});
