/**
 * The `filters:` section as the config loader hands it over: keys renamed to
 * camelCase, sizes already in bytes, file paths already absolute.
 */

export interface FilterSettings {
  allow: string[];
  /** Absolute paths. */
  allowFiles: string[];
  deny: string[];
  /** Absolute paths. */
  denyFiles: string[];
  denyPatterns: string[];
  prereleases: boolean;
  yanked: boolean;
  /** 0 keeps every release. */
  latest: number;
  /** Empty keeps every type. */
  packagetypes: string[];
  platforms: { include: string[]; exclude: string[] };
  /** Bytes; null for no limit. */
  maxFileSize: number | null;
  /** Bytes; null for no limit. */
  maxProjectSize: number | null;
  /** `MAJOR.MINOR` strings; empty keeps every file. */
  pythonVersions: string[];
  /** Milliseconds; null for no cooldown. */
  minAgeMs: number | null;
  /** Grow the allow entries to their dependency closure. */
  dependencies: boolean;
}

// Frozen, arrays included: a caller that pushed onto the shared default would change
// every later compile. The casts only drop `readonly` from the declared type.
const none = (): string[] => Object.freeze([] as string[]) as string[];

/** Filters that keep everything: what `filters: {}` means. Spread it to change a key. */
export const defaultFilterSettings: FilterSettings = Object.freeze({
  allow: none(),
  allowFiles: none(),
  deny: none(),
  denyFiles: none(),
  denyPatterns: none(),
  prereleases: true,
  yanked: true,
  latest: 0,
  packagetypes: none(),
  platforms: Object.freeze({ include: none(), exclude: none() }),
  maxFileSize: null,
  maxProjectSize: null,
  pythonVersions: none(),
  minAgeMs: null,
  dependencies: false,
});

export const PACKAGE_TYPES: readonly string[] = [
  'sdist',
  'bdist_wheel',
  'bdist_egg',
  'bdist_wininst',
  'bdist_msi',
  'bdist_dmg',
  'bdist_rpm',
  'bdist_dumb',
];

/** For each of allowFiles / denyFiles, where the configuration names it (`mirror.yaml:7`). */
export interface FilterFileLines {
  allowFiles: readonly string[];
  denyFiles: readonly string[];
}

// Beside the settings rather than in them: the settings are the operator's keys, printed
// by check-config and compared whole by tests, and the lines matter only to an error.
const fileLines = new WeakMap<FilterSettings, FilterFileLines>();

/** Called by the config loader, which alone knows the lines. */
export function setFilterFileLines(settings: FilterSettings, lines: FilterFileLines): void {
  fileLines.set(settings, lines);
}

/** `mirror.yaml:7` for the index-th allow or deny file, if the settings came from a file. */
export function filterFileLine(settings: FilterSettings, key: 'allowFiles' | 'denyFiles', index: number): string | undefined {
  return fileLines.get(settings)?.[key][index];
}
