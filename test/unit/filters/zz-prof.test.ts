import { test } from 'vitest';
import { selectFiles } from '../../../src/planner/filters/select.js';
import { rankRelease, compareRanked } from '../../../src/planner/filters/versions.js';
import { filters, project, release } from './fixtures.js';
test('prof', () => {
  const metas = Array.from({ length: 5000 }, (_, i) => project(`p${i}`, Array.from({ length: 50 }, (_, j) => release(`0.${j}${j % 7 === 0 ? 'rc1' : ''}`, [`p-0.${j}.tar.gz`, `p-0.${j}-cp311-cp311-manylinux_2_17_x86_64.whl`]))));
  const g = filters();
  for (let k = 0; k < 3; k++) {
  let t = performance.now();
  for (const meta of metas) selectFiles(g, meta);
  console.log('select-nofilters', performance.now() - t);
  t = performance.now();
  for (const meta of metas) meta.releases.map(rankRelease).sort(compareRanked);
  console.log('rank+sort', performance.now() - t);
  t = performance.now();
  for (const meta of metas) for (const r of meta.releases) for (const f of r.files) ({ ...f, version: r.version });
  console.log('spread', performance.now() - t);
  }
});
