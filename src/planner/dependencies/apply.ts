/**
 * The closure turned into filters: every project it reached is allowed, with the union
 * of what was demanded of it as its release rules. Everything else about the filters
 * (deny rules, platforms, sizes, `latest`, ...) applies to dependencies unchanged.
 */
import type { CompiledFilters, ReleaseRules } from '../filters/compiled.js';
import { parseVersion, type Version } from '../filters/pep440.js';
import { NO_RELEASE_RULES } from '../filters/release-rules.js';
import type { Clause } from '../filters/specifier.js';
import { compiledSpecifier } from '../filters/versions.js';
import type { Closure, DependencyDemand } from './types.js';

/** Removed whole by a bare deny entry or a deny pattern: not even a dependency gets in. */
export function isDeniedProject(f: CompiledFilters, name: string): boolean {
  return f.deniedProjects.has(name) || f.denyPatterns.some((re) => re.test(name));
}

/** `==X` (not `==X.*`) and `===X` clauses of a canonical specifier, as written: what pins a release. */
export function pinsOf(specifier: string): string[] {
  if (specifier === '') return [];
  return compiledSpecifier(specifier)
    .filter((c) => c.op === '===' || (c.op === '==' && !c.wildcard))
    .map((c) => `${c.op}${c.text}`);
}

/** The release rules of one project: its deny rules, and the union of every demand on it. */
export function demandRules(f: CompiledFilters, name: string, d: DependencyDemand): ReleaseRules {
  const base = f.releaseRules.get(name) ?? NO_RELEASE_RULES;
  const pins: Version[] = [];
  const arbitraryPins: string[] = [];
  for (const pin of d.pins) {
    if (pin.startsWith('===')) arbitraryPins.push(pin.slice(3).toLowerCase());
    else {
      const v = parseVersion(pin.slice(2));
      if (v !== null) pins.push(v);
    }
  }
  const allow: Clause[][] | null = d.specifiers === null ? null : d.specifiers.map((s) => compiledSpecifier(s));
  return { allow, deny: base.deny, pins, arbitraryPins };
}

/** The filters a run with `dependencies: true` plans with. */
export function withClosure(f: CompiledFilters, closure: Closure): CompiledFilters {
  const names = Object.keys(closure.demands);
  if (f.allowAll || names.length === 0) return f;
  const releaseRules = new Map(f.releaseRules);
  const allowedProjects = new Set(f.allowedProjects);
  for (const name of names) {
    const d = closure.demands[name];
    if (!d || isDeniedProject(f, name)) continue;
    allowedProjects.add(name);
    releaseRules.set(name, demandRules(f, name, d));
  }
  return { ...f, allowedProjects, releaseRules };
}

function demandText(c: Closure | null, name: string): string {
  const d = c?.demands[name];
  return d ? JSON.stringify([d.specifiers, d.pins, d.extras]) : '';
}

/** Projects whose demand the new closure changed (added, dropped or different): a run re-plans them. */
export function changedDemands(previous: Closure | null, next: Closure): string[] {
  const names = new Set([...Object.keys(previous?.demands ?? {}), ...Object.keys(next.demands)]);
  return [...names].filter((n) => demandText(previous, n) !== demandText(next, n)).sort();
}
