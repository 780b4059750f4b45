import { gzipSync } from 'node:zlib';

/**
 * Minimal ustar writer for sdists. mtime, owner and mode are fixed, and gzip's header
 * carries no name and a zero mtime, so the bytes only depend on the members.
 */

export interface TarMember {
  name: string;
  data: Buffer;
}

const FIXED_MTIME = 1_577_836_800; // 2020-01-01T00:00:00Z

function octal(n: number, width: number): string {
  // width includes the trailing NUL.
  return n.toString(8).padStart(width - 1, '0') + '\0';
}

/** ustar keeps 100 bytes of name plus a 155-byte prefix split at a `/`. */
function splitName(name: string): [string, string] {
  if (Buffer.byteLength(name) <= 100) return ['', name];
  for (let i = name.length - 1; i > 0; i--) {
    if (name[i] !== '/') continue;
    const prefix = name.slice(0, i);
    const rest = name.slice(i + 1);
    if (Buffer.byteLength(prefix) <= 155 && Buffer.byteLength(rest) <= 100) return [prefix, rest];
  }
  throw new Error(`tar member name too long for ustar: ${name}`);
}

function header(m: TarMember): Buffer {
  const h = Buffer.alloc(512);
  const [prefix, name] = splitName(m.name);
  h.write(name, 0, 100, 'utf8');
  h.write(octal(0o644, 8), 100, 'ascii');
  h.write(octal(0, 8), 108, 'ascii');
  h.write(octal(0, 8), 116, 'ascii');
  h.write(octal(m.data.length, 12), 124, 'ascii');
  h.write(octal(FIXED_MTIME, 12), 136, 'ascii');
  h.write('        ', 148, 'ascii'); // checksum is computed over spaces in its own field
  h.write('0', 156, 'ascii');
  h.write('ustar\0', 257, 'ascii');
  h.write('00', 263, 'ascii');
  h.write('root', 265, 'ascii');
  h.write('root', 297, 'ascii');
  h.write(prefix, 345, 155, 'utf8');
  let sum = 0;
  for (const b of h) sum += b;
  h.write(sum.toString(8).padStart(6, '0') + '\0 ', 148, 'ascii');
  return h;
}

export function writeTar(members: TarMember[]): Buffer {
  const parts: Buffer[] = [];
  for (const m of members) {
    parts.push(header(m), m.data);
    const pad = (512 - (m.data.length % 512)) % 512;
    if (pad) parts.push(Buffer.alloc(pad));
  }
  parts.push(Buffer.alloc(1024)); // two zero blocks end the archive
  return Buffer.concat(parts);
}

export function writeTarGz(members: TarMember[]): Buffer {
  const gz = gzipSync(writeTar(members), { level: 9 });
  gz[9] = 3; // OS byte: zlib sets it from the build platform; pin it so hashes match everywhere
  return gz;
}
