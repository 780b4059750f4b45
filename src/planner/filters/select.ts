/**
 * Steps 2 to 4 of filters.md for one project already selected by step 1: which files
 * the mirror holds. Pure and deterministic: the same metadata and filters give the
 * same files in the same order (releases lowest first, files by name).
 */
import type { ProjectMeta, Selection, SelectedFile, UpstreamFile } from '../../model.js';
import type { CompiledFilters, ReleaseRules } from './compiled.js';
import { keepFile } from './file-filter.js';
import { cooldown, type CooldownContext } from './min-age.js';
import { normalizeName } from './names.js';
import { isPinned, NO_RELEASE_RULES } from './release-rules.js';
import { specifierMatches } from './specifier.js';
import { compareRanked, rankRelease, type RankedRelease } from './versions.js';

interface Candidate {
  readonly ranked: RankedRelease;
  readonly files: UpstreamFile[];
  readonly pinned: boolean;
  readonly size: number;
}

/** Step 3 up to `latest`: null when the release is dropped. */
function candidate(f: CompiledFilters, rules: ReleaseRules, ranked: RankedRelease, files: UpstreamFile[]): Candidate | null {
  const v = ranked.version;
  if (rules.allow !== null && !rules.allow.some((set) => specifierMatches(set, v))) return null;
  if (rules.deny.some((set) => specifierMatches(set, v))) return null;
  const pinned = isPinned(rules, ranked.release.version, v);
  if (!f.prereleases && v !== null && v.isPrerelease && !pinned) return null;
  return { ranked, files, pinned, size: files.reduce((sum, file) => sum + file.size, 0) };
}

/** `latest: N` over releases sorted lowest first: the N highest, plus every pinned one. */
function keepLatest(sorted: Candidate[], n: number): Candidate[] {
  if (n === 0 || sorted.length <= n) return sorted;
  const cut = sorted.length - n;
  return sorted.filter((c, i) => i >= cut || c.pinned);
}

/** Step 4 over releases sorted lowest first: drop the lowest (pinned ones last) until the rest fits. */
function fitBudget(sorted: Candidate[], budget: number): { kept: Candidate[]; dropped: number } {
  let total = sorted.reduce((sum, c) => sum + c.size, 0);
  if (total <= budget) return { kept: sorted, dropped: 0 };
  const order = [...sorted.filter((c) => !c.pinned), ...sorted.filter((c) => c.pinned)];
  const gone = new Set<Candidate>();
  for (const c of order) {
    if (total <= budget) break;
    gone.add(c);
    total -= c.size;
  }
  return { kept: sorted.filter((c) => !gone.has(c)), dropped: gone.size };
}

function byFilename(a: UpstreamFile, b: UpstreamFile): number {
  return a.filename < b.filename ? -1 : a.filename > b.filename ? 1 : 0;
}

const NO_COOLDOWN: CooldownContext = { now: 0, published: new Set() };

/**
 * The files of `meta` the mirror keeps. Does not apply step 1: callers ask
 * isProjectSelected first. `cooling` is needed only with `min_age`.
 */
export function selectFiles(f: CompiledFilters, meta: ProjectMeta, cooling: CooldownContext = NO_COOLDOWN): Selection {
  const rules = f.releaseRules.get(normalizeName(meta.name)) ?? NO_RELEASE_RULES;
  const candidates: Candidate[] = [];
  let matureAt: number | null = null;
  const passes = (file: UpstreamFile): boolean => {
    if (!keepFile(f, file)) return false;
    if (f.minAgeMs === null) return true;
    const c = cooldown(file, f.minAgeMs, cooling);
    if (typeof c === 'number') matureAt = matureAt === null ? c : Math.min(matureAt, c);
    return c === 'keep';
  };
  for (const release of meta.releases) {
    const files = release.files.filter(passes);
    if (files.length === 0) continue;
    const c = candidate(f, rules, rankRelease(release), files);
    if (c !== null) candidates.push(c);
  }
  candidates.sort((a, b) => compareRanked(a.ranked, b.ranked));

  const latest = keepLatest(candidates, f.latest);
  const { kept, dropped } = f.maxProjectSize === null ? { kept: latest, dropped: 0 } : fitBudget(latest, f.maxProjectSize);

  const selected: SelectedFile[] = [];
  for (const c of kept) {
    const version = c.ranked.release.version;
    // Object.assign rather than `{ ...file, version }`: the same object, built about
    // twice as fast by V8, and this runs once for every file of every project.
    for (const file of [...c.files].sort(byFilename)) selected.push(Object.assign({}, file, { version }));
  }
  return { files: selected, overBudget: dropped > 0, matureAt };
}
