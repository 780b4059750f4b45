/** Small statistics and formatting helpers. */

export function median(xs: number[]): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

export interface Samples {
  median: number;
  min: number;
  max: number;
  samples: number[];
}

export function samples(xs: number[]): Samples {
  return { median: median(xs), min: Math.min(...xs), max: Math.max(...xs), samples: xs };
}

export const MB = 1e6;
export const MiB = 1024 * 1024;

export function fmt(x: number | null | undefined, digits = 3): string {
  if (x === null || x === undefined || Number.isNaN(x)) return '–';
  if (Number.isInteger(x)) return x.toLocaleString('en-US');
  const abs = Math.abs(x);
  if (abs >= 1000) return Math.round(x).toLocaleString('en-US');
  if (abs >= 100) return x.toFixed(0);
  if (abs >= 10) return x.toFixed(Math.max(0, digits - 2));
  if (abs >= 1) return x.toFixed(Math.max(0, digits - 1));
  return x.toPrecision(digits);
}
