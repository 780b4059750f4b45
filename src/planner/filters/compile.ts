/**
 * Turns FilterSettings (plus the entries read from allow_files/deny_files) into
 * CompiledFilters. Everything that can be wrong with the filters is found here, once,
 * as a ConfigError naming the key, so that selecting never throws.
 */
import { ConfigError } from '../../errors.js';
import type { CompiledEntry, CompiledFilters, ReleaseRules } from './compiled.js';
import { compilePlatformEntries } from './platform.js';
import { parsePythonVersion, type PythonVersion } from './python-versions.js';
import { buildReleaseRules } from './release-rules.js';
import { parseRequirement } from './requirement.js';
import { loadRequirementFiles, type RequirementEntry } from './requirements-file.js';
import { filterFileLine, PACKAGE_TYPES, type FilterSettings } from './settings.js';
import { parseSpecifier } from './specifier.js';

export type { CompiledEntry, CompiledFilters } from './compiled.js';
export { describeFilters, type FiltersSummary } from './describe.js';

function inline(key: string, values: readonly string[]): RequirementEntry[] {
  return values.map((value, i) => {
    const source = `filters.${key}[${i}]`;
    try {
      return { requirement: parseRequirement(value), source };
    } catch (err) {
      throw new ConfigError(`${source}: ${err instanceof Error ? err.message : String(err)}`);
    }
  });
}

function compileEntry(entry: RequirementEntry): CompiledEntry {
  // The specifier was validated when the requirement was parsed; parsing it again
  // cannot fail, but keeps Requirement a plain, serializable record.
  return { ...entry, clauses: parseSpecifier(entry.requirement.specifier) };
}

function byName(entries: readonly CompiledEntry[]): Map<string, CompiledEntry[]> {
  const map = new Map<string, CompiledEntry[]>();
  for (const e of entries) {
    const list = map.get(e.requirement.name);
    if (list === undefined) map.set(e.requirement.name, [e]);
    else list.push(e);
  }
  return map;
}

function compilePatterns(patterns: readonly string[]): RegExp[] {
  return patterns.map((p, i) => {
    try {
      return new RegExp(p);
    } catch (err) {
      throw new ConfigError(`filters.deny_patterns[${i}]: ${err instanceof Error ? err.message : String(err)}`);
    }
  });
}

function checkNumbers(s: FilterSettings): void {
  if (!Number.isInteger(s.latest) || s.latest < 0) {
    throw new ConfigError(`filters.latest: expected an integer ≥ 0, got ${JSON.stringify(s.latest)}`);
  }
  for (const [key, value] of [
    ['max_file_size', s.maxFileSize],
    ['max_project_size', s.maxProjectSize],
  ] as const) {
    if (value !== null && !(Number.isFinite(value) && value >= 0)) {
      throw new ConfigError(`filters.${key}: expected a size ≥ 0, got ${String(value)}`);
    }
  }
}

function checkLists(s: FilterSettings): void {
  s.packagetypes.forEach((t, i) => {
    if (!PACKAGE_TYPES.includes(t)) {
      throw new ConfigError(`filters.packagetypes[${i}]: unknown package type '${t}' (expected one of ${PACKAGE_TYPES.join(', ')})`);
    }
  });
  for (const side of ['include', 'exclude'] as const) {
    s.platforms[side].forEach((p, i) => {
      if (p.trim() === '') throw new ConfigError(`filters.platforms.${side}[${i}]: empty platform entry`);
    });
  }
}

/** Pure: the inline strings are parsed here, file entries come already read. Throws ConfigError. */
export function compileFilters(
  settings: FilterSettings,
  fromFiles: { allow: RequirementEntry[]; deny: RequirementEntry[] },
): CompiledFilters {
  checkNumbers(settings);
  checkLists(settings);
  const allowEntries = [...inline('allow', settings.allow), ...fromFiles.allow].map(compileEntry);
  const denyEntries = [...inline('deny', settings.deny), ...fromFiles.deny].map(compileEntry);
  const allowByName = byName(allowEntries);
  const denyByName = byName(denyEntries);

  const releaseRules = new Map<string, ReleaseRules>();
  for (const name of new Set([...allowByName.keys(), ...denyByName.keys()])) {
    releaseRules.set(name, buildReleaseRules(allowByName.get(name) ?? [], denyByName.get(name) ?? []));
  }
  return {
    settings,
    // Configured allow_files that hold no entries allow nothing: an empty or truncated
    // list must not turn into "mirror the whole index".
    allowAll: settings.allow.length === 0 && settings.allowFiles.length === 0,
    allowEntries,
    denyEntries,
    allowedProjects: new Set(allowByName.keys()),
    deniedProjects: new Set(denyEntries.filter((e) => e.clauses.length === 0).map((e) => e.requirement.name)),
    denyPatterns: compilePatterns(settings.denyPatterns),
    releaseRules,
    packagetypes: settings.packagetypes.length === 0 ? null : new Set(settings.packagetypes),
    platformsInclude: compilePlatformEntries(settings.platforms.include),
    platformsExclude: compilePlatformEntries(settings.platforms.exclude),
    prereleases: settings.prereleases,
    yanked: settings.yanked,
    latest: settings.latest,
    maxFileSize: settings.maxFileSize,
    maxProjectSize: settings.maxProjectSize,
    // Validated by the loader; anything else is dropped rather than matched wrongly.
    pythonVersions: (settings.pythonVersions ?? []).map(parsePythonVersion).filter((v): v is PythonVersion => v !== null),
    minAgeMs: settings.minAgeMs ?? null,
    dependencies: (settings.dependencies ?? false) && !(settings.allow.length === 0 && settings.allowFiles.length === 0),
  };
}

/**
 * Reads one list of files. An error names the key that lists the file, and the line of
 * mirror.yaml when the loader recorded it, before what went wrong in the file itself:
 * `filters.allow_files[1]: lists/ci.txt:7: ... (mirror.yaml:12)`.
 */
async function readFiles(settings: FilterSettings, key: 'allowFiles' | 'denyFiles'): Promise<RequirementEntry[]> {
  const yamlKey = key === 'allowFiles' ? 'allow_files' : 'deny_files';
  const out: RequirementEntry[] = [];
  for (const [i, file] of settings[key].entries()) {
    try {
      out.push(...(await loadRequirementFiles([file])));
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      const line = filterFileLine(settings, key, i);
      throw new ConfigError(`filters.${yamlKey}[${i}]: ${err.message}${line === undefined ? '' : ` (${line})`}`);
    }
  }
  return out;
}

/** Reads allow_files and deny_files, then compiles. Throws ConfigError. */
export async function loadFilters(settings: FilterSettings): Promise<CompiledFilters> {
  const allow = await readFiles(settings, 'allowFiles');
  const deny = await readFiles(settings, 'denyFiles');
  return compileFilters(settings, { allow, deny });
}
