/**
 * `python_versions`: can a file be installed on at least one listed Python version?
 * Wheels are judged by their Python and ABI tags as pip does on CPython, eggs and other
 * built files by their `python_version`, and every file by its `requires-python`.
 * sdists are kept unless `requires-python` rules out every listed version.
 */
import type { UpstreamFile } from '../../model.js';
import { parseVersion } from './pep440.js';
import { parseSpecifier, specifierMatches } from './specifier.js';

export interface PythonVersion {
  major: number;
  minor: number;
}

/** `"3.11"` → {3, 11}; null when it is not MAJOR.MINOR. */
export function parsePythonVersion(s: string): PythonVersion | null {
  const m = /^(\d+)\.(\d+)$/.exec(s.trim());
  return m ? { major: Number(m[1]), minor: Number(m[2]) } : null;
}

/** A wheel's `{python tag}-{abi tag}-{platform tag}` (compressed tag sets split on `.`). */
function wheelTags(filename: string): { pythons: string[]; abis: string[] } | null {
  const parts = filename.slice(0, -'.whl'.length).split('-');
  if (parts.length < 5) return null;
  const [py, abi] = parts.slice(-3);
  return py && abi ? { pythons: py.split('.'), abis: abi.split('.') } : null;
}

/**
 * One Python tag against one version, on CPython: `cpXY` only on X.Y (or X.Y and later
 * with an `abi3` ABI), `pyX` on any X.*, `pyXY` on X.Y and later within X. Tags of other
 * implementations (`pp`, `ip`, `jy`, ...) never install on CPython.
 */
function tagFits(tag: string, abis: readonly string[], v: PythonVersion): boolean {
  const m = /^(cp|py)(\d)(\d*)$/.exec(tag);
  if (!m) return false;
  const major = Number(m[2]);
  if (major !== v.major) return false;
  if (m[3] === '') return m[1] === 'py';
  const minor = Number(m[3]);
  if (m[1] === 'py') return v.minor >= minor;
  return v.minor === minor || (abis.includes('abi3') && v.minor >= minor);
}

/** `python_version` of an egg or Windows installer: `2.7`, `3.12`, or `any`/`source`. */
function builtForFits(pythonVersion: string, v: PythonVersion): boolean {
  const p = parsePythonVersion(pythonVersion);
  return p === null ? true : p.major === v.major && p.minor === v.minor;
}

/**
 * `requires-python` against X.Y: satisfied if some X.Y.z can satisfy it, tried at X.Y.0
 * and at a late patch release, since a bound may fall inside the minor series.
 */
function requiresPythonFits(spec: string | null, v: PythonVersion): boolean {
  if (spec === null || spec.trim() === '') return true;
  let clauses;
  try {
    clauses = parseSpecifier(spec);
  } catch {
    // An unparsable requires-python is ignored, as pip ignores it.
    return true;
  }
  return [0, 99].some((patch) => specifierMatches(clauses, parseVersion(`${v.major}.${v.minor}.${patch}`)));
}

export function installableOn(file: Pick<UpstreamFile, 'filename' | 'packagetype' | 'pythonVersion' | 'requiresPython'>, versions: readonly PythonVersion[]): boolean {
  if (versions.length === 0) return true;
  return versions.some((v) => {
    if (!requiresPythonFits(file.requiresPython, v)) return false;
    if (file.packagetype === 'sdist') return true;
    if (file.filename.endsWith('.whl')) {
      const tags = wheelTags(file.filename);
      return tags !== null && tags.pythons.some((t) => tagFits(t, tags.abis, v));
    }
    return builtForFits(file.pythonVersion, v);
  });
}
