/**
 * `dependencies: true`: the allow entries grow to the closure over their Requires-Dist.
 * Pure: the caller supplies what is loaded and gets back what is still needed; it loads
 * that and calls again until nothing is (each call starts over, so the answer depends
 * only on the metadata, never on the order things arrived in).
 */
import type { ProjectMeta } from '../../model.js';
import type { CompiledFilters, ReleaseRules } from '../filters/compiled.js';
import { markerTextMayApply, type TargetEnvironment } from '../filters/markers.js';
import { normalizeName } from '../filters/names.js';
import { parseRequirement } from '../filters/requirement.js';
import { selectFiles } from '../filters/select.js';
import { demandRules, isDeniedProject, pinsOf } from './apply.js';
import type { BadRequirement, Closure, DependencyDemand, UnreachableDependency } from './types.js';

export interface ClosureLookup {
  /** undefined: not loaded yet; null: the upstream has no such project. */
  meta(name: string): ProjectMeta | null | undefined;
  /** One release's Requires-Dist; undefined: not loaded yet. */
  requires(name: string, version: string): readonly string[] | undefined;
}

export interface ClosureProgress {
  closure: Closure;
  /** Projects whose metadata is needed to go on. */
  needMeta: string[];
  /** Releases whose Requires-Dist is needed to go on. */
  needRequires: Array<{ name: string; version: string }>;
  bad: BadRequirement[];
}

interface Walk {
  readonly f: CompiledFilters;
  readonly targets: readonly TargetEnvironment[];
  readonly lookup: ClosureLookup;
  readonly now: number;
  readonly demands: Map<string, DependencyDemand>;
  readonly unreachable: Map<string, UnreachableDependency>;
  readonly queue: string[];
  readonly needMeta: Set<string>;
  readonly needRequires: Map<string, { name: string; version: string }>;
  readonly bad: BadRequirement[];
}

function addAll(list: string[], items: readonly string[]): boolean {
  let grew = false;
  for (const item of items) {
    if (!list.includes(item)) {
      list.push(item);
      grew = true;
    }
  }
  return grew;
}

/** Merges one demand in; true when it asks for more than before (the project is walked again). */
function demand(w: Walk, name: string, specifier: string | null, pins: readonly string[], extras: readonly string[], via: string[]): void {
  let d = w.demands.get(name);
  let grew = false;
  if (!d) {
    d = { specifiers: specifier === null ? null : [], pins: [], extras: [], via };
    w.demands.set(name, d);
    grew = true;
  }
  if (specifier === null) {
    grew ||= d.specifiers !== null;
    d.specifiers = null;
  } else if (d.specifiers !== null) {
    grew = addAll(d.specifiers, [specifier]) || grew;
  }
  grew = addAll(d.pins, pins) || grew;
  grew = addAll(d.extras, extras) || grew;
  if (grew) w.queue.push(name);
}

function keptVersions(w: Walk, name: string, meta: ProjectMeta, rules: ReleaseRules): string[] {
  const f = { ...w.f, releaseRules: new Map([[name, rules]]) };
  const { files } = selectFiles(f, meta, { now: w.now, published: new Set() });
  return [...new Set(files.map((file) => file.version))];
}

function follow(w: Walk, from: string, version: string, text: string, extras: ReadonlySet<string>, via: string[]): void {
  let req;
  try {
    req = parseRequirement(text);
    if (req.marker !== null && !markerTextMayApply(req.marker, w.targets, extras)) return;
  } catch (err) {
    w.bad.push({ project: from, version, requirement: text, error: err instanceof Error ? err.message : String(err) });
    return;
  }
  // A URL requirement names no index release; pip fetches it from the URL.
  if (req.url !== null) return;
  const step = [...via, `${from} ${version}: ${text.trim()}`];
  if (isDeniedProject(w.f, req.name)) {
    if (!w.unreachable.has(req.name)) w.unreachable.set(req.name, { name: req.name, reason: 'denied', via: step });
    return;
  }
  demand(w, req.name, req.specifier === '' ? null : req.specifier, pinsOf(req.specifier), req.extras, step);
}

function visit(w: Walk, name: string): void {
  const d = w.demands.get(name);
  if (!d) return;
  const meta = w.lookup.meta(name);
  if (meta === undefined) {
    w.needMeta.add(name);
    return;
  }
  if (meta === null) {
    if (!w.f.allowedProjects.has(name) && !w.unreachable.has(name)) w.unreachable.set(name, { name, reason: 'missing', via: d.via });
    return;
  }
  const extras = new Set(d.extras);
  for (const version of keptVersions(w, name, meta, demandRules(w.f, name, d))) {
    const texts = w.lookup.requires(name, version);
    if (texts === undefined) {
      w.needRequires.set(`${name}\0${version}`, { name, version });
      continue;
    }
    for (const text of texts) follow(w, name, version, text, extras, d.via);
  }
}

/** One pass over what is loaded. `key` identifies the inputs (see closureKey). */
export function resolveClosure(
  f: CompiledFilters,
  targets: readonly TargetEnvironment[],
  lookup: ClosureLookup,
  opts: { now: number; key: string },
): ClosureProgress {
  const w: Walk = {
    f, targets, lookup, now: opts.now,
    demands: new Map(), unreachable: new Map(), queue: [], needMeta: new Set(), needRequires: new Map(), bad: [],
  };
  // Roots first, in entry order, so that the chains reported are the shortest ones.
  if (!f.allowAll) {
    for (const entry of f.allowEntries) {
      const name = entry.requirement.name;
      if (isDeniedProject(f, name)) continue;
      const spec = entry.requirement.specifier;
      demand(w, name, spec === '' ? null : spec, pinsOf(spec), entry.requirement.extras, [`${entry.source}: ${displayEntry(entry.requirement)}`]);
    }
  }
  for (let i = 0; i < w.queue.length; i++) visit(w, w.queue[i] ?? '');
  const demands: Record<string, DependencyDemand> = {};
  for (const name of [...w.demands.keys()].sort()) {
    const d = w.demands.get(name);
    if (d) demands[name] = { ...d, specifiers: d.specifiers && [...d.specifiers].sort(), pins: [...d.pins].sort(), extras: [...d.extras].sort() };
  }
  return {
    closure: { key: opts.key, demands, unreachable: [...w.unreachable.values()].sort((a, b) => a.name.localeCompare(b.name)) },
    needMeta: [...w.needMeta].sort(),
    needRequires: [...w.needRequires.values()],
    bad: w.bad,
  };
}

function displayEntry(r: { name: string; extras: string[]; specifier: string }): string {
  return `${normalizeName(r.name)}${r.extras.length > 0 ? `[${r.extras.join(',')}]` : ''}${r.specifier}`;
}
