import { createCipheriv, createHash } from 'node:crypto';

/**
 * Deterministic, incompressible bytes for padding files to a target size. AES-CTR over
 * zeros is a fast seeded stream: a 100 MB filler costs milliseconds, where a JS PRNG
 * or hashing in a loop would cost seconds.
 */
export function filler(seed: string, length: number): Buffer {
  if (length <= 0) return Buffer.alloc(0);
  const key = createHash('sha256').update(`fake-pypi filler:${seed}`).digest();
  const cipher = createCipheriv('aes-256-ctr', key, Buffer.alloc(16));
  return Buffer.concat([cipher.update(Buffer.alloc(length)), cipher.final()]);
}
