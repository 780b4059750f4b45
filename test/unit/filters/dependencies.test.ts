/** The pure dependency closure (`dependencies: true`): each rule of docs/filters.md. */
import { describe, expect, test } from 'vitest';
import type { ProjectMeta } from '../../../src/model.js';
import { changedDemands, withClosure } from '../../../src/planner/dependencies/apply.js';
import { mergeClosures } from '../../../src/planner/dependencies/merge.js';
import { resolveClosure, type ClosureLookup } from '../../../src/planner/dependencies/resolve.js';
import { isProjectSelected } from '../../../src/planner/filters/project.js';
import { catalog, deps, resolve, type Graph } from './dependency-fixtures.js';
import { keptVersions, project } from './fixtures.js';

const GRAPH: Graph = {
  app: { '1.0': ['lib>=2', 'winonly; sys_platform == "win32"', 'old; python_version < "3.8"', 'fast[speed]>=1; extra == "perf"'] },
  lib: { '1.0': [], '2.0': ['leaf==1.0'], '3.0': ['leaf>=2'] },
  leaf: { '1.0': [], '2.0': [], '3.0': [] },
  winonly: { '1.0': [] },
  old: { '1.0': [] },
  fast: { '1.0': ['turbo; extra == "speed"', 'slow; extra == "other"'] },
  turbo: { '1.0': [] },
  slow: { '1.0': [] },
  unrelated: { '1.0': [] },
};

describe('the closure', () => {
  test('reaches dependencies transitively to a fixed point, with the union of the specifiers', () => {
    const c = resolve(deps({ allow: ['app'], pythonVersions: ['3.11'], platforms: { include: ['linux'], exclude: [] } }), GRAPH);
    expect(Object.keys(c.demands)).toEqual(['app', 'leaf', 'lib']);
    expect(c.demands['lib']?.specifiers).toEqual(['>=2']);
    // lib 2.0 pins leaf 1.0, lib 3.0 asks for >=2: the union of both.
    expect(c.demands['leaf']?.specifiers).toEqual(['==1.0', '>=2']);
    expect(c.demands['leaf']?.pins).toEqual(['==1.0']);
    expect(c.demands['leaf']?.via).toEqual(['filters.allow[0]: app', 'app 1.0: lib>=2', 'lib 2.0: leaf==1.0']);
  });

  test('a dependency whose marker is false for every target is skipped; true for one keeps it', () => {
    const linux = resolve(deps({ allow: ['app'], pythonVersions: ['3.11'], platforms: { include: ['linux'], exclude: [] } }), GRAPH);
    expect(linux.demands['winonly']).toBeUndefined();
    expect(linux.demands['old']).toBeUndefined();
    const wide = resolve(deps({ allow: ['app'], pythonVersions: ['3.7', '3.11'] }), GRAPH);
    expect(wide.demands['winonly']).toBeDefined();
    expect(wide.demands['old']).toBeDefined();
  });

  test('extras: only those the allow entry names, and those a requirement passes on', () => {
    const plain = resolve(deps({ allow: ['app'] }), GRAPH);
    expect(plain.demands['fast']).toBeUndefined();
    const perf = resolve(deps({ allow: ['app[perf]'] }), GRAPH);
    expect(perf.demands['fast']?.extras).toEqual(['speed']);
    expect(perf.demands['turbo']).toBeDefined();
    expect(perf.demands['slow']).toBeUndefined();
  });

  test('deny wins over a dependency and is reported with its chain', () => {
    const c = resolve(deps({ allow: ['app'], deny: ['leaf'] }), GRAPH);
    expect(c.demands['leaf']).toBeUndefined();
    expect(c.unreachable).toEqual([{ name: 'leaf', reason: 'denied', via: ['filters.allow[0]: app', 'app 1.0: lib>=2', 'lib 2.0: leaf==1.0'] }]);
    const byPattern = resolve(deps({ allow: ['app'], denyPatterns: ['^le'] }), GRAPH);
    expect(byPattern.unreachable.map((u) => u.name)).toEqual(['leaf']);
  });

  test('a dependency the upstream lacks is reported as missing', () => {
    const c = resolve(deps({ allow: ['app'] }), { ...GRAPH, leaf: {} as Record<string, string[]>, lib: { '3.0': ['ghost>=1'] } });
    expect(c.unreachable).toContainEqual({ name: 'ghost', reason: 'missing', via: ['filters.allow[0]: app', 'app 1.0: lib>=2', 'lib 3.0: ghost>=1'] });
  });

  test('only kept releases are read: a specifier that excludes a release excludes its requirements', () => {
    const { lookup, asked } = catalog(GRAPH);
    resolveClosure(deps({ allow: ['lib==3.0'] }), [{}], lookup, { now: 0, key: 'k' });
    expect([...asked.requires].sort()).toEqual(['leaf 2.0', 'leaf 3.0', 'lib 3.0']);
  });

  test('asks for what is not loaded, and nothing else', () => {
    const { metas } = catalog(GRAPH);
    const lookup: ClosureLookup = { meta: (n) => (n === 'app' ? metas.get(n) : undefined), requires: (n, v) => GRAPH[n]?.[v] };
    const r = resolveClosure(deps({ allow: ['app'] }), [{}], lookup, { now: 0, key: 'k' });
    expect(r.needMeta.sort()).toEqual(['lib', 'old', 'winonly']);
    expect(r.needRequires).toEqual([]);
  });

  test('cycles end; a self-reference with extras widens the extras', () => {
    const c = resolve(deps({ allow: ['a'] }), { a: { '1': ['b', 'a[x]'] }, b: { '1': ['a'] }, c: { '1': [] }, d: { '1': [] } });
    expect(Object.keys(c.demands)).toEqual(['a', 'b']);
    expect(c.demands['a']?.extras).toEqual(['x']);
  });

  test('URL requirements and unreadable ones are skipped; the walk goes on', () => {
    const r = resolveClosure(deps({ allow: ['a'] }), [], catalog({ a: { '1': ['x @ https://example/x.whl', 'b[', 'c'] }, c: { '1': [] } }).lookup, { now: 0, key: 'k' });
    expect(Object.keys(r.closure.demands)).toEqual(['a', 'c']);
    expect(r.bad.map((b) => b.requirement)).toEqual(['b[']);
  });

  test('with every project allowed there is nothing to grow', () => {
    expect(resolve(deps({}), GRAPH).demands).toEqual({});
  });
});

describe('the closure as filters', () => {
  test('dependencies are selected with the releases demanded; == demands are pins that outlive latest', () => {
    const f = deps({ allow: ['app'], latest: 1 });
    const c = resolve(f, GRAPH);
    const g = withClosure(f, c);
    expect(isProjectSelected(g, 'lib')).toBe(true);
    expect(isProjectSelected(g, 'unrelated')).toBe(false);
    const { metas } = catalog(GRAPH);
    expect(keptVersions(g, metas.get('lib') as ProjectMeta)).toEqual(['3.0']);
    // latest: 1 keeps lib 3.0 only, so lib 2.0's pin of leaf 1.0 is never read.
    expect(keptVersions(g, metas.get('leaf') as ProjectMeta)).toEqual(['3.0']);
  });

  test('a pinned dependency release survives latest', () => {
    const f = deps({ allow: ['app'], latest: 2 });
    const g = withClosure(f, resolve(f, { app: { '1': ['leaf==1.0'] }, leaf: { '1.0': [], '2.0': [], '3.0': [] } }));
    expect(keptVersions(g, project('leaf', ['1.0', '2.0', '3.0']))).toEqual(['1.0']);
    const h = withClosure(f, resolve(f, { app: { '1': ['leaf==1.0', 'leaf2'] }, leaf: { '1.0': [], '2.0': [], '3.0': [] }, leaf2: { '1': ['leaf'] } }));
    expect(keptVersions(h, project('leaf', ['1.0', '2.0', '3.0']))).toEqual(['1.0', '2.0', '3.0']);
  });

  test('deny rules with a specifier still drop dependency releases', () => {
    const f = deps({ allow: ['app'], deny: ['leaf==2.0'] });
    const g = withClosure(f, resolve(f, GRAPH));
    expect(keptVersions(g, project('leaf', ['1.0', '2.0', '3.0']))).toEqual(['1.0', '3.0']);
  });

  test('changedDemands names what was added, dropped or changed', () => {
    const f = deps({ allow: ['app'] });
    const before = resolve(f, GRAPH);
    const after = resolve(f, { ...GRAPH, app: { '1.0': ['lib>=3', 'turbo'] } });
    expect(changedDemands(before, after)).toEqual(['leaf', 'lib', 'old', 'turbo', 'winonly']);
    expect(changedDemands(after, after)).toEqual([]);
  });

  test('merging with the previous closure never drops a project', () => {
    const f = deps({ allow: ['app'] });
    const before = resolve(f, GRAPH);
    const partial = resolve(f, { app: { '1.0': [] } });
    const merged = mergeClosures(partial, before);
    expect(Object.keys(merged.demands)).toEqual(Object.keys(before.demands));
  });
});
