/**
 * Downloads one file into the mirror, verified: a download thread streams it into a
 * temporary file, hashing as it goes, and renames it into place only when size and
 * sha256 match (`fetch-file.ts`). Mismatches are retried like network faults; a wrong
 * file is never published. Retries and the choice of URL stay here, on the main thread,
 * under the shared policy.
 */
import { JubjubError } from '../errors.js';
import type { Storage } from '../storage/storage.js';
import type { UpstreamHttp } from '../upstream/http.js';
import { errorFromData } from './fetch-file.js';
import type { FilePool } from './file-pool.js';

export interface Expected {
  sha256: string;
  /** Exact size when known (distribution files); otherwise a cap (`.metadata`). */
  size: number | null;
  maxBytes?: number;
}

export interface DownloadDeps {
  http: UpstreamHttp;
  files: FilePool;
  storage: Storage;
  hosts: readonly string[];
  fsync: boolean;
}

async function attempt(deps: DownloadDeps, url: string, expected: Expected, dest: string): Promise<number> {
  const paths = deps.storage.downloadPaths(dest);
  const limit = expected.size ?? expected.maxBytes ?? 64 * 1024 * 1024;
  const outcome = await deps.files.run({ url, hosts: deps.hosts, sha256: expected.sha256, size: expected.size, limit, ...paths, fsync: deps.fsync });
  deps.http.count(outcome.requests, outcome.received);
  if (!outcome.ok) throw errorFromData(outcome.error);
  return outcome.bytes;
}

/**
 * Tries each URL in turn (the nearer `files_url` first), each with the shared retry
 * policy. Returns the bytes written.
 */
export async function downloadVerified(deps: DownloadDeps, urls: string[], expected: Expected, dest: string): Promise<number> {
  let last: unknown;
  for (const url of urls) {
    try {
      return await deps.http.retry(url, () => attempt(deps, url, expected, dest));
    } catch (err) {
      // Our own disk or a refused path will not get better from another URL, and a stop
      // means no more requests.
      if (err instanceof JubjubError && (err.code === 'E_STORAGE' || err.code === 'E_UNSAFE' || err.code === 'E_INTERRUPTED')) throw err;
      last = err;
    }
  }
  throw last ?? new JubjubError('E_HTTP', `no URL to download ${dest}`);
}
