/**
 * Version questions asked with plain strings, and the order releases are ranked in.
 *
 * A legacy version (not valid PEP 440: `2004d`, `1.0.0-SNAPSHOT`) never matches a
 * specifier, is never a pre-release, and sorts below every valid version; legacy
 * versions rank among themselves by the upload time of their newest file.
 */
import type { Release } from '../../model.js';
import { compareVersion, parseVersion, type Version } from './pep440.js';
import { parseSpecifier, specifierMatches, type Clause } from './specifier.js';

export function isLegacy(version: string): boolean {
  return parseVersion(version) === null;
}

/** PEP 440 `is_prerelease` (dev releases included); false for a legacy version. */
export function isPrerelease(version: string): boolean {
  return parseVersion(version)?.isPrerelease ?? false;
}

// Specifier strings repeat (the same few filters asked about many versions); bounded
// so a long-lived process asking about arbitrary strings does not grow without end.
const specifierCache = new Map<string, Clause[]>();
const SPECIFIER_CACHE_MAX = 10_000;

/** Parsed once per string; callers must not change the clauses. */
export function compiledSpecifier(specifier: string): Clause[] {
  let clauses = specifierCache.get(specifier);
  if (clauses === undefined) {
    clauses = parseSpecifier(specifier);
    if (specifierCache.size >= SPECIFIER_CACHE_MAX) specifierCache.clear();
    specifierCache.set(specifier, clauses);
  }
  return clauses;
}

/**
 * Whether `version` satisfies `specifier`, pre-releases matching like any other
 * version. '' matches every version, legacy ones included; any other specifier never
 * matches a legacy version. Throws RequirementSyntaxError on a malformed specifier.
 */
export function matches(version: string, specifier: string): boolean {
  return specifierMatches(compiledSpecifier(specifier), parseVersion(version));
}

/** A release with what its rank needs, computed once. */
export interface RankedRelease {
  readonly release: Release;
  /** null for a legacy version. */
  readonly version: Version | null;
  /** Legacy versions only: ms since the epoch of the newest file's upload; -Infinity when unknown. */
  readonly newestUpload: number;
}

export function rankRelease(release: Release): RankedRelease {
  const version = parseVersion(release.version);
  // Upload times only rank legacy versions among themselves; skip the date parsing
  // for the valid ones, which are nearly all of them.
  let newest = -Infinity;
  if (version === null) {
    for (const file of release.files) {
      const t = file.uploadTime === null ? NaN : Date.parse(file.uploadTime);
      if (t > newest) newest = t;
    }
  }
  return { release, version, newestUpload: newest };
}

/** Ascending rank; ties (`1.0` beside `1.0.0`) fall back to the string so the order is total. */
export function compareRanked(a: RankedRelease, b: RankedRelease): number {
  let d: number;
  if (a.version !== null && b.version !== null) d = compareVersion(a.version, b.version);
  else if (a.version !== null || b.version !== null) d = a.version === null ? -1 : 1;
  else d = a.newestUpload === b.newestUpload ? 0 : a.newestUpload < b.newestUpload ? -1 : 1;
  if (d !== 0) return d;
  const x = a.release.version;
  const y = b.release.version;
  return x < y ? -1 : x > y ? 1 : 0;
}

/** Releases lowest first, in the order `latest` and `max_project_size` use. */
export function sortReleases(releases: readonly Release[]): Release[] {
  return releases
    .map(rankRelease)
    .sort(compareRanked)
    .map((r) => r.release);
}

/** Two version strings in release order, a legacy one below every valid one. */
export function compareVersions(a: string, b: string): number {
  return compareRanked(rankRelease({ version: a, files: [] }), rankRelease({ version: b, files: [] }));
}
