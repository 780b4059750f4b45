/**
 * Whether a distribution filename belongs to the project it is listed under. An upstream
 * that lists `requests-99.0.tar.gz` under `foo` would otherwise have the mirror serve
 * another project's file from foo's page. pip and uv skip such links, so dropping them
 * loses nothing a client would install; the care goes into not dropping the legitimate
 * old files whose names predate the filename specifications.
 */
import { normalizeName } from '../planner/filters/names.js';
import { parseVersion } from '../planner/filters/pep440.js';

const SDIST = /\.(?:tar\.gz|tgz|tar\.bz2|tbz2?|tar\.xz|txz|tar\.z|tar|zip)$/i;

/**
 * setuptools' egg name: `name-version[-pyX.Y[-platform]].egg`, with `-` in name and
 * version escaped to `_`, so the first field is the name. Eggs made some other way
 * don't match and fall back to the prefix rule.
 */
const EGG = /^([^-]+)-[^-]+(?:-py\d+(?:\.\d+)*(?:-.+)?)?\.egg$/i;

/**
 * The normalized project a filename names, when its format says so without ambiguity;
 * null when it can't be known from the name alone.
 */
export function filenameProject(filename: string): string | null {
  if (/\.whl$/i.test(filename)) {
    // name-version[-build]-python-abi-platform: the name field never holds a `-` (PEP 427
    // escapes it), which is how pip reads it too.
    const parts = filename.slice(0, -'.whl'.length).split('-');
    if ((parts.length === 5 || parts.length === 6) && parts.every((p) => p.length > 0)) return normalizeName(parts[0] ?? '');
    return null;
  }
  if (/\.egg$/i.test(filename)) {
    const m = EGG.exec(filename);
    return m?.[1] ? normalizeName(m[1]) : null;
  }
  const ext = SDIST.exec(filename);
  if (ext) {
    // PEP 625's `name-version` has exactly one `-`. Older sdists may carry more, in the
    // name (`python-dateutil-2.8.2`) or the version (`foo-1.0-beta`): no telling which.
    // With one `-` but no valid version after it (`pytz-2004d`), the split is a guess too.
    const parts = filename.slice(0, ext.index).split('-');
    const [name, version] = parts;
    if (parts.length === 2 && name && version && parseVersion(version) !== null) return normalizeName(name);
    return null;
  }
  // bdist_wininst, bdist_msi, bdist_dumb, rpm, dmg: distutils never escaped `-` in names.
  return null;
}

/**
 * Null when `filename` can belong to `project` (a normalized name), else why not. Where
 * the format leaves the project part ambiguous, the filename need only start with the
 * project's name and a separator: the rule PyPI applied to uploads for most of its life.
 */
export function foreignFilename(filename: string, project: string): string | null {
  const named = filenameProject(filename);
  if (named !== null) return named === project ? null : `names project ${named}, not ${project}`;
  return normalizeName(filename).startsWith(`${project}-`) ? null : `does not start with the name of project ${project}`;
}
