/**
 * A plain JSON summary of compiled filters, for `check-config` to print as the
 * effective configuration: what each key resolved to, with where entries came from.
 */
import type { CompiledEntry, CompiledFilters } from './compiled.js';
import type { PlatformMatcher } from './platform.js';

export interface EntrySummary {
  project: string;
  /** '' for a bare name. */
  specifier: string;
  source: string;
}

export interface PlatformSummary {
  entries: string[];
  /** The globs the entries expand to. */
  globs: string[];
}

export interface FiltersSummary {
  /** 'all' when allow and allow_files are both empty. */
  allow: 'all' | EntrySummary[];
  deny: EntrySummary[];
  denyPatterns: string[];
  prereleases: boolean;
  yanked: boolean;
  /** 0 keeps every release. */
  latest: number;
  /** 'all' when the list is empty. */
  packagetypes: 'all' | string[];
  platforms: { include: PlatformSummary | null; exclude: PlatformSummary | null };
  maxFileSize: number | null;
  maxProjectSize: number | null;
  /** Empty keeps every Python version. */
  pythonVersions: string[];
  minAgeMs: number | null;
  dependencies: boolean;
}

function entry(e: CompiledEntry): EntrySummary {
  return { project: e.requirement.name, specifier: e.requirement.specifier, source: e.source };
}

function platforms(m: PlatformMatcher | null): PlatformSummary | null {
  return m === null ? null : { entries: [...m.entries], globs: [...m.globs] };
}

export function describeFilters(c: CompiledFilters): FiltersSummary {
  return {
    allow: c.allowAll ? 'all' : c.allowEntries.map(entry),
    deny: c.denyEntries.map(entry),
    denyPatterns: [...c.settings.denyPatterns],
    prereleases: c.prereleases,
    yanked: c.yanked,
    latest: c.latest,
    packagetypes: c.packagetypes === null ? 'all' : [...c.packagetypes],
    platforms: { include: platforms(c.platformsInclude), exclude: platforms(c.platformsExclude) },
    maxFileSize: c.maxFileSize,
    maxProjectSize: c.maxProjectSize,
    pythonVersions: [...c.settings.pythonVersions],
    minAgeMs: c.minAgeMs,
    dependencies: c.settings.dependencies,
  };
}
