/** Parsers for the human units mirror.yaml accepts. Each returns null on bad input so
 * the schema can report the key and line instead of throwing from here. */

const DURATION = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)$/;
const DURATION_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `30s`, `5m`, `2h`, `3d` (and `250ms`) to milliseconds. */
export function parseDuration(text: string): number | null {
  const m = DURATION.exec(text.trim());
  if (!m?.[1] || !m[2]) return null;
  const unit = DURATION_MS[m[2]];
  if (unit === undefined) return null;
  const ms = Math.round(Number(m[1]) * unit);
  return ms > 0 ? ms : null;
}

const SIZE = /^(\d+(?:\.\d+)?)\s*([KMGT]i?B|B)?$/i;
const SIZE_UNIT: Record<string, number> = {
  B: 1,
  KB: 1e3, MB: 1e6, GB: 1e9, TB: 1e12,
  KIB: 2 ** 10, MIB: 2 ** 20, GIB: 2 ** 30, TIB: 2 ** 40,
};

/** `500MB` (powers of 1000), `2GiB` (powers of 1024), or a bare byte count. */
export function parseSize(value: string | number): number | null {
  if (typeof value === 'number') return Number.isSafeInteger(value) && value >= 0 ? value : null;
  const m = SIZE.exec(value.trim());
  if (!m?.[1]) return null;
  if (!m[2] && m[1].includes('.')) return null;
  const unit = SIZE_UNIT[(m[2] ?? 'B').toUpperCase()];
  if (unit === undefined) return null;
  const bytes = Math.floor(Number(m[1]) * unit);
  return Number.isSafeInteger(bytes) ? bytes : null;
}
