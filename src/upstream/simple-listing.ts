/**
 * The PEP 691 root listing (`<url>/simple/`) with per-project `_last-serial`: the change
 * feed of `changes: simple`. The body streams through `ListingScanner`, so a listing of
 * PyPI's size is never held whole. The request is conditional when the caller has the
 * validators of a listing it already processed: an unchanged listing is a 304 and costs
 * one small response.
 */
import { JubjubError } from '../errors.js';
import { schemaError } from './documents.js';
import { networkError, statusError, type UpstreamHttp } from './http.js';
import { headerSerial } from './serial-document.js';
import { ListingScanner } from './json-stream.js';
import { SIMPLE_JSON } from './simple-api.js';
import { simpleListingItemSchema, simpleListingMetaSchema } from './schemas.js';

export interface ListingValidators {
  etag: string | null;
  lastModified: string | null;
}

export type ListingResult = { unchanged: true } | { unchanged: false; serial: number; validators: ListingValidators };

/**
 * Decompressed bytes. PyPI's listing is about 40 MB for 750,000 projects; since it
 * streams, the cap only stops a body that never ends.
 */
export const MAX_LISTING_BYTES = 1024 * 1024 * 1024;
/** One project line is under 100 bytes; meta is a few. */
const MAX_ENTRY_BYTES = 64 * 1024;

function header(value: string | string[] | undefined): string | null {
  const v = Array.isArray(value) ? value[0] : value;
  return v === undefined || v === '' ? null : v;
}

function parse(raw: string, url: string): unknown {
  try {
    return JSON.parse(raw);
  } catch (err) {
    throw new JubjubError('E_INVALID_UPSTREAM', `${url}: not JSON (${(err as Error).message})`);
  }
}

export class SimpleListingClient {
  readonly url: string;

  constructor(
    private readonly http: UpstreamHttp,
    upstreamUrl: string,
    private readonly hosts: readonly string[],
    private readonly maxBytes = MAX_LISTING_BYTES,
  ) {
    this.url = `${upstreamUrl}/simple/`;
  }

  /**
   * Streams every project to `onProject`. A retried attempt starts over, so `onProject`
   * must tolerate repeats, or reset in `onResponse`, which runs before each attempt's body.
   * With `metaOnly` the body is dropped once the serial is known.
   */
  fetch(
    onProject: (display: string, serial: number) => void,
    opts: { validators?: ListingValidators | null; metaOnly?: boolean; onResponse?: () => void | Promise<void> } = {},
  ): Promise<ListingResult> {
    const url = this.url;
    const headers: Record<string, string> = { accept: SIMPLE_JSON };
    if (opts.validators?.etag) headers['if-none-match'] = opts.validators.etag;
    if (opts.validators?.lastModified) headers['if-modified-since'] = opts.validators.lastModified;
    const conditional = 'if-none-match' in headers || 'if-modified-since' in headers;
    return this.http.retry(url, async (): Promise<ListingResult> => {
      const res = await this.http.open(url, { headers, hosts: this.hosts });
      if (res.status === 304 && conditional) {
        res.body.resume();
        return { unchanged: true };
      }
      if (res.status < 200 || res.status >= 300) {
        res.body.resume();
        throw statusError(res.status, url, res.headers);
      }
      const type = String(res.headers['content-type'] ?? '');
      if (!type.toLowerCase().includes(SIMPLE_JSON)) {
        res.body.destroy();
        throw new JubjubError('E_INVALID_UPSTREAM', `${url} answered ${type || 'no Content-Type'}, not ${SIMPLE_JSON}: changes: simple needs an index that serves the PEP 691 JSON listing`);
      }
      const found: { serial: number | null } = { serial: null };
      const scanner = new ListingScanner('meta', 'projects', {
        onMeta: (raw) => {
          const meta = simpleListingMetaSchema.safeParse(parse(raw, url));
          if (!meta.success) throw schemaError(url, meta.error.issues.map((i) => ({ ...i, path: ['meta', ...i.path] })));
          found.serial = meta.data['_last-serial'] ?? headerSerial(res.headers['x-pypi-last-serial']) ?? null;
        },
        onItem: (raw) => {
          const item = simpleListingItemSchema.safeParse(parse(raw, url));
          if (!item.success) throw schemaError(url, item.error.issues.map((i) => ({ ...i, path: ['projects[]', ...i.path] })));
          onProject(item.data.name, item.data['_last-serial']);
        },
      }, { maxItemBytes: MAX_ENTRY_BYTES }, url);
      let bytes = 0;
      try {
        // Each attempt starts over: the caller resets what an earlier one collected.
        await opts.onResponse?.();
        for await (const chunk of res.body as AsyncIterable<Buffer>) {
          bytes += chunk.length;
          if (bytes > this.maxBytes) throw new JubjubError('E_TOO_LARGE', `${url} is over the ${this.maxBytes}-byte limit`);
          scanner.write(chunk);
          if (opts.metaOnly && found.serial !== null) break;
        }
        if (!(opts.metaOnly && found.serial !== null)) scanner.end();
      } catch (err) {
        res.body.destroy();
        throw err instanceof JubjubError ? err : networkError(err, url);
      }
      if (opts.metaOnly) res.body.destroy();
      if (found.serial === null) throw new JubjubError('E_INVALID_UPSTREAM', `${url}: no _last-serial in meta nor an X-PyPI-Last-Serial header`);
      return { unchanged: false, serial: found.serial, validators: { etag: header(res.headers.etag), lastModified: header(res.headers['last-modified']) } };
    });
  }
}
