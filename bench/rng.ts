/**
 * Deterministic randomness for the bench corpus: the same seed gives the same projects,
 * sizes and names on every machine, so runs compare and the on-disk corpus can be cached.
 */

/** mulberry32: a tiny, fast 32-bit PRNG; plenty for shaping test data. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A standard normal draw (Box-Muller). */
export function gaussian(rand: () => number): number {
  const u = Math.max(rand(), 1e-12);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rand());
}

/** Log-normal size with the given median, clamped to [min, max]. */
export function logNormalSize(rand: () => number, median: number, sigma: number, min: number, max: number): number {
  return Math.round(Math.min(max, Math.max(min, median * Math.exp(sigma * gaussian(rand)))));
}

const ONSETS = ['b', 'c', 'd', 'f', 'g', 'h', 'j', 'k', 'l', 'm', 'n', 'p', 'qu', 'r', 's', 't', 'v', 'w', 'x', 'z', 'br', 'cl', 'dr', 'fl', 'gr', 'pl', 'pr', 'sk', 'sl', 'sn', 'sp', 'st', 'tr', 'py', 'ch', 'sh', 'th'];
const LETTERS = 'abcdefghijklmnopqrstuvwxyz0123456789';
const VOWELS = ['a', 'e', 'i', 'o', 'u', 'y', 'ai', 'ea', 'io', 'ou', 'oo'];
const CODAS = ['', '', '', 'n', 'r', 's', 'x', 'm', 'l', 'ck', 'st', 'nt'];
const SUFFIXES = ['', '', '', '', '-py', 'py', '-lib', '-utils', '-client', '-sdk', '-tools', '-cli', '_ext', '.core', '-plugin', '2', '3'];

function syllable(rand: () => number): string {
  const pick = (xs: string[]) => xs[Math.floor(rand() * xs.length)] ?? '';
  return pick(ONSETS) + pick(VOWELS) + pick(CODAS);
}

/**
 * Project display names shaped like PyPI's: pronounceable, spread over the alphabet (the
 * root listing is sharded by the first two letters), a few capitalized or with `_`/`.`.
 * `taken` holds normalized names already used; new ones are added to it.
 */
export function projectNames(seed: number, count: number, taken: Set<string> = new Set()): string[] {
  const rand = rng(seed);
  const out: string[] = [];
  while (out.length < count) {
    const parts = 1 + Math.floor(rand() * 3);
    // Some names start anywhere in the alphabet (PyPI's listing spans about a thousand
    // two-letter prefixes); the rest start with a pronounceable syllable.
    let base = rand() < 0.4 ? LETTERS.charAt(Math.floor(rand() * 26)) + LETTERS.charAt(Math.floor(rand() * LETTERS.length)) : '';
    for (let i = 0; i < parts; i++) base += syllable(rand);
    if (rand() < 0.25) base += `-${syllable(rand)}${syllable(rand)}`;
    base += SUFFIXES[Math.floor(rand() * SUFFIXES.length)] ?? '';
    let display = rand() < 0.1 ? base.charAt(0).toUpperCase() + base.slice(1) : base;
    let norm = normalizeName(display);
    for (let n = 2; taken.has(norm); n++) {
      display = `${base}${n}`;
      norm = normalizeName(display);
    }
    taken.add(norm);
    out.push(display);
  }
  return out;
}

/** PEP 503 normalization (as jubjub and the fake do it). */
export function normalizeName(name: string): string {
  return name.replace(/[-_.]+/g, '-').toLowerCase();
}
