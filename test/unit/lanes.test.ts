import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, test } from 'vitest';
import { inLanes } from '../../src/storage/lanes.js';

describe('inLanes', () => {
  test('runs every item, never more than the limit at once, starting them in order', async () => {
    let running = 0;
    let most = 0;
    const started: number[] = [];
    await inLanes(Array.from({ length: 50 }, (_, i) => i), 4, async (item, i) => {
      expect(item).toBe(i);
      started.push(i);
      running++;
      most = Math.max(most, running);
      await sleep(i % 3);
      running--;
    });
    expect(started).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(most).toBe(4);
  });

  test('fewer items than lanes, and none', async () => {
    const seen: string[] = [];
    await inLanes(['a', 'b'], 32, async (x) => {
      seen.push(x);
    });
    expect(seen.sort()).toEqual(['a', 'b']);
    await expect(inLanes([], 32, async () => undefined)).resolves.toBeUndefined();
  });

  test('a failure rejects the whole', async () => {
    await expect(
      inLanes([1, 2, 3], 2, async (x) => {
        if (x === 2) throw new Error('no');
      }),
    ).rejects.toThrow('no');
  });
});
