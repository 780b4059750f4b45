/**
 * PyPI's XML-RPC change feed: the three methods a mirror needs. Responses are parsed
 * while they stream in; a fault -32500 (rate limited) is retried with backoff like a 429.
 */
import { JubjubError } from '../errors.js';
import type { UpstreamHttp } from './http.js';
import { statusError } from './http.js';
import { encodeCall } from './xmlrpc-encode.js';
import { XmlRpcResponseParser, type MemberSink, type XmlRpcValue } from './xmlrpc-parse.js';

/** One changelog row reduced to what a mirror uses; the action text is irrelevant by design. */
export interface ChangelogRow {
  name: string;
  version: string | null;
  action: string;
  serial: number;
}

/** PyPI caps changelog_since_serial at this many rows per call. */
export const CHANGELOG_PAGE = 50_000;

/**
 * Largest XML-RPC answer held whole (a full changelog page is about 10 MB). Only the
 * listing, whose members stream to a callback and are not held, may be longer.
 */
export const MAX_XMLRPC_BYTES = 128 * 1024 * 1024;

function bad(what: string): JubjubError {
  return new JubjubError('E_INVALID_UPSTREAM', `invalid XML-RPC response: ${what}`);
}

export class XmlRpcClient {
  private readonly endpoint: string;

  constructor(
    private readonly http: UpstreamHttp,
    upstreamUrl: string,
    private readonly hosts: readonly string[],
    private readonly maxBytes = MAX_XMLRPC_BYTES,
  ) {
    this.endpoint = `${upstreamUrl}/pypi`;
  }

  call(method: string, params: Array<number | string> = [], onTopMember?: MemberSink): Promise<XmlRpcValue> {
    const body = encodeCall(method, params);
    return this.http.retry(method, async () => {
      const res = await this.http.open(this.endpoint, {
        method: 'POST',
        body,
        headers: { 'content-type': 'text/xml' },
        hosts: this.hosts,
      });
      if (res.status < 200 || res.status >= 300) {
        res.body.resume();
        throw statusError(res.status, `${this.endpoint} (${method})`, res.headers);
      }
      const parser = new XmlRpcResponseParser(onTopMember);
      let bytes = 0;
      try {
        for await (const chunk of res.body as AsyncIterable<Buffer>) {
          bytes += chunk.length;
          if (!onTopMember && bytes > this.maxBytes) {
            throw new JubjubError('E_TOO_LARGE', `${method}: response is over the ${this.maxBytes}-byte limit`);
          }
          parser.write(chunk);
        }
      } catch (err) {
        res.body.destroy();
        if (err instanceof JubjubError) throw err;
        throw new JubjubError('E_NETWORK', `${method}: ${(err as Error).message}`, { transient: true, cause: err });
      }
      return parser.end();
    });
  }

  async changelogLastSerial(): Promise<number> {
    const v = await this.call('changelog_last_serial');
    if (typeof v !== 'number') throw bad('changelog_last_serial is not an int');
    return v;
  }

  /** All rows after `since`, paging past the per-call cap until a short page. */
  async changelogSince(since: number): Promise<ChangelogRow[]> {
    const rows: ChangelogRow[] = [];
    let from = since;
    for (;;) {
      const page = await this.call('changelog_since_serial', [from]);
      if (!Array.isArray(page)) throw bad('changelog_since_serial is not an array');
      let last = from;
      for (const row of page) {
        if (!Array.isArray(row) || row.length < 5) throw bad('changelog row is not a 5-item array');
        const [name, version, , action, serial] = row;
        if (typeof name !== 'string' || typeof serial !== 'number') throw bad('changelog row has no name or serial');
        rows.push({ name, version: typeof version === 'string' ? version : null, action: String(action ?? ''), serial });
        last = Math.max(last, serial);
      }
      if (page.length < CHANGELOG_PAGE || last === from) return rows;
      from = last;
    }
  }

  /**
   * Every project's display name and last serial, handed to `onProject` as the response
   * streams in. A retried call starts over, so `onProject` must tolerate repeats.
   */
  async listPackagesWithSerial(onProject: (name: string, serial: number) => void): Promise<void> {
    const v = await this.call('list_packages_with_serial', [], (name, serial) => {
      if (typeof serial === 'number') onProject(name, serial);
    });
    if (!(v instanceof Map)) throw bad('list_packages_with_serial is not a struct');
  }
}
