/** A dependency graph as a closure lookup, for the closure's unit tests. */
import { expect } from 'vitest';
import type { ProjectMeta } from '../../../src/model.js';
import { withClosure } from '../../../src/planner/dependencies/apply.js';
import { resolveClosure, type ClosureLookup } from '../../../src/planner/dependencies/resolve.js';
import type { Closure } from '../../../src/planner/dependencies/types.js';
import type { CompiledFilters } from '../../../src/planner/filters/compiled.js';
import type { FilterSettings } from '../../../src/planner/filters/settings.js';
import { targetEnvironments } from '../../../src/planner/filters/target-environments.js';
import { filters, keptVersions, project, release } from './fixtures.js';

/** Project → version → Requires-Dist; every release has one pure wheel. */
export type Graph = Record<string, Record<string, string[]>>;

export function catalog(graph: Graph): { metas: Map<string, ProjectMeta>; lookup: ClosureLookup; asked: { meta: Set<string>; requires: Set<string> } } {
  const metas = new Map<string, ProjectMeta>();
  for (const [name, versions] of Object.entries(graph)) {
    metas.set(name, project(name, Object.keys(versions).map((v) => release(v, [`${name}-${v}-py3-none-any.whl`]))));
  }
  const asked = { meta: new Set<string>(), requires: new Set<string>() };
  return {
    metas,
    asked,
    lookup: {
      meta: (n) => {
        asked.meta.add(n);
        return metas.get(n) ?? null;
      },
      requires: (n, v) => {
        asked.requires.add(`${n} ${v}`);
        return graph[n]?.[v] ?? [];
      },
    },
  };
}

export function deps(settings: Partial<FilterSettings>): CompiledFilters {
  return filters({ dependencies: true, ...settings });
}

/** The closure with everything loaded (the resolver must ask for nothing more). */
export function resolve(f: CompiledFilters, graph: Graph): Closure {
  const r = resolveClosure(f, targetEnvironments(f), catalog(graph).lookup, { now: Date.now(), key: 'k' });
  expect(r.needMeta).toEqual([]);
  expect(r.needRequires).toEqual([]);
  return r.closure;
}

/** What the mirror keeps of each project of the graph: name → versions, selected projects only. */
export function mirrored(f: CompiledFilters, graph: Graph): Record<string, string[]> {
  const g = withClosure(f, resolve(f, graph));
  const out: Record<string, string[]> = {};
  for (const [name, meta] of catalog(graph).metas) {
    if (!g.allowAll && !g.allowedProjects.has(name)) continue;
    out[name] = keptVersions(g, meta);
  }
  return out;
}
