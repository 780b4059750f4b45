/**
 * `min_age`, a cooldown: a file uploaded less than `min_age` before the run waits until it
 * comes of age. New malicious releases are usually yanked or removed within hours, so a
 * file yanked before it is first published is never published (removed ones simply are
 * no longer listed). A file already published stays, yanked or not, like any other.
 */
import type { UpstreamFile } from '../../model.js';

export interface CooldownContext {
  /** The run's clock (ms since the epoch). */
  now: number;
  /** Filenames the project's pages already name. */
  published: ReadonlySet<string>;
}

/** `keep`, `drop`, or the time (ms) the file comes of age. */
export type Cooldown = 'keep' | 'drop' | number;

export function cooldown(file: Pick<UpstreamFile, 'filename' | 'uploadTime' | 'yanked'>, minAgeMs: number, ctx: CooldownContext): Cooldown {
  if (ctx.published.has(file.filename)) return 'keep';
  if (file.yanked) return 'drop';
  // A file with no upload time cannot be aged; PyPI always states one. Held back for good
  // would hide it silently, so it is treated as old.
  const uploaded = file.uploadTime === null ? Number.NaN : Date.parse(file.uploadTime);
  if (Number.isNaN(uploaded)) return 'keep';
  const mature = uploaded + minAgeMs;
  return mature <= ctx.now ? 'keep' : mature;
}
