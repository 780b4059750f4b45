/**
 * Union of two closures. When part of the metadata could not be fetched, the new closure
 * is merged with the previous one: a transient upstream failure must never make the
 * mirror delete the dependencies it could not re-check.
 */
import type { Closure, DependencyDemand } from './types.js';

function union(a: readonly string[], b: readonly string[]): string[] {
  return [...new Set([...a, ...b])].sort();
}

function mergeDemand(a: DependencyDemand, b: DependencyDemand): DependencyDemand {
  return {
    specifiers: a.specifiers === null || b.specifiers === null ? null : union(a.specifiers, b.specifiers),
    pins: union(a.pins, b.pins),
    extras: union(a.extras, b.extras),
    via: a.via,
  };
}

export function mergeClosures(next: Closure, previous: Closure): Closure {
  const demands: Record<string, DependencyDemand> = { ...next.demands };
  for (const [name, d] of Object.entries(previous.demands)) {
    const mine = demands[name];
    demands[name] = mine ? mergeDemand(mine, d) : d;
  }
  const sorted: Record<string, DependencyDemand> = {};
  for (const name of Object.keys(demands).sort()) sorted[name] = demands[name] as DependencyDemand;
  return { key: next.key, demands: sorted, unreachable: next.unreachable };
}
