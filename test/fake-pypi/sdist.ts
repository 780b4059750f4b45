import { escapeDistName, escapeVersion } from './names.js';
import { writeTarGz, type TarMember } from './tar.js';

export interface SdistInput {
  displayName: string;
  version: string;
  metadata: Buffer;
  filler: Buffer;
}

/** PEP 625: the sdist name is normalized with underscores, like a wheel's. */
export function sdistBase(displayName: string, version: string): string {
  return `${escapeDistName(displayName)}-${escapeVersion(version)}`;
}

export function buildSdist(s: SdistInput): Buffer {
  const base = sdistBase(s.displayName, s.version);
  const pkg = escapeDistName(s.displayName);
  const pyproject = [
    '[build-system]',
    'requires = ["setuptools>=61"]',
    'build-backend = "setuptools.build_meta"',
    '',
    '[project]',
    `name = "${s.displayName}"`,
    `version = "${s.version}"`,
    '',
  ].join('\n');
  const members: TarMember[] = [
    { name: `${base}/PKG-INFO`, data: s.metadata },
    { name: `${base}/pyproject.toml`, data: Buffer.from(pyproject) },
    { name: `${base}/${pkg}/__init__.py`, data: Buffer.from(`__version__ = "${s.version}"\n`) },
  ];
  if (s.filler.length) members.push({ name: `${base}/${pkg}/_filler.bin`, data: s.filler });
  return writeTarGz(members);
}
