import { escapeDistName, escapeVersion } from './names.js';
import { writeZip, type ZipMember } from './zip.js';

/** Eggs and wininst installers: long dead, but old releases on PyPI still carry them. */

export function eggFilename(displayName: string, version: string, tags: string): string {
  return `${escapeDistName(displayName)}-${escapeVersion(version)}-${tags}.egg`;
}

/** `py2.7-linux-x86_64` → `2.7`, which is what PyPI reports as the egg's python_version. */
export function eggPythonVersion(tags: string): string {
  const m = /^py(\d+(?:\.\d+)?)/.exec(tags);
  return m?.[1] ?? 'any';
}

export function buildEgg(displayName: string, version: string, metadata: Buffer, filler: Buffer): Buffer {
  const pkg = escapeDistName(displayName);
  const members: ZipMember[] = [
    { name: `${pkg}/__init__.py`, data: Buffer.from(`__version__ = "${version}"\n`) },
    { name: 'EGG-INFO/PKG-INFO', data: metadata },
    { name: 'EGG-INFO/top_level.txt', data: Buffer.from(`${pkg}\n`) },
  ];
  if (filler.length) members.push({ name: `${pkg}/_filler.bin`, data: filler, store: true });
  return writeZip(members);
}

export function exeFilename(displayName: string, version: string, tags: string): string {
  return `${escapeDistName(displayName)}-${escapeVersion(version)}.${tags}.exe`;
}

/** Only the bytes' stability matters: mirrors never run these. */
export function buildExe(displayName: string, version: string, filler: Buffer): Buffer {
  const stub = Buffer.alloc(64);
  stub.write('MZ', 0, 'ascii');
  stub.write(`${displayName} ${version}`.slice(0, 60), 2, 'utf8');
  return Buffer.concat([stub, filler]);
}
