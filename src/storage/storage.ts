/**
 * With `download-file.ts` (a download's side, on a download thread), the only code that
 * writes to the mirror's disk: the served tree (`root`) and the
 * state folder (`state`). Every path is given relative to one of the two and checked to
 * stay inside it, so no upstream-derived name can escape. Whole files are written to a
 * temporary name and renamed into place, so a reader (or a crash) never sees half a file.
 * Temporaries live in `<root>/.jubjub-tmp/` (and `<state>/tmp/`): the same filesystem as
 * their final place, so the rename stays atomic, and a dot-folder the shipped server
 * configs never serve, so a killed run leaves nothing half-written in sight.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, fsync, linkSync, mkdirSync, openSync, readFileSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { link, mkdir, open, type FileHandle, readdir, rename, rm, stat, unlink, writeFile as writeFileRaw } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { JubjubError } from '../errors.js';
import { FlushGroup } from './flush.js';
import { inLanes } from './lanes.js';
import { Placement } from './place.js';
import { pruneEmpty } from './prune.js';

export type Area = 'root' | 'state';

const fsyncAsync = promisify(fsync);

/** A relative path of non-empty segments, none of them `.` or `..`, and no NUL. */
const PLAIN_PATH = /^(?!\.\.?(?:\/|$))[^/\0]+(?:\/(?!\.\.?(?:\/|$))[^/\0]+)*$/;

/** Opens a temporary for writing, making its folder again if someone removed it. */
export function openTemp(tmp: string, flags: 'w' | 'wx' = 'w'): number {
  try {
    return openSync(tmp, flags);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    mkdirSync(path.dirname(tmp), { recursive: true });
    return openSync(tmp, flags);
  }
}

function unlinkQuietly(file: string): void {
  try {
    unlinkSync(file);
  } catch {
    // Never made, or gone already.
  }
}

/** Deletions in flight: twice libuv's 16 threads (`bin/jubjub.js`). */
export const REMOVE_LANES = 32;

export const TEMP_DIR = '.jubjub-tmp';
const STATE_TEMP_DIR = 'tmp';
/**
 * Temporaries are spread over this many subfolders of the temporary folder. Every
 * create and rename locks its folder: with one folder, 16 threads creating and renaming
 * temporaries queued on that one lock (a kernel profile of `rebuild` showed it).
 */
const TEMP_SHARDS = 16;
const tempShards = Array.from({ length: TEMP_SHARDS }, (_, i) => i.toString(16));

/** What identifies one written version of a file: a rename keeps it, any rewrite changes it. */
export interface FileIdentity {
  ino: string;
  size: number;
  mtimeNs: string;
}

export interface WriteWithOptions {
  links?: string[];
  beforeRename?: (written: FileIdentity) => Promise<void>;
}

/** One wording for disk failures, wherever they surface: `cannot <what>: disk full`. */
export function storageError(err: unknown, what: string): JubjubError {
  if (err instanceof JubjubError) return err;
  const code = (err as NodeJS.ErrnoException).code ?? 'EIO';
  const hint = code === 'ENOSPC' ? 'disk full' : code === 'EACCES' || code === 'EPERM' ? 'permission denied' : code;
  return new JubjubError('E_STORAGE', `cannot ${what}: ${hint}`, { cause: err });
}

/** The identity of an open file (inode, size, mtime in ns): see `FileIdentity`. */
export async function fileIdentity(fh: FileHandle): Promise<FileIdentity> {
  const st = await fh.stat({ bigint: true });
  return { ino: String(st.ino), size: Number(st.size), mtimeNs: String(st.mtimeNs) };
}

export class Storage {
  readonly root: string;
  readonly state: string;
  private readonly place = new Placement();
  private readonly tempPrefix = `${process.pid}-${randomBytes(4).toString('hex')}`;
  private tempCounter = 0;
  /** Descriptors of files appended to (the run journal): one open per run, not per line. */
  private readonly appending = new Map<string, number>();
  private readonly rootFlush: FlushGroup;
  /** For a state folder on another filesystem than the root; made on first use. */
  private stateFlush: FlushGroup | null | undefined;

  constructor(root: string, state: string) {
    this.root = path.resolve(root);
    this.state = path.resolve(state);
    this.rootFlush = new FlushGroup(this.root);
  }

  /** Makes every download renamed into the root so far durable (see `flush.ts`). */
  flushRoot(): Promise<void> {
    return this.rootFlush.flush();
  }

  /**
   * Makes everything written so far under the root and the state durable: before files
   * are deleted, what stopped naming them (pages, records, the journal) must be on disk,
   * or a power cut could keep an old page that names a deleted file.
   */
  async flushAll(): Promise<void> {
    if (this.stateFlush === undefined) {
      const dev = (dir: string) => statSync(dir, { throwIfNoEntry: false })?.dev;
      this.stateFlush = dev(this.state) === dev(this.root) ? null : new FlushGroup(this.state);
    }
    await Promise.all([this.rootFlush.flush(), this.stateFlush?.flush()]);
  }

  /** Stops the flush helpers, if any were started. */
  close(): void {
    this.rootFlush.close();
    this.stateFlush?.close();
    for (const full of [...this.appending.keys()]) this.stopAppending(full);
  }

  /** Before a file appended to is deleted or replaced: later lines go to a new file. */
  private stopAppending(full: string): void {
    const fd = this.appending.get(full);
    if (fd === undefined) return;
    this.appending.delete(full);
    closeSync(fd);
  }

  /** Absolute path of `rel` inside `area`; throws if it would land anywhere else. */
  resolve(area: Area, rel: string): string {
    const base = area === 'root' ? this.root : this.state;
    // Almost every path is already plain (segments without `.`, `..` or empty ones):
    // joined as it is. A first sync resolves a few hundred thousand paths, and the
    // general route below allocated half a gigabyte of intermediate strings doing it.
    if (PLAIN_PATH.test(rel) && base !== '/') return `${base}/${rel}`;
    const full = path.resolve(base, rel);
    const back = path.relative(base, full);
    if (rel.includes('\0') || path.isAbsolute(rel) || back === '' || back.startsWith('..') || path.isAbsolute(back)) {
      throw new JubjubError('E_UNSAFE', `refusing to write outside ${area}: ${JSON.stringify(rel)}`);
    }
    return full;
  }

  async ensureDirs(): Promise<void> {
    try {
      await mkdir(this.root, { recursive: true });
      await mkdir(this.state, { recursive: true });
      // The temporary folders are made on first use (`openTemp`, `ensureDir`): a no-op
      // sync writes three files, and making all 32 up front was 64 system calls of it.
    } catch (err) {
      throw storageError(err, 'create the mirror folders');
    }
  }

  /**
   * Replaces `rel` atomically with `data`; each of `links` (same area) becomes another
   * name for the same file, replaced atomically too, before `rel` is.
   */
  async writeFile(area: Area, rel: string, data: string | Buffer, opts: { fsync?: boolean; links?: readonly string[] } = {}): Promise<void> {
    const full = this.resolve(area, rel);
    this.stopAppending(full);
    const linked = (opts.links ?? []).map((r) => this.resolve(area, r));
    const tmp = this.tempPath(area);
    const extra: string[] = [];
    try {
      const fd = openTemp(tmp);
      try {
        const bytes = typeof data === 'string' ? Buffer.from(data) : data;
        for (let off = 0; off < bytes.length; ) off += writeSync(fd, bytes, off, bytes.length - off);
        if (opts.fsync) await fsyncAsync(fd);
      } finally {
        closeSync(fd);
      }
      await this.linkInto(area, tmp, linked, extra, true);
      await this.place.rename(tmp, full);
    } catch (err) {
      for (const t of [tmp, ...extra]) unlinkQuietly(t);
      throw storageError(err, `write ${area}/${rel}`);
    }
  }

  /** Gives the finished temporary `tmp` the names `linked`, each by its own link and rename. */
  private async linkInto(area: Area, tmp: string, linked: readonly string[], made: string[], onPool: boolean): Promise<void> {
    for (const to of linked) {
      const second = this.tempPath(area);
      made.push(second);
      this.place.ensureDir(path.dirname(second));
      linkSync(tmp, second);
      if (onPool) await this.place.rename(second, to);
      else this.place.renameSync(second, to, true);
    }
  }

  /**
   * Replaces a file outside the mirror (the metrics textfile) atomically. The temporary
   * sits beside it under a dot-name without the `.prom` suffix, so node_exporter's
   * textfile collector never reads a half-written file.
   */
  async writeOutside(file: string, data: string): Promise<void> {
    const full = path.resolve(file);
    const tmp = path.join(path.dirname(full), `.${path.basename(full)}.${process.pid}.tmp`);
    try {
      await writeFileRaw(tmp, data);
      await rename(tmp, full);
    } catch (err) {
      await unlink(tmp).catch(() => undefined);
      throw storageError(err, `write ${full}`);
    }
  }

  /**
   * Replaces `rel` atomically with what `produce` writes, as it comes (large pages): each
   * `write` has reached the file when it resolves, so the caller may reuse its buffer.
   * `links` get the same file as hard links, each replaced atomically too: a second name
   * for identical bytes costs a link, not another copy. `beforeRename` sees the finished
   * file's identity, so a caller can record what it wrote before anyone is served it.
   */
  async writeWith(area: Area, rel: string, produce: (write: (buf: Buffer) => Promise<void>) => Promise<void>, opts: WriteWithOptions = {}): Promise<void> {
    const full = this.resolve(area, rel);
    this.stopAppending(full);
    const linked = (opts.links ?? []).map((r) => this.resolve(area, r));
    const tmp = this.tempPath(area);
    const extra: string[] = [];
    try {
      this.place.ensureDir(path.dirname(tmp));
      const fh = await open(tmp, 'w');
      let written: FileIdentity;
      try {
        await produce(async (buf) => {
          for (let off = 0; off < buf.length; ) off += (await fh.write(buf, off, buf.length - off)).bytesWritten;
        });
        written = await fileIdentity(fh);
      } finally {
        await fh.close();
      }
      await opts.beforeRename?.(written);
      // A few large pages: renamed here, as each one's writeback is as big as the page.
      // On the pool, updates of the 750,000-project root listing took 40-70 ms longer.
      await this.linkInto(area, tmp, linked, extra, false);
      this.place.renameSync(tmp, full, true);
    } catch (err) {
      await Promise.all([tmp, ...extra].map((t) => unlink(t).catch(() => undefined)));
      throw storageError(err, `write ${area}/${rel}`);
    }
  }

  /** The identity of `rel` (see `FileIdentity`), or null if it is not there. */
  async identity(area: Area, rel: string): Promise<FileIdentity | null> {
    const st = await stat(this.resolve(area, rel), { bigint: true }).catch(() => null);
    return st ? { ino: String(st.ino), size: Number(st.size), mtimeNs: String(st.mtimeNs) } : null;
  }

  /** An open handle on `rel` for reading ranges of it, or null if it is not there. */
  async openRead(area: Area, rel: string): Promise<FileHandle | null> {
    try {
      return await open(this.resolve(area, rel), 'r');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw storageError(err, `read ${area}/${rel}`);
    }
  }

  /**
   * Creates `rel` holding `data`, only if it does not exist yet (the lock). It appears
   * whole: written beside it under a private name, then hard-linked into place, so no
   * reader ever sees it empty or half-written and takes a live lock for a torn one.
   */
  async createExclusive(area: Area, rel: string, data: string): Promise<boolean> {
    const full = this.resolve(area, rel);
    const tmp = `${full}.new-${this.tempPrefix}-${++this.tempCounter}`;
    try {
      await mkdir(path.dirname(full), { recursive: true });
      await writeFileRaw(tmp, data, { flag: 'wx' });
      await link(tmp, full);
      return true;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
      throw storageError(err, `create ${area}/${rel}`);
    } finally {
      await unlink(tmp).catch(() => undefined);
    }
  }

  async appendLine(area: Area, rel: string, line: string): Promise<void> {
    const full = this.resolve(area, rel);
    try {
      let fd = this.appending.get(full);
      if (fd === undefined) {
        this.place.ensureDir(path.dirname(full));
        fd = openSync(full, 'a');
        this.appending.set(full, fd);
      }
      writeSync(fd, `${line}\n`);
    } catch (err) {
      throw storageError(err, `append to ${area}/${rel}`);
    }
  }

  private tempRoot(area: Area): string {
    return area === 'root' ? path.join(this.root, TEMP_DIR) : path.join(this.state, STATE_TEMP_DIR);
  }

  private tempPath(area: Area): string {
    const n = ++this.tempCounter;
    return path.join(this.tempRoot(area), tempShards[n % TEMP_SHARDS] ?? '0', `${this.tempPrefix}-${n}`);
  }

  /**
   * Where a download of `rel` is written (`temp`, in a temporary folder that exists) and
   * then renamed to (`dest`): absolute paths for a download thread's `DownloadFile`.
   * Throws `E_UNSAFE` if `rel` would land outside the root.
   */
  downloadPaths(rel: string): { temp: string; dest: string } {
    return { temp: this.tempPath('root'), dest: this.resolve('root', rel) };
  }

  /**
   * Deletes `rel` (a missing file is fine). Under the root it also removes the folder the
   * file was in if that is left empty (prune.ts), so a removed project stops resolving;
   * state folders are shared by concurrent writers and are never pruned.
   */
  async remove(area: Area, rel: string): Promise<void> {
    await this.removeAll(area, [rel]);
  }

  /**
   * Deletes every path of `rels` like `remove`, then tries each of their folders once: a
   * file and its `.metadata` share a folder, and pruning after each deletion tried that
   * folder twice, the first time in vain.
   */
  async removeAll(area: Area, rels: readonly string[]): Promise<void> {
    const fulls = rels.map((rel) => this.resolve(area, rel));
    for (const full of fulls) this.stopAppending(full);
    await inLanes(fulls, REMOVE_LANES, async (full, i) => {
      try {
        await unlink(full);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw storageError(err, `delete ${area}/${rels[i]}`);
      }
    });
    if (area === 'root') for (const dir of await pruneEmpty(this.root, fulls.map((f) => path.dirname(f)), REMOVE_LANES)) this.place.forget(dir);
  }

  /**
   * Removes what crashed runs left in the temporary folders (call only under the lock);
   * the shard folders themselves stay. Returns how many leftovers it removed.
   */
  async clearTemp(): Promise<number> {
    let count = 0;
    const clear = async (dir: string, keep: ReadonlySet<string>): Promise<void> => {
      const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
      await Promise.all(entries.map(async (e) => {
        const full = path.join(dir, e.name);
        if (keep.has(e.name) && e.isDirectory()) return clear(full, new Set());
        count++;
        await rm(full, { force: true, recursive: true });
      }));
    };
    for (const area of ['root', 'state'] as const) await clear(this.tempRoot(area), new Set(tempShards));
    return count;
  }

  async read(area: Area, rel: string): Promise<Buffer | null> {
    try {
      return readFileSync(this.resolve(area, rel));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw storageError(err, `read ${area}/${rel}`);
    }
  }

  async size(area: Area, rel: string): Promise<number | null> {
    try {
      const s = statSync(this.resolve(area, rel));
      return s.isFile() ? s.size : null;
    } catch {
      return null;
    }
  }
}
