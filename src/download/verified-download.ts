/**
 * Streams one file from the upstream into a temporary file, hashing as it goes, and
 * publishes it (rename) only when size and sha256 match. A body longer than declared
 * is cut off at the first extra byte. Mismatches are retried like network faults; a
 * wrong file is never published.
 */
import { createHash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { JubjubError } from '../errors.js';
import { storageError, type Storage } from '../storage/storage.js';
import { networkError, statusError, type UpstreamHttp } from '../upstream/http.js';

export interface Expected {
  sha256: string;
  /** Exact size when known (distribution files); otherwise a cap (`.metadata`). */
  size: number | null;
  maxBytes?: number;
}

class Digest extends Transform {
  private readonly hash = createHash('sha256');
  bytes = 0;

  constructor(private readonly limit: number, private readonly url: string) {
    super();
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    this.bytes += chunk.length;
    if (this.bytes > this.limit) {
      done(new JubjubError('E_TOO_LARGE', `${this.url}: body is longer than the declared ${this.limit} bytes`, { transient: true }));
      return;
    }
    this.hash.update(chunk);
    done(null, chunk);
  }

  hex(): string {
    return this.hash.digest('hex');
  }
}

export interface DownloadDeps {
  http: UpstreamHttp;
  storage: Storage;
  hosts: readonly string[];
  fsync: boolean;
}

async function attempt(deps: DownloadDeps, url: string, expected: Expected, dest: string): Promise<number> {
  const res = await deps.http.open(url, { hosts: deps.hosts });
  if (res.status !== 200) {
    res.body.resume();
    throw statusError(res.status, url, res.headers);
  }
  const limit = expected.size ?? expected.maxBytes ?? 64 * 1024 * 1024;
  const temp = await deps.storage.createTemp();
  const digest = new Digest(limit, url);
  try {
    await pipeline(res.body, digest, temp.stream);
  } catch (err) {
    res.body.destroy();
    await deps.storage.discard(temp);
    if (err instanceof JubjubError) throw err;
    if ((err as NodeJS.ErrnoException).syscall === 'write') throw storageError(err, 'write a download');
    throw networkError(err, url);
  }
  const sha = digest.hex();
  if ((expected.size !== null && digest.bytes !== expected.size) || sha !== expected.sha256) {
    await deps.storage.discard(temp);
    throw new JubjubError(
      'E_HASH_MISMATCH',
      `${url}: got ${digest.bytes} bytes with sha256 ${sha}, expected ${expected.size ?? '?'} bytes with ${expected.sha256}`,
      { transient: true },
    );
  }
  await deps.storage.commit(temp, dest, { fsync: deps.fsync });
  return digest.bytes;
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
      // Our own disk or a refused path will not get better from another URL.
      if (err instanceof JubjubError && (err.code === 'E_STORAGE' || err.code === 'E_UNSAFE')) throw err;
      last = err;
    }
  }
  throw last ?? new JubjubError('E_HTTP', `no URL to download ${dest}`);
}
