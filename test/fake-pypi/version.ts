/**
 * Just enough PEP 440 ordering to pick `info.version` and sort releases like Warehouse.
 * Unparseable versions sort before every valid one (PyPI never stores them, but tests
 * might pass odd strings and must not crash).
 */

interface Parsed {
  epoch: number;
  release: number[];
  pre: [number, number] | null; // [a=0|b=1|rc=2, n]
  post: number | null;
  dev: number | null;
}

const RE =
  /^v?(?:(\d+)!)?(\d+(?:\.\d+)*)(?:[-_.]?(a|alpha|b|beta|rc|c|pre|preview)[-_.]?(\d*))?(?:-(\d+)|[-_.]?(post|rev|r)[-_.]?(\d*))?(?:[-_.]?(dev)[-_.]?(\d*))?(?:\+[a-z0-9._-]+)?$/;

function preRank(tag: string): number {
  if (tag === 'a' || tag === 'alpha') return 0;
  if (tag === 'b' || tag === 'beta') return 1;
  return 2;
}

export function parseVersion(v: string): Parsed | null {
  const m = RE.exec(v.trim().toLowerCase());
  if (!m) return null;
  const release = (m[2] ?? '0').split('.').map(Number);
  while (release.length > 1 && release[release.length - 1] === 0) release.pop();
  return {
    epoch: m[1] ? Number(m[1]) : 0,
    release,
    pre: m[3] ? [preRank(m[3]), Number(m[4] || 0)] : null,
    post: m[5] !== undefined ? Number(m[5]) : m[6] !== undefined ? Number(m[7] || 0) : null,
    dev: m[8] !== undefined ? Number(m[9] || 0) : null,
  };
}

export function isPrerelease(v: string): boolean {
  const p = parseVersion(v);
  return p !== null && (p.pre !== null || p.dev !== null);
}

function cmpNum(a: number, b: number): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Mirrors packaging's _cmpkey: a bare dev release sorts before the pre-releases. */
function preKey(p: Parsed): [number, number] {
  if (p.pre === null && p.post === null && p.dev !== null) return [-1, 0];
  if (p.pre === null) return [3, 0];
  return p.pre;
}

export function compareVersions(a: string, b: string): number {
  const pa = parseVersion(a);
  const pb = parseVersion(b);
  if (!pa || !pb) return pa ? 1 : pb ? -1 : a < b ? -1 : a > b ? 1 : 0;
  let c = cmpNum(pa.epoch, pb.epoch);
  if (c) return c;
  const n = Math.max(pa.release.length, pb.release.length);
  for (let i = 0; i < n; i++) {
    c = cmpNum(pa.release[i] ?? 0, pb.release[i] ?? 0);
    if (c) return c;
  }
  const [ka, kb] = [preKey(pa), preKey(pb)];
  c = cmpNum(ka[0], kb[0]) || cmpNum(ka[1], kb[1]);
  if (c) return c;
  c = cmpNum(pa.post ?? -1, pb.post ?? -1);
  if (c) return c;
  return cmpNum(pa.dev ?? Infinity, pb.dev ?? Infinity);
}
