/** PEP 503 normalization: every lookup in the fake goes through this, whatever spelling a test uses. */
export function normalize(name: string): string {
  return name.replace(/[-_.]+/g, '-').toLowerCase();
}

/** PEP 427 / PEP 625 escaping for distribution filenames, where `-` separates fields. */
export function escapeDistName(name: string): string {
  return normalize(name).replace(/-/g, '_');
}

/** Versions can hold `-` in odd local forms; filenames cannot. */
export function escapeVersion(version: string): string {
  return version.replace(/-/g, '_');
}

export function escapeHtml(s: string): string {
  return s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}
