/** Identifies what a closure was resolved from, so an unchanged mirror can reuse it. */
import { createHash } from 'node:crypto';
import type { CompiledEntry, CompiledFilters } from '../filters/compiled.js';
import type { TargetEnvironment } from '../filters/markers.js';

const entry = (e: CompiledEntry) => [e.requirement.name, e.requirement.extras, e.requirement.specifier];

export function closureKey(f: CompiledFilters, targets: readonly TargetEnvironment[]): string {
  const input = {
    settings: f.settings,
    // The files' entries, not just their paths: editing a requirements file changes the closure.
    allow: f.allowEntries.map(entry),
    deny: f.denyEntries.map(entry),
    targets,
  };
  return createHash('sha256').update(JSON.stringify(input)).digest('hex').slice(0, 32);
}
