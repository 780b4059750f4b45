/**
 * The release a file belongs to, for upstreams that list files without one (PEP 691
 * project pages). The filename carries the version; the page's PEP 700 `versions` says
 * how the index spells it, and the spelling matters: filters and pages key on it.
 */
import { normalizeName } from '../planner/filters/names.js';
import { compareVersion, parseVersion } from '../planner/filters/pep440.js';

const SDIST = /\.(?:tar\.gz|tgz|tar\.bz2|tbz2?|tar\.xz|txz|tar\.z|tar|zip)$/i;

/** The version part as the filename writes it, or null when the format does not say. */
function versionField(filename: string, project: string): string | null {
  if (/\.(?:whl|egg)$/i.test(filename)) {
    // PEP 427 and setuptools escape `-` inside fields, so the second field is the version.
    return filename.slice(0, filename.lastIndexOf('.')).split('-')[1] ?? null;
  }
  const ext = SDIST.exec(filename);
  if (!ext) return null;
  // The shortest prefix that spells the project: `python-dateutil-2.8.2` under
  // python-dateutil leaves `2.8.2`; `foo-1.0-beta` under foo leaves `1.0-beta`.
  return afterName(filename.slice(0, ext.index), project);
}

/** What follows `<name>-` when the filename starts with the project's name, else null. */
function afterName(filename: string, project: string): string | null {
  for (let i = filename.indexOf('-'); i > 0; i = filename.indexOf('-', i + 1)) {
    if (normalizeName(filename.slice(0, i)) === project) return filename.slice(i + 1);
  }
  return null;
}

function samePep440(a: string, b: string): boolean {
  const va = parseVersion(a);
  const vb = parseVersion(b);
  return va !== null && vb !== null && compareVersion(va, vb) === 0;
}

/**
 * The version of `filename` (under the normalized `project`) as spelled in `versions`;
 * without a match, the filename's own spelling; null when neither can tell.
 */
export function fileVersion(filename: string, project: string, versions: readonly string[]): string | null {
  const field = versionField(filename, project);
  if (field !== null) {
    const exact = versions.find((v) => v === field || v === field.replace(/_/g, '-'));
    if (exact !== undefined) return exact;
    const equal = versions.find((v) => samePep440(v, field));
    if (equal !== undefined) return equal;
  }
  // Installers and old formats (`foo-1.0.win32.exe`, `foo-1.0-1.noarch.rpm`): the longest
  // listed version that follows the project's name.
  const rest = afterName(filename, project);
  if (rest !== null) {
    const hits = versions.filter((v) => rest.startsWith(v) && /^(?:[-.]|$)/.test(rest.slice(v.length)));
    const longest = hits.sort((a, b) => b.length - a.length)[0];
    if (longest !== undefined) return longest;
  }
  return field;
}
