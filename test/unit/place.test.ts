import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import type { Storage } from '../../src/storage/storage.js';
import { useTempStorage } from './temp-storage.js';

let dir = '';
let storage: Storage;
useTempStorage((d, s) => {
  dir = d;
  storage = s;
});

describe('Storage.writeFile renames on the pool', () => {
  // Without the per-name ordering, 3 of 20 such rounds ended with an older version.
  test('writes to one name land in the order they were asked for', async () => {
    for (let round = 0; round < 20; round++) {
      await Promise.all(Array.from({ length: 100 }, (_, i) => storage.writeFile('root', 'simple/p/index.html', `${round}:${i}`, { links: ['simple/p/index.v1_html'] })));
      expect(await readFile(path.join(dir, 'web/simple/p/index.html'), 'utf8')).toBe(`${round}:99`);
      expect(await readFile(path.join(dir, 'web/simple/p/index.v1_html'), 'utf8')).toBe(`${round}:99`);
    }
  });

  test('a folder removed behind its back is made again', async () => {
    await storage.writeFile('root', 'simple/q/index.html', 'one');
    await storage.removeAll('root', ['simple/q/index.html']);
    await storage.writeFile('root', 'simple/q/index.html', 'two');
    expect(await readFile(path.join(dir, 'web/simple/q/index.html'), 'utf8')).toBe('two');
  });
});
