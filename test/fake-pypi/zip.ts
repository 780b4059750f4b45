import { crc32, deflateRawSync } from 'node:zlib';

/**
 * Minimal zip writer for wheels and eggs. Timestamps and attributes are fixed so the same
 * inputs give the same bytes (and so the same sha256) on every run.
 */

export interface ZipMember {
  name: string;
  data: Buffer;
  /** Filler is incompressible; storing it keeps the archive size predictable. */
  store?: boolean;
}

// 1980-01-01 00:00:00, the DOS epoch: the earliest date zip can express.
const DOS_TIME = 0;
const DOS_DATE = (0 << 9) | (1 << 5) | 1;
// Made by Unix (3), spec 2.0, so extractors apply the mode bits in the external attributes.
const VERSION_MADE_BY = (3 << 8) | 20;
const VERSION_NEEDED = 20;
const UNIX_FILE_0644 = (0o100644 << 16) >>> 0;

export function writeZip(members: ZipMember[]): Buffer {
  const chunks: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  for (const m of members) {
    const name = Buffer.from(m.name, 'utf8');
    const method = m.store ? 0 : 8;
    const body = m.store ? m.data : deflateRawSync(m.data, { level: 9 });
    const crc = crc32(m.data);

    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(VERSION_NEEDED, 4);
    local.writeUInt16LE(0x0800, 6); // bit 11: names are UTF-8
    local.writeUInt16LE(method, 8);
    local.writeUInt16LE(DOS_TIME, 10);
    local.writeUInt16LE(DOS_DATE, 12);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(body.length, 18);
    local.writeUInt32LE(m.data.length, 22);
    local.writeUInt16LE(name.length, 26);
    local.writeUInt16LE(0, 28);
    chunks.push(local, name, body);

    const cen = Buffer.alloc(46);
    cen.writeUInt32LE(0x02014b50, 0);
    cen.writeUInt16LE(VERSION_MADE_BY, 4);
    cen.writeUInt16LE(VERSION_NEEDED, 6);
    cen.writeUInt16LE(0x0800, 8);
    cen.writeUInt16LE(method, 10);
    cen.writeUInt16LE(DOS_TIME, 12);
    cen.writeUInt16LE(DOS_DATE, 14);
    cen.writeUInt32LE(crc, 16);
    cen.writeUInt32LE(body.length, 20);
    cen.writeUInt32LE(m.data.length, 24);
    cen.writeUInt16LE(name.length, 28);
    // extra length, comment length, disk number, internal attrs: all zero
    cen.writeUInt32LE(UNIX_FILE_0644, 38);
    cen.writeUInt32LE(offset, 42);
    central.push(cen, name);

    offset += local.length + name.length + body.length;
  }
  const cdSize = central.reduce((n, b) => n + b.length, 0);
  const eocd = Buffer.alloc(22);
  eocd.writeUInt32LE(0x06054b50, 0);
  eocd.writeUInt16LE(members.length, 8);
  eocd.writeUInt16LE(members.length, 10);
  eocd.writeUInt32LE(cdSize, 12);
  eocd.writeUInt32LE(offset, 16);
  return Buffer.concat([...chunks, ...central, eocd]);
}
