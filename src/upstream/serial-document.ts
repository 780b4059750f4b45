/**
 * A project document whose serial must be at least what the change feed promised: the
 * JSON API's and the PEP 691 page's fetch share this. The serial is the
 * `X-PyPI-Last-Serial` header, else the body's (a static server sends no header); an
 * older one is a stale cache copy, retried with backoff until it fails the project.
 */
import { JubjubError } from '../errors.js';
import { MAX_JSON_BYTES, parseJson } from './documents.js';
import type { UpstreamHttp } from './http.js';

export function headerSerial(value: string | string[] | undefined): number | undefined {
  const n = Number(Array.isArray(value) ? value[0] : value);
  return value !== undefined && Number.isSafeInteger(n) ? n : undefined;
}

export interface SerialDocumentRequest {
  hosts: readonly string[];
  /** The Accept header to send. */
  accept: string;
  minSerial: number;
  /** The serial the body states, if any. */
  bodySerial(doc: unknown): unknown;
  /** Throws when the response is not the document asked for (e.g. wrong Content-Type). */
  check?(headers: Record<string, string | string[] | undefined>, url: string): void;
}

/** Null on 404. */
export async function fetchSerialDocument(
  http: UpstreamHttp,
  url: string,
  req: SerialDocumentRequest,
): Promise<{ doc: unknown; serial: number; url: string } | null> {
  const res = await http.retry(url, async () => {
    const r = await http.fetchOnce(url, { maxBytes: MAX_JSON_BYTES, accept: [404], hosts: req.hosts, headers: { accept: req.accept } });
    if (r.status === 404) return null;
    req.check?.(r.headers, url);
    const doc = parseJson(r.body, url);
    const bodySerial = req.bodySerial(doc);
    const stated = headerSerial(r.headers['x-pypi-last-serial']) ?? (typeof bodySerial === 'number' ? bodySerial : undefined);
    // An upstream that states no serial cannot be checked for staleness; trust the feed's.
    const serial = stated ?? req.minSerial;
    if (serial < req.minSerial) {
      throw new JubjubError('E_STALE', `${url}: serial ${serial} is older than the promised ${req.minSerial}`, { transient: true });
    }
    return { doc, serial, url: r.url };
  });
  return res;
}
