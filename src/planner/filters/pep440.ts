/**
 * Parsed PEP 440 versions and their total order.
 *
 * `@renovatebot/pep440` decides what is a valid version and splits it into parts. The
 * order is computed here from those parts once per version, because its own `compare`
 * re-parses both strings on every call, and sorting the releases of 5,000+ projects
 * with it would spend most of a planning pass in the version regex.
 */
import { parse as parsePep440 } from '@renovatebot/pep440';

export interface Version {
  /** The string as the upstream spells it. */
  readonly raw: string;
  readonly epoch: number;
  /** As written: trailing zeros kept, because `~=` and `==X.*` look at the length. */
  readonly release: readonly number[];
  /** Letter normalized to `a`, `b` or `rc`. */
  readonly pre: readonly [string, number] | null;
  readonly post: number | null;
  readonly dev: number | null;
  readonly local: readonly (string | number)[] | null;
  /** PEP 440 `is_prerelease`: a pre-release or a dev release. */
  readonly isPrerelease: boolean;
  readonly isPostrelease: boolean;
}

/**
 * The shape `parse` really returns. Its bundled .d.ts describes `explain`'s output
 * instead (non-null arrays, a string local), so the result is re-typed here.
 */
interface LibParsed {
  epoch: number;
  release: number[];
  pre: [string, number] | null;
  post: [string, number] | null;
  dev: [string, number] | null;
}

/**
 * Parsed versions by string. The same strings are parsed again and again (every release of
 * a project on every planning pass, the closure's re-walks), and the library's regex is
 * most of the cost. Versions are immutable, so sharing them is safe; the cap bounds memory.
 */
const cache = new Map<string, Version | null>();
const CACHE_LIMIT = 200_000;

/** null when `raw` is not a valid PEP 440 version: a legacy version. */
export function parseVersion(raw: string): Version | null {
  let v = cache.get(raw);
  if (v === undefined) {
    if (cache.size >= CACHE_LIMIT) cache.clear();
    v = parseUncached(raw);
    cache.set(raw, v);
  }
  return v;
}

function parseUncached(raw: string): Version | null {
  const p = parsePep440(raw) as unknown as LibParsed | null;
  if (p === null) return null;
  const plus = raw.indexOf('+');
  const local =
    plus < 0
      ? null
      : raw
          .slice(plus + 1)
          .toLowerCase()
          .split(/[-_.]/)
          .map((part) => (/^[0-9]+$/.test(part) ? Number(part) : part));
  return {
    raw,
    epoch: p.epoch,
    release: p.release,
    pre: p.pre,
    post: p.post === null ? null : p.post[1],
    dev: p.dev === null ? null : p.dev[1],
    local,
    isPrerelease: p.pre !== null || p.dev !== null,
    isPostrelease: p.post !== null,
  };
}

function cmp(a: number | string, b: number | string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Trailing zeros do not count: 1.0 == 1.0.0. */
export function compareRelease(a: readonly number[], b: readonly number[]): number {
  const n = Math.max(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const d = cmp(a[i] ?? 0, b[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/** 1.0.dev0 < 1.0a0 < 1.0 < 1.0.post0: a bare dev release sorts before every pre-release. */
function preRank(v: Version): [number, string, number] {
  if (v.pre !== null) return [1, v.pre[0], v.pre[1]];
  if (v.post === null && v.dev !== null) return [0, '', 0];
  return [2, '', 0];
}

function compareLocal(a: Version['local'], b: Version['local']): number {
  if (a === null || b === null) return a === b ? 0 : a === null ? -1 : 1;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a[i] as string | number;
    const y = b[i] as string | number;
    // A numeric segment sorts after any alphanumeric one.
    if (typeof x !== typeof y) return typeof x === 'number' ? 1 : -1;
    const d = cmp(x, y);
    if (d !== 0) return d;
  }
  return a.length - b.length;
}

/** The public version's order: local labels are ignored. */
export function comparePublic(a: Version, b: Version): number {
  if (a.epoch !== b.epoch) return cmp(a.epoch, b.epoch);
  const r = compareRelease(a.release, b.release);
  if (r !== 0) return r;
  const [ak, al, an] = preRank(a);
  const [bk, bl, bn] = preRank(b);
  if (ak !== bk) return cmp(ak, bk);
  if (al !== bl) return cmp(al, bl);
  if (an !== bn) return cmp(an, bn);
  const post = cmp(a.post ?? -1, b.post ?? -1);
  if (post !== 0) return post;
  return cmp(a.dev ?? Infinity, b.dev ?? Infinity);
}

/** PEP 440's total order, local labels included. */
export function compareVersion(a: Version, b: Version): number {
  return comparePublic(a, b) || compareLocal(a.local, b.local);
}
