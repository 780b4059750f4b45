/** The filters of filters.md: what a mirror keeps. */
export type { CompiledEntry, CompiledFilters, ReleaseRules } from './compiled.js';
export { compileFilters, loadFilters } from './compile.js';
export { describeFilters, type EntrySummary, type FiltersSummary, type PlatformSummary } from './describe.js';
export { keepFile } from './file-filter.js';
export { isValidProjectName, normalizeName } from './names.js';
export {
  compilePlatformEntries,
  expandPlatformEntry,
  globToRegExp,
  passesPlatforms,
  PLATFORM_KEYWORDS,
  platformTags,
  type PlatformMatcher,
} from './platform.js';
export { isProjectSelected } from './project.js';
export { parseRequirement, type Requirement } from './requirement.js';
export { loadRequirementFiles, type RequirementEntry } from './requirements-file.js';
export { selectFiles } from './select.js';
export { defaultFilterSettings, PACKAGE_TYPES, type FilterSettings } from './settings.js';
export { RequirementSyntaxError } from './syntax-error.js';
export { compareVersions, isLegacy, isPrerelease, matches, sortReleases } from './versions.js';
