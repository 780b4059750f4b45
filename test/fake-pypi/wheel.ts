import { createHash } from 'node:crypto';
import { escapeDistName, escapeVersion } from './names.js';
import { writeZip, type ZipMember } from './zip.js';

export interface WheelInput {
  displayName: string;
  version: string;
  tags: string;
  metadata: Buffer;
  filler: Buffer;
}

/** `py2.py3-none-any` style compressed tag sets expand to one `Tag:` line per combination. */
export function expandTags(tags: string): string[] {
  const [py = 'py3', abi = 'none', plat = 'any'] = tags.split('-');
  const out: string[] = [];
  for (const p of py.split('.'))
    for (const a of abi.split('.')) for (const pl of plat.split('.')) out.push(`${p}-${a}-${pl}`);
  return out;
}

export function wheelFilename(displayName: string, version: string, tags: string): string {
  return `${escapeDistName(displayName)}-${escapeVersion(version)}-${tags}.whl`;
}

function recordLine(path: string, data: Buffer): string {
  const digest = createHash('sha256').update(data).digest('base64url');
  return `${path},sha256=${digest},${data.length}`;
}

export function buildWheel(w: WheelInput): Buffer {
  const pkg = escapeDistName(w.displayName);
  const distInfo = `${pkg}-${escapeVersion(w.version)}.dist-info`;
  const [, abi = 'none', plat = 'any'] = w.tags.split('-');
  const purelib = abi === 'none' && plat === 'any';
  const wheelFile = [
    'Wheel-Version: 1.0',
    'Generator: jubjub-fake-pypi (0.1.0)',
    `Root-Is-Purelib: ${purelib}`,
    ...expandTags(w.tags).map((t) => `Tag: ${t}`),
  ].join('\n');

  const members: ZipMember[] = [
    { name: `${pkg}/__init__.py`, data: Buffer.from(`__version__ = "${w.version}"\n`) },
  ];
  if (w.filler.length) members.push({ name: `${pkg}/_filler.bin`, data: w.filler, store: true });
  members.push(
    { name: `${distInfo}/METADATA`, data: w.metadata },
    { name: `${distInfo}/WHEEL`, data: Buffer.from(wheelFile + '\n\n') },
  );
  const record = members.map((m) => recordLine(m.name, m.data));
  record.push(`${distInfo}/RECORD,,`);
  members.push({ name: `${distInfo}/RECORD`, data: Buffer.from(record.join('\n') + '\n') });
  return writeZip(members);
}
