/** Core metadata (METADATA in wheels, PKG-INFO in sdists and eggs), as pip parses it. */

export interface CoreMetadataInput {
  displayName: string;
  version: string;
  summary: string;
  requiresPython: string | null;
  requiresDist: string[];
}

export function coreMetadata(m: CoreMetadataInput): Buffer {
  const lines = [
    'Metadata-Version: 2.1',
    `Name: ${m.displayName}`,
    `Version: ${m.version}`,
    `Summary: ${m.summary}`,
    'License: Apache-2.0',
  ];
  if (m.requiresPython) lines.push(`Requires-Python: ${m.requiresPython}`);
  // pip installs an extra's requirements only when the metadata declares the extra.
  for (const extra of extrasOf(m.requiresDist)) lines.push(`Provides-Extra: ${extra}`);
  for (const d of m.requiresDist) lines.push(`Requires-Dist: ${d}`);
  return Buffer.from(lines.join('\n') + '\n\n', 'utf8');
}

export function summaryFor(displayName: string): string {
  return `${displayName}: a fake project served by jubjub's test upstream`;
}

/** The extras named by `extra == "..."` markers, in order of first mention. */
function extrasOf(requiresDist: readonly string[]): string[] {
  const out = new Set<string>();
  for (const d of requiresDist) for (const m of d.matchAll(/extra\s*==\s*["']([^"']+)["']/g)) if (m[1]) out.add(m[1]);
  return [...out];
}
