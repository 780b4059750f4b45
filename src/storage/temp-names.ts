/**
 * Where `Storage` writes a file before renaming it into place. Both kinds of temporary
 * sit on the same filesystem as their destination, so the rename is atomic, and under a
 * dot-name, which the shipped server configurations never serve.
 *
 * - Downloads, large pages and the state: a unique name in one of 16 subfolders of
 *   `<root>/.jubjub-tmp/` (or `<state>/tmp/`), cleared at the start of the next run.
 * - Small whole-file writes to the served tree (project pages, JSON documents,
 *   `last-modified`): `.<name>.jubjub-tmp` beside the destination. On ext4 without a
 *   journal, a create searches past the inodes freed recently in its block group, and a
 *   rewritten page frees the inode of the page it replaces: with the temporaries all in
 *   the shared folders, those freed inodes piled up where every next create searched. A
 *   rebuild rewriting 1,582 projects' pages took a median 6.44 s that way and 5.22 s
 *   with temporaries beside their pages (7 alternating pairs). The name is the same for
 *   every write of one destination, so whatever a killed run left there is overwritten
 *   by the next write of that file, which a resumed run makes (it rewrites the pages of
 *   every project it runs again), and a removed project's folder goes with its own.
 *   `verify` skips them, as it skips the shared folders.
 */
import path from 'node:path';

export const TEMP_DIR = '.jubjub-tmp';
export const STATE_TEMP_DIR = 'tmp';
/**
 * Temporaries are spread over this many subfolders of the temporary folder. Every
 * create and rename locks its folder: with one folder, 16 threads creating and renaming
 * temporaries queued on that one lock (a kernel profile of `rebuild` showed it).
 */
export const TEMP_SHARDS = 16;
export const tempShards = Array.from({ length: TEMP_SHARDS }, (_, i) => i.toString(16));

const BESIDE_SUFFIX = '.jubjub-tmp';

/** The temporary beside `file` (an absolute or a relative path). */
export function besideTemp(file: string): string {
  return path.join(path.dirname(file), `.${path.basename(file)}${BESIDE_SUFFIX}`);
}

/** Whether a file name is one of `besideTemp`'s: a leftover is not an orphan. */
export function isBesideTemp(name: string): boolean {
  return name.startsWith('.') && name.endsWith(BESIDE_SUFFIX);
}
