/**
 * Brings every planned file of one project onto disk, through the shared download
 * queue so files of one project download in parallel too. Only paths the record lists
 * as pending can be on disk unpublished (they are recorded before any download starts),
 * so only those are looked for; one whose bytes hash right is not downloaded again.
 */
import { createHash } from 'node:crypto';
import { downloadVerified } from '../download/verified-download.js';
import { JubjubError, errorCode, errorMessage } from '../errors.js';
import { streamDigest } from '../storage/digest.js';
import type { PublishedFile } from '../model.js';
import type { PlannedFile } from '../planner/plan.js';
import { MAX_METADATA_BYTES } from '../upstream/documents.js';
import type { SyncContext } from './context.js';


export interface FetchResult {
  /** Files that are on disk and may be named by the pages. */
  files: PublishedFile[];
  failures: Array<{ filename: string; code: string; error: string }>;
  /** A stop request abandoned some downloads: the project is not done. */
  interrupted: boolean;
  added: number;
  bytesAdded: number;
  /** Downloads made (files and `.metadata`): not durable until `Storage.flushRoot`. */
  downloaded: number;
}

/** `files_url` first (same path on the nearer host), then the file's own URL. */
export function candidateUrls(ctx: SyncContext, url: string): string[] {
  const near = ctx.cfg.upstream.filesUrl;
  if (!near) return [url];
  const own = new URL(url);
  const base = nearBase(near);
  const mirrored = `${base.origin}${base.prefix}${own.pathname}${own.search}`;
  return mirrored === url ? [url] : [mirrored, url];
}

/** `files_url` parsed once per run, not once per file. */
let parsedNear: { near: string; origin: string; prefix: string } | null = null;
function nearBase(near: string): { origin: string; prefix: string } {
  if (parsedNear?.near !== near) {
    const base = new URL(near);
    parsedNear = { near, origin: base.origin, prefix: base.pathname.replace(/\/+$/, '') };
  }
  return parsedNear;
}

interface MetadataResult {
  sha: string | null;
  downloaded?: boolean;
  /** The upstream advertises metadata that could not be fetched: the project is retried. */
  failure?: { code: string; error: string };
}

async function ensureMetadata(ctx: SyncContext, p: PlannedFile, maybeOnDisk: boolean): Promise<MetadataResult> {
  const sha = p.metadataSha256;
  if (sha === null) return { sha: null };
  const rel = `${p.path}.metadata`;
  if (p.metadataPublished) return { sha };
  const existing = maybeOnDisk || p.published ? await ctx.storage.read('root', rel) : null;
  if (existing && createHash('sha256').update(existing).digest('hex') === sha) return { sha };
  try {
    await ctx.downloadQueue.add(
      () => {
        notStopping(ctx);
        return downloadVerified(
          { http: ctx.http, files: ctx.files, storage: ctx.storage, hosts: ctx.cfg.upstream.fileHosts, fsync: false },
          candidateUrls(ctx, `${p.file.url}.metadata`),
          { sha256: sha, size: null, maxBytes: MAX_METADATA_BYTES },
          rel,
        );
      },
      { throwOnTimeout: true },
    );
    return { sha, downloaded: true };
  } catch (err) {
    if (err instanceof JubjubError && (err.code === 'E_STORAGE' || err.code === 'E_INTERRUPTED')) throw err;
    // Pages advertise metadata only where it is really served (pip falls back to the
    // wheel), and the project counts as failed so that the next run fetches it again.
    return { sha: null, failure: { code: errorCode(err), error: `${p.file.filename}.metadata: ${errorMessage(err)}` } };
  }
}

function notStopping(ctx: SyncContext): void {
  if (ctx.stopping.requested) throw new JubjubError('E_INTERRUPTED', 'stopped before this download started');
}

/** Bytes downloaded, or null when the file was already in place. */
async function ensureFile(ctx: SyncContext, p: PlannedFile, maybeOnDisk: boolean): Promise<number | null> {
  if (p.published) return null;
  if (maybeOnDisk) {
    // Renamed in place by a run that stopped before flushing it: after a power cut the
    // name may hold fewer or other bytes, so only the hash proves it whole.
    const onDisk = await streamDigest(ctx.storage.resolve('root', p.path));
    if (onDisk?.size === p.file.size && onDisk.sha256 === p.file.sha256) return null;
  }
  return ctx.downloadQueue.add(
    () => {
      // Checked when the queue starts the task: a stop abandons what has not begun.
      notStopping(ctx);
      return downloadVerified(
        { http: ctx.http, files: ctx.files, storage: ctx.storage, hosts: ctx.cfg.upstream.fileHosts, fsync: false },
        candidateUrls(ctx, p.file.url),
        { sha256: p.file.sha256, size: p.file.size },
        p.path,
      );
    },
    { throwOnTimeout: true },
  );
}

/** `pending`: paths a killed run may have left on disk (see PublishedRecord.pending). */
export async function fetchFiles(ctx: SyncContext, planned: PlannedFile[], pending: ReadonlySet<string>): Promise<FetchResult> {
  const result: FetchResult = { files: [], failures: [], interrupted: false, added: 0, bytesAdded: 0, downloaded: 0 };
  const toFetch = planned.filter((p) => !p.published).length;
  ctx.progress.filesTotal += toFetch;
  const settled = await Promise.allSettled(
    planned.map(async (p) => {
      const maybeOnDisk = pending.has(p.path);
      const bytes = await ensureFile(ctx, p, maybeOnDisk).finally(() => {
        if (!p.published) ctx.progress.filesDone++;
      });
      try {
        return { p, bytes, metadata: await ensureMetadata(ctx, p, maybeOnDisk), interrupted: false };
      } catch (err) {
        // The file itself is in place and verified: publish it; the resumed run adds its metadata.
        if (err instanceof JubjubError && err.code === 'E_INTERRUPTED') return { p, bytes, metadata: { sha: null }, interrupted: true };
        throw err;
      }
    }),
  );
  settled.forEach((s, i) => {
    const p = planned[i];
    if (!p) return;
    if (s.status === 'rejected') {
      if (s.reason instanceof JubjubError && s.reason.code === 'E_STORAGE') throw s.reason;
      if (s.reason instanceof JubjubError && s.reason.code === 'E_INTERRUPTED') {
        result.interrupted = true;
        return;
      }
      result.failures.push({ filename: p.file.filename, code: errorCode(s.reason), error: errorMessage(s.reason) });
      return;
    }
    if (s.value.interrupted) result.interrupted = true;
    if (s.value.bytes !== null) {
      result.added++;
      result.bytesAdded += s.value.bytes;
      result.downloaded++;
    }
    if (s.value.metadata.downloaded) result.downloaded++;
    const failure = s.value.metadata.failure;
    if (failure) result.failures.push({ filename: p.file.filename, ...failure });
    result.files.push({ ...p.file, path: p.path, metadataSha256: s.value.metadata.sha });
  });
  return result;
}
