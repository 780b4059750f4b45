/** Step 1 of filters.md: is a project mirrored at all. */
import type { CompiledFilters } from './compiled.js';
import { normalizeName } from './names.js';

/** Accepts any spelling of the name. */
export function isProjectSelected(f: CompiledFilters, name: string): boolean {
  const n = normalizeName(name);
  if (!f.allowAll && !f.allowedProjects.has(n)) return false;
  if (f.deniedProjects.has(n)) return false;
  return !f.denyPatterns.some((re) => re.test(n));
}
