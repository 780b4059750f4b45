/**
 * One attempt at one file, as a download thread runs it: GET, hash while writing to the
 * temporary, and rename into place only when size and sha256 match. A body longer than
 * allowed is cut off at the first extra byte. The outcome is plain data (it crosses to
 * the main thread), errors included, so the main thread's retry policy can classify it.
 */
import { createHash } from 'node:crypto';
import { pipeline, type Readable } from 'node:stream';
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';
import { JubjubError, errorMessage, type ErrorCode } from '../errors.js';
import { DownloadFile } from '../storage/download-file.js';
import { networkError, statusError, type FileGetter } from '../upstream/http.js';

/** Bytes held before a write: 16 downloads in flight hold at most 4 MB. */
const WRITE_BATCH_BYTES = 256 * 1024;

export interface FileJob {
  url: string;
  hosts?: readonly string[];
  sha256: string;
  /** Exact size when known (distribution files); otherwise null and `limit` caps it. */
  size: number | null;
  limit: number;
  /** From `Storage.downloadPaths`. */
  temp: string;
  dest: string;
  fsync: boolean;
}

export interface ErrorData {
  code: ErrorCode;
  message: string;
  transient: boolean;
  retryAfter?: number;
}

export type FileOutcome = ({ ok: true; bytes: number } | { ok: false; error: ErrorData }) & {
  /** Requests made (redirects included) and body bytes received, for the run's counters. */
  requests: number;
  received: number;
};

/** What a job that never began reports: a stop was asked for while it waited. */
export const NOT_BEGUN: FileOutcome = {
  ok: false,
  error: { code: 'E_INTERRUPTED', message: 'stopped before this download started', transient: false },
  requests: 0,
  received: 0,
};

export function errorData(err: unknown): ErrorData {
  if (err instanceof JubjubError) return { code: err.code, message: err.message, transient: err.transient, retryAfter: err.retryAfter };
  return { code: 'E_NETWORK', message: errorMessage(err), transient: true };
}

export function errorFromData(data: ErrorData): JubjubError {
  return new JubjubError(data.code, data.message, { transient: data.transient, retryAfter: data.retryAfter });
}

/** Servers should not compress what was not asked to be; some do anyway. */
function decoded(body: Readable, encoding: string | undefined): Readable {
  const kind = encoding?.trim().toLowerCase();
  const decoder = kind === 'gzip' || kind === 'x-gzip' ? createGunzip() : kind === 'deflate' ? createInflate() : kind === 'br' ? createBrotliDecompress() : null;
  // pipeline, unlike pipe, destroys the decoder when the body fails, so the reader sees it.
  return decoder ? pipeline(body, decoder, () => undefined) : body;
}

export async function fetchFile(getter: FileGetter, job: FileJob): Promise<FileOutcome> {
  let requests = 0;
  let bytes = 0;
  let file: DownloadFile | null = null;
  try {
    const res = await getter.get(job.url, job.hosts);
    requests = res.requests;
    if (res.status !== 200) {
      res.body.resume();
      throw statusError(res.status, job.url, res.headers);
    }
    file = DownloadFile.create(job.temp);
    const hash = createHash('sha256');
    // Chunks arrive in socket-sized pieces: written together, most files take one write.
    let held: Buffer[] = [];
    let heldBytes = 0;
    const body = decoded(res.body, res.headers['content-encoding']);
    try {
      for await (const chunk of body as AsyncIterable<Buffer>) {
        bytes += chunk.length;
        if (bytes > job.limit) {
          res.body.destroy();
          throw new JubjubError('E_TOO_LARGE', `${job.url}: body is longer than the declared ${job.limit} bytes`, { transient: true });
        }
        hash.update(chunk);
        held.push(chunk);
        heldBytes += chunk.length;
        if (heldBytes >= WRITE_BATCH_BYTES) {
          file.write(held);
          held = [];
          heldBytes = 0;
        }
      }
      if (held.length > 0) file.write(held);
    } catch (err) {
      throw err instanceof JubjubError ? err : networkError(err, job.url);
    }
    const sha = hash.digest('hex');
    if ((job.size !== null && bytes !== job.size) || sha !== job.sha256) {
      throw new JubjubError(
        'E_HASH_MISMATCH',
        `${job.url}: got ${bytes} bytes with sha256 ${sha}, expected ${job.size ?? '?'} bytes with ${job.sha256}`,
        { transient: true },
      );
    }
    await file.publish(job.dest, { fsync: job.fsync });
    file = null;
    return { ok: true, bytes, requests, received: bytes };
  } catch (err) {
    file?.discard();
    return { ok: false, error: errorData(err), requests, received: bytes };
  }
}
