/**
 * The one module that writes to the mirror's disk: the served tree (`root`) and the
 * state folder (`state`). Every path is given relative to one of the two and checked to
 * stay inside it, so no upstream-derived name can escape. Whole files are written to a
 * temporary name and renamed into place, so a reader (or a crash) never sees half a file.
 * Temporaries live in `<root>/.jubjub-tmp/` (and `<state>/tmp/`): the same filesystem as
 * their final place, so the rename stays atomic, and a dot-folder the shipped server
 * configs never serve, so a killed run leaves nothing half-written in sight.
 */
import { randomBytes } from 'node:crypto';
import { createWriteStream, type WriteStream } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { appendFile, copyFile, link, mkdir, open, readFile, readdir, rename, rm, rmdir, stat, unlink, writeFile as writeFileRaw } from 'node:fs/promises';
import path from 'node:path';
import { JubjubError } from '../errors.js';

export type Area = 'root' | 'state';

export const TEMP_DIR = '.jubjub-tmp';
const STATE_TEMP_DIR = 'tmp';

export interface TempFile {
  path: string;
  stream: WriteStream;
}

/** One wording for disk failures, wherever they surface: `cannot <what>: disk full`. */
export function storageError(err: unknown, what: string): JubjubError {
  if (err instanceof JubjubError) return err;
  const code = (err as NodeJS.ErrnoException).code ?? 'EIO';
  const hint = code === 'ENOSPC' ? 'disk full' : code === 'EACCES' || code === 'EPERM' ? 'permission denied' : code;
  return new JubjubError('E_STORAGE', `cannot ${what}: ${hint}`, { cause: err });
}

/** Joins small chunks into writes of a few MB: a thousand tiny writes cost more than the bytes. */
async function* coalesce(chunks: AsyncIterable<string | Buffer>): AsyncGenerator<Buffer> {
  const LIMIT = 4 * 1024 * 1024;
  let pending: Buffer[] = [];
  let size = 0;
  for await (const chunk of chunks) {
    const buf = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    pending.push(buf);
    size += buf.length;
    if (size >= LIMIT) {
      yield Buffer.concat(pending, size);
      pending = [];
      size = 0;
    }
  }
  if (size > 0) yield Buffer.concat(pending, size);
}

export class Storage {
  readonly root: string;
  readonly state: string;
  /**
   * Folders this process made or found: a run writes thousands of files into a few
   * folders, and a `mkdir` before each would double its system calls. A prune forgets
   * the folder; a rename that still meets a missing folder makes it and tries again.
   */
  private readonly knownDirs = new Set<string>();
  private readonly tempPrefix = `${process.pid}-${randomBytes(4).toString('hex')}`;
  private tempCounter = 0;

  constructor(root: string, state: string) {
    this.root = path.resolve(root);
    this.state = path.resolve(state);
  }

  /** Absolute path of `rel` inside `area`; throws if it would land anywhere else. */
  resolve(area: Area, rel: string): string {
    const base = area === 'root' ? this.root : this.state;
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
      await mkdir(path.join(this.root, TEMP_DIR), { recursive: true });
      await mkdir(path.join(this.state, STATE_TEMP_DIR), { recursive: true });
    } catch (err) {
      throw storageError(err, 'create the mirror folders');
    }
  }

  /** Replaces `rel` atomically with `data`. */
  async writeFile(area: Area, rel: string, data: string | Buffer, opts: { fsync?: boolean } = {}): Promise<void> {
    const full = this.resolve(area, rel);
    const tmp = this.tempPath(area);
    try {
      const fh = await open(tmp, 'w').catch(async (err: NodeJS.ErrnoException) => {
        if (err.code !== 'ENOENT') throw err;
        await mkdir(path.dirname(tmp), { recursive: true });
        return open(tmp, 'w');
      });
      try {
        await fh.writeFile(data);
        if (opts.fsync) await fh.sync();
      } finally {
        await fh.close();
      }
      await this.renameInto(tmp, full);
    } catch (err) {
      await unlink(tmp).catch(() => undefined);
      throw storageError(err, `write ${area}/${rel}`);
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

  /** Replaces `rel` atomically with what `chunks` yields, written as it comes (large pages). */
  async writeStream(area: Area, rel: string, chunks: AsyncIterable<string | Buffer>): Promise<void> {
    const full = this.resolve(area, rel);
    const tmp = this.tempPath(area);
    try {
      await this.ensureDir(path.dirname(tmp));
      await pipeline(Readable.from(coalesce(chunks)), createWriteStream(tmp));
      await this.renameInto(tmp, full);
    } catch (err) {
      await unlink(tmp).catch(() => undefined);
      throw storageError(err, `write ${area}/${rel}`);
    }
  }

  /** Replaces `to` atomically with a copy of `from` (the kernel copies; no bytes pass through JS). */
  async copy(area: Area, from: string, to: string): Promise<void> {
    const src = this.resolve(area, from);
    const full = this.resolve(area, to);
    const tmp = this.tempPath(area);
    try {
      await copyFile(src, tmp);
      await this.renameInto(tmp, full);
    } catch (err) {
      await unlink(tmp).catch(() => undefined);
      throw storageError(err, `write ${area}/${to}`);
    }
  }

  /** Renames into place, making the parent folder (again, if a concurrent prune just removed it). */
  private async renameInto(from: string, to: string): Promise<void> {
    const dir = path.dirname(to);
    for (let attempt = 0; ; attempt++) {
      await this.ensureDir(dir, attempt > 0);
      try {
        await rename(from, to);
        return;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT' || attempt > 2) throw err;
      }
    }
  }

  private async ensureDir(dir: string, again = false): Promise<void> {
    if (!again && this.knownDirs.has(dir)) return;
    await mkdir(dir, { recursive: true });
    this.knownDirs.add(dir);
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
      await this.ensureDir(path.dirname(full));
      await appendFile(full, `${line}\n`);
    } catch (err) {
      throw storageError(err, `append to ${area}/${rel}`);
    }
  }

  private tempPath(area: Area): string {
    const dir = area === 'root' ? path.join(this.root, TEMP_DIR) : path.join(this.state, STATE_TEMP_DIR);
    return path.join(dir, `${this.tempPrefix}-${++this.tempCounter}`);
  }

  /** A new temporary file for a download; pass it to `commit` or `discard`. */
  async createTemp(): Promise<TempFile> {
    const full = this.tempPath('root');
    try {
      const fh = await open(full, 'wx');
      return { path: full, stream: fh.createWriteStream() };
    } catch (err) {
      throw storageError(err, 'create a temporary file');
    }
  }

  /** Flushes and moves a finished temporary file to `rel` under the root. */
  async commit(temp: TempFile, rel: string, opts: { fsync?: boolean } = {}): Promise<void> {
    try {
      const full = this.resolve('root', rel);
      if (opts.fsync) {
        const fh = await open(temp.path, 'r+');
        try {
          await fh.sync();
        } finally {
          await fh.close();
        }
      }
      await this.renameInto(temp.path, full);
    } catch (err) {
      await this.discard(temp);
      throw storageError(err, `publish ${rel}`);
    }
  }

  async discard(temp: TempFile): Promise<void> {
    temp.stream.destroy();
    await unlink(temp.path).catch(() => undefined);
  }

  /**
   * Deletes `rel` (a missing file is fine). Under the root it also prunes the folders it
   * leaves empty, so a removed project stops resolving; state folders are shared by
   * concurrent writers and are never pruned.
   */
  async remove(area: Area, rel: string): Promise<void> {
    const full = this.resolve(area, rel);
    try {
      await unlink(full);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw storageError(err, `delete ${area}/${rel}`);
    }
    if (area !== 'root') return;
    for (let dir = path.dirname(full); dir !== this.root && dir.startsWith(this.root); dir = path.dirname(dir)) {
      try {
        await rmdir(dir);
        this.knownDirs.delete(dir);
      } catch {
        break;
      }
    }
  }

  /** Removes what crashed runs left in the temporary folder (call only under the lock). */
  async clearTemp(): Promise<number> {
    let count = 0;
    for (const dir of [path.join(this.root, TEMP_DIR), path.join(this.state, STATE_TEMP_DIR)]) {
      const names = await readdir(dir).catch(() => [] as string[]);
      await Promise.all(names.map((n) => rm(path.join(dir, n), { force: true, recursive: true })));
      count += names.length;
    }
    return count;
  }

  async read(area: Area, rel: string): Promise<Buffer | null> {
    try {
      return await readFile(this.resolve(area, rel));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw storageError(err, `read ${area}/${rel}`);
    }
  }

  async size(area: Area, rel: string): Promise<number | null> {
    try {
      const s = await stat(this.resolve(area, rel));
      return s.isFile() ? s.size : null;
    } catch {
      return null;
    }
  }
}
