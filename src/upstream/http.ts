/**
 * The one module that speaks HTTP to the upstream. Every request goes through `open`,
 * which sets the timeouts, User-Agent and keep-alive agents, refuses hosts outside the
 * allowlist (redirects included), and turns got's failures into typed, classified
 * errors. got's own retry is off: `retry.ts` is the single policy, so streamed bodies
 * (downloads, the XML-RPC listing) retry the same way as small documents.
 */
import http from 'node:http';
import https from 'node:https';
import type { Readable } from 'node:stream';
import got, { RequestError, type Got } from 'got';
import type { Logger } from 'pino';
import { JubjubError } from '../errors.js';
import { defaultBaseDelayMs, withRetry, type RetryPolicy } from './retry.js';

export interface HttpOptions {
  timeoutMs: number;
  retries: number;
  userAgent: string;
  log: Logger;
}

export interface RequestInit {
  method?: 'GET' | 'POST';
  body?: string;
  headers?: Record<string, string>;
  /** When set, the URL and every redirect must stay on these hosts. */
  hosts?: readonly string[];
}

export interface FetchInit extends RequestInit {
  maxBytes: number;
  /** Non-2xx statuses handed back to the caller instead of thrown (e.g. 404). */
  accept?: number[];
}

export interface OpenResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  /** The URL after redirects: relative links in the body resolve against it. */
  url: string;
  body: Readable;
}

export interface BufferResponse extends Omit<OpenResponse, 'body'> {
  body: Buffer;
}

export interface HttpStats {
  requests: number;
  retries: number;
  bytes: number;
}

const TRANSIENT_STATUS = new Set([408, 425, 429, 500, 502, 503, 504]);

export function retryAfterSeconds(value: string | string[] | undefined): number | undefined {
  const text = Array.isArray(value) ? value[0] : value;
  if (!text) return undefined;
  const secs = Number(text);
  if (Number.isFinite(secs)) return Math.max(0, secs);
  const date = Date.parse(text);
  return Number.isNaN(date) ? undefined : Math.max(0, (date - Date.now()) / 1000);
}

export function statusError(status: number, url: string, headers: OpenResponse['headers']): JubjubError {
  const transient = TRANSIENT_STATUS.has(status);
  return new JubjubError(status === 429 ? 'E_RATE_LIMITED' : 'E_HTTP', `HTTP ${status} from ${url}`, {
    transient,
    retryAfter: retryAfterSeconds(headers['retry-after']),
  });
}

function hostAllowed(url: URL, hosts: readonly string[] | undefined): boolean {
  return !hosts || hosts.includes(url.host.toLowerCase());
}

export function networkError(err: unknown, url: string): JubjubError {
  if (err instanceof JubjubError) return err;
  const code = (err as { code?: string }).code ?? 'ERROR';
  return new JubjubError('E_NETWORK', `${code} from ${url}: ${(err as Error).message}`, { transient: true, cause: err });
}

export class UpstreamHttp {
  readonly stats: HttpStats = { requests: 0, retries: 0, bytes: 0 };
  /** Aborted by `stop()`: ends every wait for a retry (`withRetry`). */
  private readonly stopper = new AbortController();
  readonly policy: RetryPolicy;
  private readonly agent = {
    http: new http.Agent({ keepAlive: true, maxSockets: 256 }),
    https: new https.Agent({ keepAlive: true, maxSockets: 256 }),
  };

  /** Options merged once: got's per-request merging is a measurable share of a small download. */
  private readonly client: Got;

  constructor(private readonly opts: HttpOptions) {
    this.policy = { retries: opts.retries, baseDelayMs: defaultBaseDelayMs(), maxDelayMs: 60_000 };
    const t = opts.timeoutMs;
    this.client = got.extend({
      headers: { 'user-agent': opts.userAgent },
      agent: this.agent,
      timeout: { lookup: t, connect: t, secureConnect: t, send: t, response: t, socket: t },
      retry: { limit: 0 },
      throwHttpErrors: false,
      decompress: true,
      hooks: {
        beforeRedirect: [
          (options) => {
            const next = options.url instanceof URL ? options.url : new URL(String(options.url));
            const hosts = (options.context as { hosts?: readonly string[] }).hosts;
            if (!hostAllowed(next, hosts)) {
              throw new JubjubError('E_UNSAFE', `refusing redirect to host ${next.host}: not an allowed upstream host`);
            }
          },
        ],
      },
    });
  }

  /** Runs one logical request with the shared backoff policy; `what` names it in logs. */
  retry<T>(what: string, attempt: (n: number) => Promise<T>): Promise<T> {
    return withRetry(this.policy, attempt, (err, n, delayMs) => {
      this.stats.retries++;
      const e = err as JubjubError;
      this.opts.log.debug({ what, attempt: n, delayMs: Math.round(delayMs), code: e.code, err: e.message }, 'retrying upstream request');
    }, this.stopper.signal);
  }

  /** A stop (SIGTERM/SIGINT): requests waiting to be retried end as `E_INTERRUPTED`, unmade. */
  stop(): void {
    this.stopper.abort();
  }

  /** One attempt: resolves when the response headers arrive; the caller consumes `body`. */
  open(url: string, init: RequestInit = {}): Promise<OpenResponse> {
    const target = new URL(url);
    if (!hostAllowed(target, init.hosts)) {
      return Promise.reject(new JubjubError('E_UNSAFE', `refusing request to host ${target.host}: not an allowed upstream host`));
    }
    this.stats.requests++;
    const stream = this.client.stream(target, {
      method: init.method ?? 'GET',
      body: init.body,
      headers: init.headers,
      context: { hosts: init.hosts },
    });
    // Counting through progress events: a 'data' listener would start the flow before the caller reads.
    let seen = 0;
    stream.on('downloadProgress', (p: { transferred: number }) => {
      this.stats.bytes += p.transferred - seen;
      seen = p.transferred;
    });
    return new Promise<OpenResponse>((resolve, reject) => {
      stream.once('error', (err) => reject(err instanceof RequestError && err.cause instanceof JubjubError ? err.cause : networkError(err, url)));
      stream.once('response', (res: http.IncomingMessage & { url?: string }) => {
        // Consumers see body errors through their own iteration or pipeline; this keeps an
        // error on a body nobody reads (a drained 5xx) from becoming an uncaught exception.
        stream.on('error', () => undefined);
        resolve({ status: res.statusCode ?? 0, headers: res.headers, url: res.url ?? url, body: stream });
      });
    });
  }

  /** Reads a whole (small) body, refusing more than `maxBytes`. */
  async readBody(res: OpenResponse, maxBytes: number, url: string): Promise<Buffer> {
    const declared = Number(res.headers['content-length']);
    if (Number.isFinite(declared) && declared > maxBytes) {
      res.body.destroy();
      throw new JubjubError('E_TOO_LARGE', `${url} is ${declared} bytes, over the ${maxBytes}-byte limit`);
    }
    const chunks: Buffer[] = [];
    let total = 0;
    try {
      for await (const chunk of res.body as AsyncIterable<Buffer>) {
        total += chunk.length;
        if (total > maxBytes) {
          res.body.destroy();
          throw new JubjubError('E_TOO_LARGE', `${url} is over the ${maxBytes}-byte limit`);
        }
        chunks.push(chunk);
      }
    } catch (err) {
      throw networkError(err, url);
    }
    return Buffer.concat(chunks, total);
  }

  /**
   * GET (or POST) a document with retries. Statuses in `accept` are returned to the
   * caller (e.g. 404 means "no such project"); any other non-2xx is an error.
   */
  fetch(url: string, init: FetchInit): Promise<BufferResponse> {
    return this.retry(url, () => this.fetchOnce(url, init));
  }

  /** One attempt of `fetch`, for callers that add their own retry conditions. */
  async fetchOnce(url: string, init: FetchInit): Promise<BufferResponse> {
    const res = await this.open(url, init);
    const ok = (res.status >= 200 && res.status < 300) || init.accept?.includes(res.status);
    if (!ok) {
      res.body.resume();
      throw statusError(res.status, url, res.headers);
    }
    const body = await this.readBody(res, init.maxBytes, url);
    return { status: res.status, headers: res.headers, url: res.url, body };
  }

  /** Counts requests made and bytes received elsewhere (the download threads' `FileGetter`). */
  count(requests: number, bytes: number): void {
    this.stats.requests += requests;
    this.stats.bytes += bytes;
  }

  close(): void {
    this.agent.http.destroy();
    this.agent.https.destroy();
  }
}

export interface FileResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  /** The URL after redirects. */
  url: string;
  body: http.IncomingMessage;
  /** Requests this took, redirects included. */
  requests: number;
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const MAX_REDIRECTS = 10;

/**
 * GETs file bodies over plain `node:http` on keep-alive agents, for the download threads
 * (`src/download/file-thread.ts`). A profile of a first sync put a fifth of its CPU in
 * got's per-request work (options, hooks, AbortSignals, progress events), none of which a
 * file needs. The rules are `UpstreamHttp.open`'s: the same user agent and timeout, and
 * every host, redirects included, on the allowlist. No compression is asked for: package
 * files are compressed already.
 */
export class FileGetter {
  private readonly agents = {
    'http:': new http.Agent({ keepAlive: true, maxSockets: 256 }),
    'https:': new https.Agent({ keepAlive: true, maxSockets: 256 }),
  };

  constructor(private readonly opts: { userAgent: string; timeoutMs: number }) {}

  async get(url: string, hosts?: readonly string[]): Promise<FileResponse> {
    let target = new URL(url);
    for (let hop = 0; ; hop++) {
      if (!hostAllowed(target, hosts)) {
        const what = hop === 0 ? 'request' : 'redirect';
        throw new JubjubError('E_UNSAFE', `refusing ${what} to host ${target.host}: not an allowed upstream host`);
      }
      const res = await this.once(target);
      const location = res.headers.location;
      const status = res.statusCode ?? 0;
      if (!REDIRECTS.has(status) || !location) return { status, headers: res.headers, url: target.href, body: res, requests: hop + 1 };
      res.resume();
      if (hop >= MAX_REDIRECTS) throw new JubjubError('E_HTTP', `more than ${MAX_REDIRECTS} redirects from ${url}`);
      target = new URL(location, target);
    }
  }

  private once(target: URL): Promise<http.IncomingMessage> {
    const protocol = target.protocol;
    if (protocol !== 'http:' && protocol !== 'https:') {
      return Promise.reject(new JubjubError('E_UNSAFE', `refusing ${protocol} URL ${target.href}`));
    }
    return new Promise((resolve, reject) => {
      const lib = protocol === 'https:' ? https : http;
      let response: http.IncomingMessage | null = null;
      const req = lib.request(target, { agent: this.agents[protocol], headers: { 'user-agent': this.opts.userAgent } }, (res) => {
        response = res;
        resolve(res);
      });
      // Idle time on the socket, while waiting for headers and while reading the body.
      // Once the body has begun, its reader sees the error only if the body carries it.
      req.setTimeout(this.opts.timeoutMs, () => {
        const err = Object.assign(new Error(`no data for ${this.opts.timeoutMs} ms`), { code: 'ETIMEDOUT' });
        if (response) response.destroy(err);
        req.destroy(err);
      });
      req.on('error', (err) => reject(networkError(err, target.href)));
      req.end();
    });
  }

  close(): void {
    this.agents['http:'].destroy();
    this.agents['https:'].destroy();
  }
}
