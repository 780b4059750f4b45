/** A fresh `Storage` over a temporary root and state folder for each test. */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach } from 'vitest';
import { Storage } from '../../src/storage/storage.js';

/** Registers the hooks; `use` receives each test's folder and storage before it runs. */
export function useTempStorage(use: (dir: string, storage: Storage) => void): void {
  let dir = '';
  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'jubjub-storage-'));
    const storage = new Storage(path.join(dir, 'web'), path.join(dir, 'state'));
    await storage.ensureDirs();
    use(dir, storage);
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });
}
