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
import { parseRequirement, type Requirement } from '../filters/requirement.js';
import { selectFiles } from '../filters/select.js';
import { demandRules, isDeniedProject, pinsOf } from './apply.js';
import type { BadRequirement, Closure, DependencyDemand, UnreachableDependency } from './types.js';

export interface ClosureLookup {
  /** undefined: not loaded yet; null: the upstream has no such project. */
  meta(name: string): ProjectMeta | null | undefined;
  /** One release's Requires-Dist; undefined: not loaded yet. */
  requires(name: string, version: string): readonly string[] | undefined;
}

/** Caches a caller may keep across passes (they depend only on the filters' targets). */
export interface ClosureMemo {
  parsed: Map<string, Requirement | Error>;
  verdicts: Map<string, boolean>;
}

export function closureMemo(): ClosureMemo {
  return { parsed: new Map(), verdicts: new Map() };
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
  /** Parsed requirement texts: the same few thousand strings are met again on every re-walk. */
  readonly parsed: Map<string, Requirement | Error>;
  /** Marker verdicts by marker text and the extras in force. */
  readonly verdicts: Map<string, boolean>;
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
function demand(w: Walk, name: string, specifier: string | null, pins: readonly string[], extras: readonly string[], via: () => string[]): void {
  let d = w.demands.get(name);
  let grew = false;
  if (!d) {
    d = { specifiers: specifier === null ? null : [], pins: [], extras: [], via: via() };
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

function parsed(w: Walk, text: string): Requirement | Error {
  let req = w.parsed.get(text);
  if (req === undefined) {
    try {
      req = parseRequirement(text);
    } catch (err) {
      req = err instanceof Error ? err : new Error(String(err));
    }
    w.parsed.set(text, req);
  }
  return req;
}

function mayApply(w: Walk, marker: string, extras: ReadonlySet<string>, extrasKey: string): boolean | Error {
  const key = `${extrasKey}\0${marker}`;
  let verdict = w.verdicts.get(key);
  if (verdict === undefined) {
    try {
      verdict = markerTextMayApply(marker, w.targets, extras);
    } catch (err) {
      return err instanceof Error ? err : new Error(String(err));
    }
    w.verdicts.set(key, verdict);
  }
  return verdict;
}

function follow(w: Walk, from: string, version: string, text: string, extras: ReadonlySet<string>, extrasKey: string, via: string[]): void {
  const req = parsed(w, text);
  const applies = req instanceof Error ? req : req.marker === null || mayApply(w, req.marker, extras, extrasKey);
  if (applies instanceof Error) {
    w.bad.push({ project: from, version, requirement: text, error: applies.message });
    return;
  }
  // A URL requirement names no index release; pip fetches it from the URL.
  if (!applies || (req as Requirement).url !== null) return;
  const r = req as Requirement;
  const step = () => [...via, `${from} ${version}: ${text.trim()}`];
  if (isDeniedProject(w.f, r.name)) {
    if (!w.unreachable.has(r.name)) w.unreachable.set(r.name, { name: r.name, reason: 'denied', via: step() });
    return;
  }
  demand(w, r.name, r.specifier === '' ? null : r.specifier, pinsOf(r.specifier), r.extras, step);
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
  const extrasKey = d.extras.join(',');
  for (const version of keptVersions(w, name, meta, demandRules(w.f, name, d))) {
    const texts = w.lookup.requires(name, version);
    if (texts === undefined) {
      w.needRequires.set(`${name}\0${version}`, { name, version });
      continue;
    }
    for (const text of texts) follow(w, name, version, text, extras, extrasKey, d.via);
  }
}

/** One pass over what is loaded. `key` identifies the inputs (see closureKey). */
export function resolveClosure(
  f: CompiledFilters,
  targets: readonly TargetEnvironment[],
  lookup: ClosureLookup,
  opts: { now: number; key: string; memo?: ClosureMemo },
): ClosureProgress {
  const memo = opts.memo ?? closureMemo();
  const w: Walk = {
    f, targets, lookup, now: opts.now,
    demands: new Map(), unreachable: new Map(), queue: [], needMeta: new Set(), needRequires: new Map(), bad: [], parsed: memo.parsed, verdicts: memo.verdicts,
  };
  // Roots first, in entry order, so that the chains reported are the shortest ones.
  if (!f.allowAll) {
    for (const entry of f.allowEntries) {
      const name = entry.requirement.name;
      if (isDeniedProject(f, name)) continue;
      const spec = entry.requirement.specifier;
      demand(w, name, spec === '' ? null : spec, pinsOf(spec), entry.requirement.extras, () => [`${entry.source}: ${displayEntry(entry.requirement)}`]);
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
