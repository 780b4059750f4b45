/**
 * PEP 440 version specifiers (`>=1.2,<2`, `~=3.0`, `==1.*`, `===foo`).
 *
 * Matching follows `packaging`'s Specifier with pre-releases always allowed: in
 * jubjub only the `prereleases` key decides about pre-releases, so `>=1.0` matches
 * `2.0rc1`. The exclusive-comparison rules of PEP 440 still hold, because they are
 * part of what `<` and `>` mean (`<2.0` does not match `2.0rc1`, `>1.0` does not
 * match `1.0.post1`).
 */
import { comparePublic, compareVersion, parseVersion, type Version } from './pep440.js';
import { RequirementSyntaxError } from './syntax-error.js';

export type Operator = '~=' | '==' | '!=' | '<=' | '>=' | '<' | '>' | '===';

export interface Clause {
  readonly op: Operator;
  /** The version as written (without the `.*` of a wildcard). */
  readonly text: string;
  /** null only for `===`, which compares strings. */
  readonly version: Version | null;
  /** `==1.*` / `!=1.*`. */
  readonly wildcard: boolean;
}

const CLAUSE = /^(===|~=|==|!=|<=|>=|<|>)\s*(.*)$/s;
const WILDCARD_BASE = /^v?([0-9]+!)?[0-9]+(\.[0-9]+)*$/i;

function bad(clause: string, why: string): RequirementSyntaxError {
  return new RequirementSyntaxError(`invalid version specifier '${clause}': ${why}`);
}

export function parseClause(input: string): Clause {
  const clause = input.trim();
  const m = CLAUSE.exec(clause);
  if (m === null) {
    throw bad(clause, 'expected one of ~= == != <= >= < > === followed by a version');
  }
  const op = m[1] as Operator;
  const text = (m[2] ?? '').trim();
  if (text === '') throw bad(clause, 'missing version');
  if (/[\s,;()]/.test(text)) throw bad(clause, `unexpected characters in version '${text}'`);
  if (op === '===') return { op, text, version: null, wildcard: false };

  if (text.endsWith('.*')) {
    const base = text.slice(0, -2);
    if (op !== '==' && op !== '!=') throw bad(clause, `'.*' is only allowed with == and !=`);
    if (!WILDCARD_BASE.test(base)) throw bad(clause, `'.*' must follow a plain release number`);
    const version = parseVersion(base);
    if (version === null) throw bad(clause, `'${base}' is not a PEP 440 version`);
    return { op, text: base, version, wildcard: true };
  }
  const version = parseVersion(text);
  if (version === null) throw bad(clause, `'${text}' is not a PEP 440 version`);
  if (version.local !== null && op !== '==' && op !== '!=') {
    throw bad(clause, `a local version label is only allowed with == and !=`);
  }
  if (op === '~=' && version.release.length < 2) {
    throw bad(clause, `~= needs at least two release numbers`);
  }
  return { op, text, version, wildcard: false };
}

/** '' (or only whitespace) is the empty specifier set. */
export function parseSpecifier(spec: string): Clause[] {
  if (spec.trim() === '') return [];
  return spec.split(',').map((clause) => {
    if (clause.trim() === '') throw bad(spec.trim(), 'empty clause (a stray comma?)');
    return parseClause(clause);
  });
}

/** Canonical text: clauses in their order, no whitespace, comma-joined. */
export function formatSpecifier(clauses: readonly Clause[]): string {
  return clauses.map((c) => c.op + c.text + (c.wildcard ? '.*' : '')).join(',');
}

/** `==1.0.*` matches `1`, `1.0rc1` and `1.0.5`: the release is zero-padded, then its prefix compared. */
function prefixMatches(v: Version, epoch: number, prefix: readonly number[]): boolean {
  return v.epoch === epoch && prefix.every((n, i) => (v.release[i] ?? 0) === n);
}

function clauseMatches(c: Clause, v: Version): boolean {
  const spec = c.version;
  if (spec === null) return v.raw.toLowerCase() === c.text.toLowerCase();
  switch (c.op) {
    case '==':
    case '!=': {
      let eq: boolean;
      if (c.wildcard) eq = prefixMatches(v, spec.epoch, spec.release);
      // A specifier without a local label matches every local build of its version.
      else if (spec.local === null) eq = comparePublic(v, spec) === 0;
      else eq = compareVersion(v, spec) === 0;
      return c.op === '==' ? eq : !eq;
    }
    case '<=':
      return comparePublic(v, spec) <= 0;
    case '>=':
      return comparePublic(v, spec) >= 0;
    case '<':
      if (compareVersion(v, spec) >= 0) return false;
      // `<2.0` excludes 2.0's own pre-releases (2.0.dev0 and up) unless it names a pre-release.
      return spec.isPrerelease || !v.isPrerelease || compareVersion(v, { ...spec, dev: 0, local: null }) < 0;
    case '>':
      if (compareVersion(v, spec) <= 0) return false;
      // `>1.0` excludes 1.0's post-releases (unless it names one) and its local builds.
      if (!spec.isPostrelease && v.isPostrelease && compareVersion({ ...v, post: null, dev: null, local: null }, spec) === 0) {
        return false;
      }
      return v.local === null || comparePublic(v, spec) !== 0;
    case '~=':
      // `~=1.4.5` is `>=1.4.5, ==1.4.*`.
      return comparePublic(v, spec) >= 0 && prefixMatches(v, spec.epoch, spec.release.slice(0, -1));
    default:
      return false;
  }
}

/**
 * The empty set matches everything, legacy versions included; a non-empty set never
 * matches a legacy version (`v` null), not even through `===`.
 */
export function specifierMatches(clauses: readonly Clause[], v: Version | null): boolean {
  if (clauses.length === 0) return true;
  if (v === null) return false;
  return clauses.every((c) => clauseMatches(c, v));
}
