import { describe, expect, test } from 'vitest';
import { progressLine } from '../../src/cli/progress.js';

describe('progress line', () => {
  test('counts, bytes, rate and an ETA from the projects done', () => {
    expect(progressLine({ projectsDone: 25, projectsTotal: 100, filesDone: 40, filesTotal: 90, bytes: 10 * 1024 * 1024, elapsedMs: 10_000 }))
      .toBe('projects 25/100  files 40/90  10.0 MiB  1.0 MiB/s  ETA 30s');
  });
  test('no ETA before the first project; zero when done; minutes and hours', () => {
    expect(progressLine({ projectsDone: 0, projectsTotal: 5, filesDone: 0, filesTotal: 0, bytes: 0, elapsedMs: 0 })).toMatch(/ETA \?$/);
    expect(progressLine({ projectsDone: 5, projectsTotal: 5, filesDone: 1, filesTotal: 1, bytes: 10, elapsedMs: 1000 })).toMatch(/ETA 0s$/);
    expect(progressLine({ projectsDone: 1, projectsTotal: 3, filesDone: 0, filesTotal: 0, bytes: 0, elapsedMs: 61_000 })).toMatch(/ETA 2m02s$/);
    expect(progressLine({ projectsDone: 1, projectsTotal: 3, filesDone: 0, filesTotal: 0, bytes: 0, elapsedMs: 3_600_000 })).toMatch(/ETA 2h00m$/);
  });
});
