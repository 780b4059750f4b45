/**
 * Step 3's per-project inputs, derived once from the allow and deny entries that name
 * the project.
 */
import type { CompiledEntry, ReleaseRules } from './compiled.js';
import { compareVersion, type Version } from './pep440.js';

export const NO_RELEASE_RULES: ReleaseRules = { allow: null, deny: [], pins: [], arbitraryPins: [] };

export function buildReleaseRules(allow: readonly CompiledEntry[], deny: readonly CompiledEntry[]): ReleaseRules {
  // One entry without a specifier keeps every release, whatever the others say.
  const allowSets = allow.length > 0 && allow.every((e) => e.clauses.length > 0) ? allow.map((e) => e.clauses) : null;
  const pins: Version[] = [];
  const arbitraryPins: string[] = [];
  for (const { clauses } of allow) {
    for (const c of clauses) {
      if (c.op === '===') arbitraryPins.push(c.text.toLowerCase());
      else if (c.op === '==' && !c.wildcard && c.version !== null) pins.push(c.version);
    }
  }
  return {
    allow: allowSets,
    deny: deny.filter((e) => e.clauses.length > 0).map((e) => e.clauses),
    pins,
    arbitraryPins,
  };
}

/**
 * A release is pinned when an allow entry's `==` clause names exactly its version
 * (`==1.0` pins `1.0` and `1.0.0`, not `1.0+local`) or a `===` clause spells it
 * (case-insensitively; this can pin a legacy version).
 */
export function isPinned(rules: ReleaseRules, raw: string, version: Version | null): boolean {
  if (version !== null && rules.pins.some((p) => compareVersion(p, version) === 0)) return true;
  return rules.arbitraryPins.length > 0 && rules.arbitraryPins.includes(raw.toLowerCase());
}
