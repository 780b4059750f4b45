/**
 * Platform tags of distribution files, and the `platforms.include`/`exclude` globs
 * matched against them.
 */
import type { UpstreamFile } from '../../model.js';

/**
 * `macos` also covers the bare `macosx` tag of a bdist_dmg file: the table in
 * filters.md lists only `macosx_*`, which would let `exclude: [macos]` keep .dmg
 * installers, surely not what an operator means.
 */
export const PLATFORM_KEYWORDS: Readonly<Record<string, readonly string[]>> = {
  windows: ['win32', 'win_*'],
  macos: ['macosx', 'macosx_*'],
  linux: ['linux_*', 'manylinux*', 'musllinux_*'],
  manylinux: ['manylinux*'],
  musllinux: ['musllinux_*'],
  freebsd: ['freebsd_*'],
};

function extension(filename: string): string {
  const dot = filename.lastIndexOf('.');
  return dot < 0 ? '' : filename.slice(dot).toLowerCase();
}

/**
 * The platform tags of a file, or null when it is platform-independent (an sdist, a
 * wheel tagged only `any`, an egg without a platform, anything else).
 */
export function platformTags(file: Pick<UpstreamFile, 'filename' | 'packagetype'>): string[] | null {
  const { filename, packagetype } = file;
  if (packagetype === 'sdist') return null;
  const ext = extension(filename);
  if (ext === '.whl') {
    // name-ver(-build)?-pytag-abitag-plattag.whl
    const parts = filename.slice(0, -4).split('-');
    const last = parts[parts.length - 1];
    if (parts.length < 5 || last === undefined) return null;
    const tags = last.toLowerCase().split('.');
    return tags.every((t) => t === 'any') ? null : tags;
  }
  if (ext === '.exe' || ext === '.msi' || packagetype === 'bdist_wininst' || packagetype === 'bdist_msi') {
    return ['win32'];
  }
  if (ext === '.dmg' || packagetype === 'bdist_dmg') return ['macosx'];
  if (ext === '.egg') {
    // name-ver-pyX.Y-platform.egg, where the platform itself may hold `-`
    const parts = filename.slice(0, -4).split('-');
    if (parts.length < 4 || !/^py\d/i.test(parts[2] ?? '')) return null;
    return [parts.slice(3).join('-').replace(/[-.]/g, '_').toLowerCase()];
  }
  return null;
}

/** A keyword's globs, or the entry itself as a glob. */
export function expandPlatformEntry(entry: string): readonly string[] {
  const key = entry.trim().toLowerCase();
  return PLATFORM_KEYWORDS[key] ?? [key];
}

function globSource(glob: string): string {
  return glob
    .split('')
    .map((ch) => (ch === '*' ? '.*' : ch === '?' ? '.' : ch.replace(/[\\^$.|+()[\]{}]/g, '\\$&')))
    .join('');
}

/** `*` any run of characters, `?` one character, matched against the whole tag. */
export function globToRegExp(glob: string): RegExp {
  return new RegExp(`^${globSource(glob.toLowerCase())}$`, 's');
}

export interface PlatformMatcher {
  /** The entries as configured. */
  readonly entries: readonly string[];
  /** What the keywords expanded to. */
  readonly globs: readonly string[];
  readonly regex: RegExp;
}

/** null for an empty list, which means "no constraint". */
export function compilePlatformEntries(entries: readonly string[]): PlatformMatcher | null {
  if (entries.length === 0) return null;
  const globs = [...new Set(entries.flatMap(expandPlatformEntry))];
  const regex = new RegExp(`^(?:${globs.map((g) => globSource(g)).join('|')})$`, 's');
  return { entries: [...entries], globs, regex };
}

/**
 * include: a platform-specific file stays only if one of its tags matches;
 * exclude: it goes if every one of its tags matches. Platform-independent files
 * (tags null) always stay.
 */
export function passesPlatforms(
  tags: readonly string[] | null,
  include: PlatformMatcher | null,
  exclude: PlatformMatcher | null,
): boolean {
  if (tags === null) return true;
  if (include !== null && !tags.some((t) => include.regex.test(t))) return false;
  if (exclude !== null && tags.every((t) => exclude.regex.test(t))) return false;
  return true;
}
