import { filler } from './filler.js';
import { buildEgg, buildExe, eggFilename, eggPythonVersion, exeFilename } from './legacy.js';
import { coreMetadata, summaryFor } from './metadata.js';
import { buildSdist, sdistBase } from './sdist.js';
import { buildWheel, wheelFilename } from './wheel.js';

export type FileKind = 'wheel' | 'sdist' | 'egg' | 'exe';

export interface ArtifactInput {
  displayName: string;
  version: string;
  kind: FileKind;
  tags: string | undefined;
  size: number | undefined;
  requiresPython: string | null;
  requiresDist: string[];
}

export interface Artifact {
  filename: string;
  bytes: Buffer;
  packagetype: 'bdist_wheel' | 'sdist' | 'bdist_egg' | 'bdist_wininst';
  pythonVersion: string;
  /** The METADATA member's exact bytes, served as `<file>.metadata`; wheels only. */
  metadata: Buffer | null;
}

const DEFAULT_TAGS: Record<FileKind, string> = {
  wheel: 'py3-none-any',
  sdist: '',
  egg: 'py2.7',
  exe: 'win32',
};

function describe(a: ArtifactInput, tags: string): Omit<Artifact, 'bytes' | 'metadata'> {
  switch (a.kind) {
    case 'wheel':
      return {
        filename: wheelFilename(a.displayName, a.version, tags),
        packagetype: 'bdist_wheel',
        pythonVersion: tags.split('-')[0] ?? 'py3',
      };
    case 'sdist':
      return { filename: `${sdistBase(a.displayName, a.version)}.tar.gz`, packagetype: 'sdist', pythonVersion: 'source' };
    case 'egg':
      return { filename: eggFilename(a.displayName, a.version, tags), packagetype: 'bdist_egg', pythonVersion: eggPythonVersion(tags) };
    case 'exe':
      return { filename: exeFilename(a.displayName, a.version, tags), packagetype: 'bdist_wininst', pythonVersion: 'any' };
  }
}

export function buildArtifact(a: ArtifactInput): Artifact {
  const tags = a.tags ?? DEFAULT_TAGS[a.kind];
  const d = describe(a, tags);
  const metadata = coreMetadata({
    displayName: a.displayName,
    version: a.version,
    summary: summaryFor(a.displayName),
    requiresPython: a.requiresPython,
    requiresDist: a.requiresDist,
  });
  const build = (pad: Buffer): Buffer => {
    switch (a.kind) {
      case 'wheel':
        return buildWheel({ displayName: a.displayName, version: a.version, tags, metadata, filler: pad });
      case 'sdist':
        return buildSdist({ displayName: a.displayName, version: a.version, metadata, filler: pad });
      case 'egg':
        return buildEgg(a.displayName, a.version, metadata, pad);
      case 'exe':
        return buildExe(a.displayName, a.version, pad);
    }
  };
  let bytes = build(Buffer.alloc(0));
  if (a.size !== undefined && a.size > bytes.length) {
    // Container overhead (headers, RECORD lines, tar blocks, gzip stored blocks) shifts
    // with the filler's length, so converge on the target in a few corrections.
    // AES-CTR output for a shorter length is a prefix of a longer one: generate once, slice.
    const pad = filler(d.filename, a.size);
    let len = a.size - bytes.length;
    for (let i = 0; i < 4 && bytes.length !== a.size; i++) {
      bytes = build(pad.subarray(0, len));
      len = Math.min(a.size, Math.max(1, len + (a.size - bytes.length)));
    }
  }
  return { ...d, bytes, metadata: a.kind === 'wheel' ? metadata : null };
}
