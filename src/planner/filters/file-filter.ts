/** Step 2 of filters.md: the per-file keys (min_age, which needs the clock, is in select.ts). */
import type { UpstreamFile } from '../../model.js';
import type { CompiledFilters } from './compiled.js';
import { passesPlatforms, platformTags } from './platform.js';
import { installableOn } from './python-versions.js';

/** Whether a file passes `packagetypes`, `platforms`, `max_file_size`, `yanked` and `python_versions`. */
export function keepFile(f: CompiledFilters, file: UpstreamFile): boolean {
  if (f.packagetypes !== null && !f.packagetypes.has(file.packagetype)) return false;
  if (f.maxFileSize !== null && file.size > f.maxFileSize) return false;
  if (!f.yanked && file.yanked) return false;
  if (f.pythonVersions.length > 0 && !installableOn(file, f.pythonVersions)) return false;
  if (f.platformsInclude === null && f.platformsExclude === null) return true;
  return passesPlatforms(platformTags(file), f.platformsInclude, f.platformsExclude);
}
