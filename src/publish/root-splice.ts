/**
 * Splicing a root page: a new page is the previous one with the changed shards'
 * fragments re-rendered and every unchanged run of shards copied as one byte range. A
 * run that changed ten projects of 750,000 then renders ten shards and copies a dozen
 * ranges, instead of rendering (or reading back) every shard's part of a 40 MB page.
 *
 * The layout of a written page says where each shard's fragment sits and which state
 * of the shard (its digest) it renders; it is trusted only for the very file it was
 * recorded for (the file's identity), so a page written any other way is rendered anew.
 */
import type { FileIdentity } from '../storage/storage.js';

/** One shard's fragment in a page: which shard, which state of it, and where. */
export type LayoutPart = [key: string, digest: string, offset: number, length: number];

export interface PageLayout extends FileIdentity {
  parts: LayoutPart[];
}

export type Step =
  | { kind: 'copy'; offset: number; length: number; parts: LayoutPart[] }
  | { kind: 'render'; key: string; digest: string };

/**
 * What the new page is made of, in order: `want` lists the shards it must hold (sorted,
 * non-empty) with their current digests. A shard whose digest the old page holds is
 * copied; copies of shards adjacent in the old page (only `sepLength` bytes apart) merge
 * into one range, separator included. An empty digest is a state never recorded and is
 * matched only by an empty digest: what the page rendered from that same state.
 */
export function planPage(
  old: readonly LayoutPart[],
  want: ReadonlyArray<readonly [key: string, digest: string]>,
  sepLength: number,
  /** Shards whose state changed but whose fragment renders to the very bytes the old page holds. */
  sameBytes: ReadonlySet<string> = new Set(),
): Step[] {
  const byKey = new Map(old.map((p) => [p[0], p]));
  const steps: Step[] = [];
  for (const [key, digest] of want) {
    const found = byKey.get(key);
    if (!found || (found[1] !== digest && !sameBytes.has(key))) {
      steps.push({ kind: 'render', key, digest });
      continue;
    }
    // Copied, and recorded with the shard's current digest.
    const part: LayoutPart = [key, digest, found[2], found[3]];
    const last = steps[steps.length - 1];
    if (last?.kind === 'copy' && last.offset + last.length + sepLength === part[2]) {
      last.length += sepLength + part[3];
      last.parts.push(part);
    } else {
      steps.push({ kind: 'copy', offset: part[2], length: part[3], parts: [part] });
    }
  }
  return steps;
}

export interface PageSource {
  head: string;
  /** Between two fragments (the JSON page's comma); copied ranges already hold theirs. */
  sep: string;
  tail: string;
  /** Fills `into` with `into.length` bytes of the old page from `offset`; resolves to what it read. */
  read(offset: number, into: Buffer): Promise<number>;
  render(key: string): Promise<string | Buffer>;
}

/** Reads of the old page are at most this large, so a page copied whole is never held whole. */
const READ_CHUNK = 4 * 1024 * 1024;
/** Small pieces (head, separators, rendered shards) are joined up to this before a write. */
const BATCH = 1024 * 1024;

/** The old page's ranges that `steps` copy, in order, cut to at most READ_CHUNK bytes. */
function copyReads(steps: readonly Step[]): Array<[offset: number, length: number]> {
  const reads: Array<[number, number]> = [];
  for (const step of steps) {
    if (step.kind !== 'copy') continue;
    for (let done = 0; done < step.length; done += READ_CHUNK) reads.push([step.offset + done, Math.min(READ_CHUNK, step.length - done)]);
  }
  return reads;
}

/**
 * Reads the planned ranges of the old page in order, each while the one before it is
 * being written: two buffers, reused, so a 40 MB copy allocates 8 MB once.
 */
class RangeReader {
  private next = 0;
  private ahead: Promise<Buffer> | null = null;
  private readonly buffers: Buffer[];

  constructor(private readonly reads: Array<[number, number]>, private readonly src: PageSource) {
    const size = Math.max(0, ...reads.map((r) => r[1]));
    this.buffers = reads.length === 0 ? [] : reads.length === 1 ? [Buffer.allocUnsafe(size)] : [Buffer.allocUnsafe(size), Buffer.allocUnsafe(size)];
  }

  private async start(k: number): Promise<Buffer> {
    const range = this.reads[k];
    const buffer = this.buffers[k % 2];
    if (!range || !buffer) throw new Error('root page splice read past its plan');
    const into = buffer.subarray(0, range[1]);
    const got = await this.src.read(range[0], into);
    if (got !== range[1]) throw new Error(`short read of the previous root page at ${range[0]}`);
    return into;
  }

  /** The next range; the caller must be done with the previous one's bytes. */
  async read(): Promise<Buffer> {
    const k = this.next++;
    const current = this.ahead ?? this.start(k);
    this.ahead = k + 1 < this.reads.length ? this.start(k + 1) : null;
    // A failed read-ahead is reported when it is awaited, not as an unhandled rejection.
    this.ahead?.catch(() => undefined);
    return current;
  }
}

/**
 * Writes the new page through `write`, in order; `layout` receives where each fragment
 * landed.
 */
export async function assemblePage(steps: readonly Step[], src: PageSource, write: (buf: Buffer) => Promise<void>, layout: LayoutPart[]): Promise<void> {
  const reader = new RangeReader(copyReads(steps), src);
  let pending: Buffer[] = [];
  let pendingSize = 0;
  let pos = 0;
  const flush = async (): Promise<void> => {
    if (pendingSize > 0) await write(pending.length === 1 && pending[0] ? pending[0] : Buffer.concat(pending, pendingSize));
    pending = [];
    pendingSize = 0;
  };
  const put = async (buf: Buffer): Promise<void> => {
    pending.push(buf);
    pendingSize += buf.length;
    pos += buf.length;
    if (pendingSize >= BATCH) await flush();
  };

  await put(Buffer.from(src.head));
  const sep = Buffer.from(src.sep);
  let first = true;
  for (const step of steps) {
    const rendered = step.kind === 'render' ? await src.render(step.key) : null;
    const body = typeof rendered === 'string' ? Buffer.from(rendered) : rendered;
    if (body?.length === 0) continue;
    if (!first && sep.length > 0) await put(sep);
    first = false;
    if (step.kind === 'render') {
      if (body) layout.push([step.key, step.digest, pos, body.length]);
      if (body) await put(body);
      continue;
    }
    for (const [key, digest, offset, length] of step.parts) layout.push([key, digest, pos + offset - step.offset, length]);
    await flush();
    for (let done = 0; done < step.length; ) {
      const buf = await reader.read();
      await write(buf);
      done += buf.length;
    }
    pos += step.length;
  }
  await put(Buffer.from(src.tail));
  await flush();
}

/**
 * Whether `steps` copy the whole old page between its head and tail, unchanged: then
 * the new page is the old one byte for byte if its head and tail are too.
 */
export function copiesWholeBody(steps: readonly Step[], old: readonly LayoutPart[]): boolean {
  const first = old[0];
  const last = old[old.length - 1];
  if (!first || !last) return steps.length === 0;
  const only = steps[0];
  return steps.length === 1 && only?.kind === 'copy' && only.offset === first[2] && only.length === last[2] + last[3] - first[2] && only.parts.length === old.length;
}

/** Whether a recorded layout describes exactly this file. */
export function sameFile(a: FileIdentity, b: FileIdentity): boolean {
  return a.ino === b.ino && a.size === b.size && a.mtimeNs === b.mtimeNs;
}
