/**
 * Writes the root pages from the listing shards, splicing each from the previous one
 * (root-splice.ts). Per page: the layout of the page now served is trusted only if it
 * was recorded for that very file; the new page is written to a temporary, its layout
 * recorded, and only then is it renamed into place, so a kill at any point leaves either
 * a layout that matches the served page or one that matches nothing (a full render).
 * A page that would come out byte for byte as it is (the HTML page, when only serials
 * changed) is kept; only its layout is updated to the shards' new digests.
 * `index.v1_html` is a hard link to `index.html`: the same bytes, written once.
 */
import type { FileHandle } from 'node:fs/promises';
import { fileIdentity, type Storage } from '../storage/storage.js';
import { ROOT_HTML_HEAD, ROOT_HTML_TAIL, ROOT_JSON_TAIL, rootHtmlFragment, rootJsonFragment, rootJsonHead, type Entry } from './root-pages.js';
import { assemblePage, copiesWholeBody, planPage, sameFile, type LayoutPart, type PageLayout } from './root-splice.js';

export interface ShardSource {
  /** Every root page is rendered anew, whatever its layout says. */
  fresh: boolean;
  load(keys: string[]): Promise<void>;
  /** A loaded shard's entries, sorted. */
  entries(key: string): Entry[];
  /** That state of the shard's fragment if it was rendered ahead (fragment-pool.ts), else null. */
  fragment?(key: string, digest: string, format: 'html' | 'json'): Promise<string | null>;
}

interface PageSpec {
  format: 'html' | 'json';
  page: string;
  links: string[];
  layout: string;
  head: string;
  sep: string;
  tail: string;
  render(entries: Entry[]): string;
}

function specs(serial: number): Record<'html' | 'json', PageSpec> {
  return {
    json: { format: 'json', page: 'simple/index.v1_json', links: [], layout: 'listing/page-json.json', head: rootJsonHead(serial), sep: ',', tail: ROOT_JSON_TAIL, render: rootJsonFragment },
    html: { format: 'html', page: 'simple/index.html', links: ['simple/index.v1_html'], layout: 'listing/page-html.json', head: ROOT_HTML_HEAD, sep: '', tail: ROOT_HTML_TAIL, render: rootHtmlFragment },
  };
}

/** `want`: every non-empty shard, sorted, with its digest. */
export async function writeRootPages(
  storage: Storage,
  formats: ReadonlyArray<'html' | 'json'>,
  serial: number,
  want: ReadonlyArray<readonly [string, string]>,
  shards: ShardSource,
): Promise<void> {
  const all = specs(serial);
  // Independent files, written side by side: each is mostly the kernel copying bytes.
  await Promise.all((['json', 'html'] as const).filter((f) => formats.includes(f)).map((f) => writePage(storage, all[f], want, shards)));
}

async function writePage(storage: Storage, spec: PageSpec, want: ReadonlyArray<readonly [string, string]>, shards: ShardSource): Promise<void> {
  const old = shards.fresh ? null : await readLayout(storage, spec.layout);
  const fh = old ? await storage.openRead('root', spec.page) : null;
  try {
    const valid = old !== null && fh !== null && sameFile(old, await fileIdentity(fh));
    const oldParts = valid ? old.parts : [];
    const planned = planPage(oldParts, want, spec.sep.length);
    const renderKeys = planned.flatMap((s) => (s.kind === 'render' ? [s.key] : []));
    await shards.load(renderKeys);
    // A shard whose state changed may still render the bytes the page holds (the HTML
    // page names no serials): those are copied, and a page left wholly unchanged is kept.
    const rendered = new Map<string, Buffer>();
    const sameBytes = new Set<string>();
    const oldByKey = new Map(oldParts.map((p) => [p[0], p]));
    for (const key of renderKeys) {
      const part = oldByKey.get(key);
      if (!part || !fh) continue;
      const body = Buffer.from(spec.render(shards.entries(key)));
      if (body.length === part[3] && body.equals(await readRange(fh, part[2], part[3]))) sameBytes.add(key);
      else rendered.set(key, body);
    }
    const steps = sameBytes.size > 0 ? planPage(oldParts, want, spec.sep.length, sameBytes) : planned;
    if (old && fh && valid && copiesWholeBody(steps, oldParts) && (await sameEnds(fh, old, spec)) && (await linksIntact(storage, spec, old))) {
      const first = steps[0];
      const parts = first?.kind === 'copy' ? first.parts : [];
      if (parts.some((p, i) => p[1] !== oldParts[i]?.[1])) await storage.writeFile('state', spec.layout, JSON.stringify({ ...old, parts } satisfies PageLayout));
      return;
    }
    const parts: LayoutPart[] = [];
    const digests = new Map(want);
    const source = {
      head: spec.head,
      sep: spec.sep,
      tail: spec.tail,
      read: (offset: number, into: Buffer) => readInto(fh, offset, into),
      render: async (key: string) => rendered.get(key) ?? (await shards.fragment?.(key, digests.get(key) ?? '', spec.format)) ?? spec.render(shards.entries(key)),
    };
    await storage.writeWith('root', spec.page, (write) => assemblePage(steps, source, write, parts), {
      links: spec.links,
      beforeRename: (written) => storage.writeFile('state', spec.layout, JSON.stringify({ ...written, parts } satisfies PageLayout)),
    });
  } finally {
    await fh?.close();
  }
}

/** Whether the old page's bytes before and after its fragments are this spec's head and tail. */
async function sameEnds(fh: FileHandle, old: PageLayout, spec: PageSpec): Promise<boolean> {
  const head = Buffer.from(spec.head);
  const tail = Buffer.from(spec.tail);
  const first = old.parts[0];
  const last = old.parts[old.parts.length - 1];
  const bodyStart = first ? first[2] : head.length;
  const bodyEnd = last ? last[2] + last[3] : head.length;
  if (bodyStart !== head.length || old.size !== bodyEnd + tail.length) return false;
  return head.equals(await readRange(fh, 0, head.length)) && tail.equals(await readRange(fh, bodyEnd, tail.length));
}

/** Whether every other name of the page is still the very same file. */
async function linksIntact(storage: Storage, spec: PageSpec, old: PageLayout): Promise<boolean> {
  for (const rel of spec.links) {
    const id = await storage.identity('root', rel);
    if (!id || !sameFile(id, old)) return false;
  }
  return true;
}

async function readRange(fh: FileHandle, offset: number, length: number): Promise<Buffer> {
  const buf = Buffer.alloc(length);
  const got = await readInto(fh, offset, buf);
  return buf.subarray(0, got);
}

async function readLayout(storage: Storage, rel: string): Promise<PageLayout | null> {
  const buf = await storage.read('state', rel);
  if (!buf) return null;
  try {
    const layout = JSON.parse(buf.toString('utf8')) as PageLayout;
    return Array.isArray(layout.parts) ? layout : null;
  } catch {
    // A torn or foreign layout only costs a full render.
    return null;
  }
}

async function readInto(fh: FileHandle | null, offset: number, into: Buffer): Promise<number> {
  if (!fh) throw new Error('no previous root page to copy from');
  let got = 0;
  while (got < into.length) {
    const { bytesRead } = await fh.read(into, got, into.length - got, offset + got);
    if (bytesRead === 0) break;
    got += bytesRead;
  }
  return got;
}
