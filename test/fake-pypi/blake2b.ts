/**
 * BLAKE2b with a 32-byte digest (RFC 7693). Node's OpenSSL only exposes the 64-byte
 * variant and rejects `outputLength: 32`, and PyPI's `digests.blake2b_256` plus the
 * `/packages/<b2>/...` path are that digest, so the fake computes it itself. 64-bit words
 * are held as pairs of 32-bit halves (lo at even index) to stay off BigInt, which would be
 * too slow for multi-megabyte padded files.
 */

const IV32 = new Uint32Array([
  0xf3bcc908, 0x6a09e667, 0x84caa73b, 0xbb67ae85, 0xfe94f82b, 0x3c6ef372, 0x5f1d36f1, 0xa54ff53a,
  0xade682d1, 0x510e527f, 0x2b3e6c1f, 0x9b05688c, 0xfb41bd6b, 0x1f83d9ab, 0x137e2179, 0x5be0cd19,
]);

const SIGMA = [
  [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15],
  [14, 10, 4, 8, 9, 15, 13, 6, 1, 12, 0, 2, 11, 7, 5, 3],
  [11, 8, 12, 0, 5, 2, 15, 13, 10, 14, 3, 6, 7, 1, 9, 4],
  [7, 9, 3, 1, 13, 12, 11, 14, 2, 6, 5, 10, 4, 0, 15, 8],
  [9, 0, 5, 7, 2, 4, 10, 15, 14, 1, 11, 12, 6, 8, 3, 13],
  [2, 12, 6, 10, 0, 11, 8, 3, 4, 13, 7, 5, 15, 14, 1, 9],
  [12, 5, 1, 15, 14, 13, 4, 10, 0, 7, 6, 3, 9, 2, 8, 11],
  [13, 11, 7, 14, 12, 1, 3, 9, 5, 0, 15, 4, 8, 6, 2, 10],
  [6, 15, 14, 9, 11, 3, 0, 8, 12, 2, 13, 7, 1, 4, 10, 5],
  [10, 2, 8, 4, 7, 6, 1, 5, 15, 11, 9, 14, 3, 12, 13, 0],
];
// Rounds 10 and 11 reuse the first two permutations; pre-doubled because message words are pairs.
const SIGMA2 = [...SIGMA, SIGMA[0]!, SIGMA[1]!].map((row) => row.map((i) => i * 2));

const v = new Uint32Array(32);
const m = new Uint32Array(32);

/** v[a] += v[b] as 64-bit. */
function add64(a: number, b: number): void {
  const lo = v[a]! + v[b]!;
  v[a + 1] = v[a + 1]! + v[b + 1]! + (lo >= 0x100000000 ? 1 : 0);
  v[a] = lo;
}

/** v[a] += m[i..i+1] as 64-bit. */
function addM(a: number, i: number): void {
  const lo = v[a]! + m[i]!;
  v[a + 1] = v[a + 1]! + m[i + 1]! + (lo >= 0x100000000 ? 1 : 0);
  v[a] = lo;
}

/** v[d] = (v[d] ^ v[a]) >>> r, rotation by 32, 24, 16 or 63. */
function xorRot(d: number, a: number, r: number): void {
  const xlo = v[d]! ^ v[a]!;
  const xhi = v[d + 1]! ^ v[a + 1]!;
  if (r === 32) {
    v[d] = xhi;
    v[d + 1] = xlo;
  } else if (r < 32) {
    v[d] = (xlo >>> r) | (xhi << (32 - r));
    v[d + 1] = (xhi >>> r) | (xlo << (32 - r));
  } else {
    // 63 = swap halves then rotate by 31.
    v[d] = (xhi >>> 31) | (xlo << 1);
    v[d + 1] = (xlo >>> 31) | (xhi << 1);
  }
}

function g(a: number, b: number, c: number, d: number, x: number, y: number): void {
  add64(a, b);
  addM(a, x);
  xorRot(d, a, 32);
  add64(c, d);
  xorRot(b, c, 24);
  add64(a, b);
  addM(a, y);
  xorRot(d, a, 16);
  add64(c, d);
  xorRot(b, c, 63);
}

function compress(h: Uint32Array, block: Uint8Array, off: number, counter: number, last: boolean): void {
  for (let i = 0; i < 16; i++) {
    v[i] = h[i]!;
    v[i + 16] = IV32[i]!;
  }
  // The byte counter fits in 53 bits; split it into the t0 low/high halves.
  v[24] = v[24]! ^ (counter >>> 0);
  v[25] = v[25]! ^ Math.floor(counter / 0x100000000);
  if (last) {
    v[28] = ~v[28]!;
    v[29] = ~v[29]!;
  }
  for (let i = 0; i < 32; i++) {
    const p = off + i * 4;
    m[i] = (block[p]! | (block[p + 1]! << 8) | (block[p + 2]! << 16) | (block[p + 3]! << 24)) >>> 0;
  }
  for (const s of SIGMA2) {
    g(0, 8, 16, 24, s[0]!, s[1]!);
    g(2, 10, 18, 26, s[2]!, s[3]!);
    g(4, 12, 20, 28, s[4]!, s[5]!);
    g(6, 14, 22, 30, s[6]!, s[7]!);
    g(0, 10, 20, 30, s[8]!, s[9]!);
    g(2, 12, 22, 24, s[10]!, s[11]!);
    g(4, 14, 16, 26, s[12]!, s[13]!);
    g(6, 8, 18, 28, s[14]!, s[15]!);
  }
  for (let i = 0; i < 16; i++) h[i] = h[i]! ^ v[i]! ^ v[i + 16]!;
}

export function blake2b256Hex(data: Uint8Array): string {
  const outLen = 32;
  const h = new Uint32Array(IV32);
  h[0] = h[0]! ^ (0x01010000 ^ outLen);
  const full = data.length === 0 ? 0 : Math.floor((data.length - 1) / 128);
  for (let i = 0; i < full; i++) compress(h, data, i * 128, (i + 1) * 128, false);
  const tail = new Uint8Array(128);
  tail.set(data.subarray(full * 128));
  compress(h, tail, 0, data.length, true);
  const out = Buffer.alloc(outLen);
  for (let i = 0; i < outLen; i++) out[i] = h[i >> 2]! >>> (8 * (i & 3));
  return out.toString('hex');
}
