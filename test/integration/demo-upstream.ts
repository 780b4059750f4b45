/**
 * One demo upstream per test file, and the mirrors its tests make, cleaned up at the end.
 * `use` receives the started upstream before the file's tests run.
 */
import { afterAll, beforeAll } from 'vitest';
import { FakePypi, seedDemo } from '../fake-pypi/index.js';
import { cleanup, makeMirror, type Mirror } from './harness.js';

export function useDemoUpstream(use: (up: FakePypi) => void): (overrides?: Record<string, unknown>) => Promise<Mirror> {
  let up: FakePypi | undefined;
  const mirrors: Mirror[] = [];
  beforeAll(async () => {
    up = await FakePypi.start();
    seedDemo(up);
    use(up);
  });
  afterAll(async () => {
    await up?.close();
    for (const m of mirrors) await cleanup(m);
  });
  return async (overrides = {}) => {
    if (!up) throw new Error('useDemoUpstream: the upstream starts in beforeAll');
    const m = await makeMirror(up.url, overrides);
    mirrors.push(m);
    return m;
  };
}
