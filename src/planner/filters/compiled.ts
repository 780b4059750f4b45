/**
 * The filters in the form the planner asks them: requirements parsed and grouped by
 * project, specifiers and patterns compiled once, so that asking about one project is
 * map look-ups and comparisons, never parsing.
 */
import type { Version } from './pep440.js';
import type { PlatformMatcher } from './platform.js';
import type { PythonVersion } from './python-versions.js';
import type { Requirement } from './requirement.js';
import type { FilterSettings } from './settings.js';
import type { Clause } from './specifier.js';

export interface CompiledEntry {
  readonly requirement: Requirement;
  /** Where it was written: `filters.allow[2]` or `path:line`. */
  readonly source: string;
  readonly clauses: readonly Clause[];
}

/** What `allow` and `deny` say about the releases of one project. */
export interface ReleaseRules {
  /** Specifier sets a release must match one of; null when every release is allowed. */
  readonly allow: readonly (readonly Clause[])[] | null;
  /** Specifier sets that drop a release they match. */
  readonly deny: readonly (readonly Clause[])[];
  /** Versions pinned by `==` clauses of allow entries. */
  readonly pins: readonly Version[];
  /** Strings pinned by `===` clauses of allow entries, lowercased. */
  readonly arbitraryPins: readonly string[];
}

export interface CompiledFilters {
  /** The settings compiled, as given. */
  readonly settings: FilterSettings;
  /** `allow` and `allow_files` are both empty: every project is allowed. */
  readonly allowAll: boolean;
  /** Every entry in the order read: `allow`, then `allow_files`. */
  readonly allowEntries: readonly CompiledEntry[];
  /** Every entry in the order read: `deny`, then `deny_files`. */
  readonly denyEntries: readonly CompiledEntry[];
  /** Names that some allow entry names. */
  readonly allowedProjects: ReadonlySet<string>;
  /** Names a bare deny entry removes whole. */
  readonly deniedProjects: ReadonlySet<string>;
  readonly denyPatterns: readonly RegExp[];
  /** Per project with allow or deny entries; absent means no release rules. */
  readonly releaseRules: ReadonlyMap<string, ReleaseRules>;
  /** null keeps every type. */
  readonly packagetypes: ReadonlySet<string> | null;
  readonly platformsInclude: PlatformMatcher | null;
  readonly platformsExclude: PlatformMatcher | null;
  readonly prereleases: boolean;
  readonly yanked: boolean;
  readonly latest: number;
  readonly maxFileSize: number | null;
  readonly maxProjectSize: number | null;
  /** Empty keeps every file. */
  readonly pythonVersions: readonly PythonVersion[];
  readonly minAgeMs: number | null;
  /** `dependencies: true`: the allow entries grow to their closure (src/planner/dependencies). */
  readonly dependencies: boolean;
}
