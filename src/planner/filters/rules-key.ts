/**
 * The project-level rules (which names `isProjectSelected` accepts) in a form that can be
 * stored and compared. A rebuild of an allow-everything mirror needs the upstream's
 * listing only when the new rules may accept a project the rules of the last full pass
 * refused; dropping or adding allow entries is covered by the allowlist itself.
 */
import type { CompiledFilters } from './compiled.js';

export interface ProjectRules {
  allowAll: boolean;
  allowed: string[];
  denied: string[];
  patterns: string[];
}

export function projectRules(f: CompiledFilters): ProjectRules {
  return {
    allowAll: f.allowAll,
    allowed: [...f.allowedProjects].sort(),
    denied: [...f.deniedProjects].sort(),
    patterns: f.denyPatterns.map((re) => `${re.source}/${re.flags}`).sort(),
  };
}

/**
 * Whether `next` can accept a project that `previous` refused, for allow-everything
 * rules: only if a deny entry or pattern was dropped (patterns compared as written).
 */
export function mayAcceptMore(previous: ProjectRules | null, next: ProjectRules): boolean {
  if (previous === null || !previous.allowAll) return true;
  const denied = new Set(next.denied);
  const patterns = new Set(next.patterns);
  return previous.denied.some((n) => !denied.has(n)) || previous.patterns.some((p) => !patterns.has(p));
}
