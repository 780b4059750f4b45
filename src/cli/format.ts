/** Small text helpers for human output (never for `--json`). */

export function humanBytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${i === 0 ? v : v.toFixed(1)} ${units[i]}`;
}

/** At most `shown` items, then a line saying how many more `--json` would list. */
export function limited<T>(items: readonly T[], shown: number, line: (item: T) => string): string[] {
  const out = items.slice(0, shown).map(line);
  if (items.length > shown) out.push(`  ... and ${items.length - shown} more (--json lists all)`);
  return out;
}
