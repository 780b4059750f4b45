/** Step 2 of filters.md: the per-file keys. */
import type { UpstreamFile } from '../../model.js';
import type { CompiledFilters } from './compiled.js';
import { passesPlatforms, platformTags } from './platform.js';

/** Whether a file passes `packagetypes`, `platforms`, `max_file_size` and `yanked`. */
export function keepFile(f: CompiledFilters, file: UpstreamFile): boolean {
  if (f.packagetypes !== null && !f.packagetypes.has(file.packagetype)) return false;
  if (f.maxFileSize !== null && file.size > f.maxFileSize) return false;
  if (!f.yanked && file.yanked) return false;
  if (f.platformsInclude === null && f.platformsExclude === null) return true;
  return passesPlatforms(platformTags(file), f.platformsInclude, f.platformsExclude);
}
