/**
 * Fault injection for the fake upstream. Each request is classified (xmlrpc, json,
 * simple, files, metadata) and may be answered with a fault instead of, or on top of,
 * its real response. Draws come from a PRNG keyed by (seed, request, how many times
 * that request was seen), not from one shared stream: the faults a run meets depend on
 * the seed and on what the client asks, never on how concurrent requests interleave,
 * so a failing seed reproduces.
 */
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { normalize } from './names.js';
import { encodeFault } from './xmlrpc.js';

export type RequestClass = 'xmlrpc' | 'json' | 'simple' | 'files' | 'metadata';
export const REQUEST_CLASSES: readonly RequestClass[] = ['xmlrpc', 'json', 'simple', 'files', 'metadata'];

export type FaultKind =
  | 'http-500'
  | 'http-503'
  /** 429 with `Retry-After`. */
  | 'http-429'
  /** HTTP 200 carrying XML-RPC fault -32500 (`HTTPTooManyRequests`), PyPI's rate limit. */
  | 'rpc-fault'
  /** Part of the body, then a TCP reset. */
  | 'reset'
  /** Part of the body, then a clean close, short of the Content-Length. */
  | 'truncate'
  /** The full length with some bytes flipped: only a hash check can tell. */
  | 'corrupt'
  /** Nothing at all for `slowMs`, then the real response. */
  | 'slow'
  /** Headers and part of the body, a pause of `slowMs`, then the rest. */
  | 'stall'
  /** A project's JSON document as a stale cache holds it: older serial, newest release missing. */
  | 'stale';
export const FAULT_KINDS: readonly FaultKind[] = ['http-500', 'http-503', 'http-429', 'rpc-fault', 'reset', 'truncate', 'corrupt', 'slow', 'stall', 'stale'];

const ALL = REQUEST_CLASSES;
/**
 * Where each kind can happen. Corruption only where a digest is published (a flipped
 * byte in a JSON or XML document can be valid and wrong, which no client can detect);
 * staleness only where a serial is stated.
 */
const APPLIES: Record<FaultKind, readonly RequestClass[]> = {
  'http-500': ALL,
  'http-503': ALL,
  'http-429': ALL,
  'rpc-fault': ['xmlrpc'],
  reset: ALL,
  truncate: ALL,
  corrupt: ['files', 'metadata'],
  slow: ALL,
  stall: ALL,
  stale: ['json'],
};

export interface FaultConfig {
  /** Probability that a request gets a fault, 0..1 (default 0). */
  rate?: number;
  seed?: number;
  /** Kinds to draw from (default all); each request draws among those that apply to its class. */
  kinds?: FaultKind[];
  /** Request classes that can be hit (default all). */
  only?: RequestClass[];
  /** How long `slow` and `stall` hold the response (default 1500 ms); set it past the client's timeout. */
  slowMs?: number;
  /** `Retry-After` of `http-429`, in seconds (default 1). */
  retryAfter?: number;
  /**
   * Draw at most this many random faults, then serve cleanly: a burst. With `rate: 1`
   * it hits the first requests to arrive, which then depends on their order.
   */
  max?: number;
  /** The first `first` JSON requests of each project (or of `projects`) are stale, whatever the rate. */
  stale?: { first: number; projects?: string[] };
}

export interface FaultCounts {
  total: number;
  kind: Record<FaultKind, number>;
  class: Record<RequestClass, number>;
}

export interface FaultEvent {
  class: RequestClass;
  kind: FaultKind;
  method: string;
  path: string;
}

/** What the route needs to know: serve the stale copy, and report that it did. */
export interface FaultRouteHooks {
  staleJson?: () => void;
}

interface Classified {
  cls: RequestClass;
  /** Normalized project of a `/pypi/<name>/json` document. */
  project?: string;
  /** Distribution file a `/packages/...` request is for (also for its `.metadata`). */
  filename?: string;
}

interface Decision {
  cls: RequestClass;
  kind: FaultKind;
  rng: () => number;
}

type Resolved = Required<Omit<FaultConfig, 'stale' | 'max'>> & Pick<FaultConfig, 'stale' | 'max'>;

function zeroCounts(): FaultCounts {
  return {
    total: 0,
    kind: Object.fromEntries(FAULT_KINDS.map((k) => [k, 0])) as Record<FaultKind, number>,
    class: Object.fromEntries(REQUEST_CLASSES.map((c) => [c, 0])) as Record<RequestClass, number>,
  };
}

/** FNV-1a of the key feeding mulberry32: a small, seedable, well-mixed stream. */
export function keyedRandom(seed: number, key: string): () => number {
  let h = 0x811c9dc5 ^ (seed >>> 0);
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193);
  let a = h >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

export function classify(method: string, path: string): Classified | null {
  if (path === '/pypi' || path === '/pypi/' || path === '/RPC2') return { cls: 'xmlrpc' };
  if (method !== 'GET' && method !== 'HEAD') return null;
  let m = /^\/pypi\/([^/]+)\/json\/?$/.exec(path);
  if (m?.[1]) return { cls: 'json', project: normalize(decodeURIComponent(m[1])) };
  if (/^\/pypi\/[^/]+\/[^/]+\/json\/?$/.test(path)) return { cls: 'json' };
  if (path === '/simple' || path.startsWith('/simple/')) return { cls: 'simple' };
  m = /^\/packages\/.*\/([^/]+)$/.exec(path);
  if (m?.[1]) {
    const name = decodeURIComponent(m[1]);
    return name.endsWith('.metadata') ? { cls: 'metadata', filename: name.slice(0, -'.metadata'.length) } : { cls: 'files', filename: name };
  }
  return null;
}

interface Head {
  status: number;
  headers: OutgoingHttpHeaders;
}

function toBuffer(chunk: unknown): Buffer {
  if (chunk === undefined || chunk === null || typeof chunk === 'function') return Buffer.alloc(0);
  if (typeof chunk === 'string') return Buffer.from(chunk, 'utf8');
  if (chunk instanceof Uint8Array) return Buffer.from(chunk);
  throw new Error('fake-pypi faults: unexpected body chunk');
}

/**
 * Holds back the route's response so a fault can replace or damage it. Routes answer
 * with writeHead + end(body) (http-util's send); a route that streams with write()
 * (corruptFile's truncation) gets its response through untouched.
 */
function intercept(res: ServerResponse, deliver: (head: Head, body: Buffer) => void): void {
  let head: Head | null = null;
  const restore = (): void => {
    for (const k of ['writeHead', 'write', 'end']) Reflect.deleteProperty(res, k);
  };
  Object.assign(res, {
    writeHead(status: number, headers?: OutgoingHttpHeaders): ServerResponse {
      head = { status, headers: headers ?? {} };
      return res;
    },
    write(chunk: string | Uint8Array, cb?: (err?: Error | null) => void): boolean {
      restore();
      if (head) res.writeHead(head.status, head.headers);
      return res.write(chunk, cb);
    },
    end(chunk?: unknown): ServerResponse {
      restore();
      deliver(head ?? { status: res.statusCode, headers: {} }, toBuffer(chunk));
      return res;
    },
  });
}

const STATUS: Partial<Record<FaultKind, number>> = { 'http-500': 500, 'http-503': 503, 'http-429': 429 };

/** The client gave up (timed out) while the response was held back: nothing left to write to. */
function gone(res: ServerResponse): boolean {
  return res.destroyed || !res.socket || res.socket.destroyed;
}

export class FaultInjector {
  /** Faults actually delivered (a drawn body fault on an empty or error response is not). */
  readonly injected: FaultCounts = zeroCounts();
  readonly events: FaultEvent[] = [];
  private config: Resolved | null = null;
  private readonly seen = new Map<string, number>();
  private drawn = 0;
  private readonly jsonSeen = new Map<string, number>();
  private readonly pinned = new Map<string, FaultKind>();
  private readonly timers = new Set<NodeJS.Timeout>();

  /** Replaces the random faults (null turns them off) and restarts the draws, so a seed replays. */
  configure(c: FaultConfig | null): void {
    this.seen.clear();
    this.jsonSeen.clear();
    this.drawn = 0;
    if (!c) {
      this.config = null;
      return;
    }
    const rate = c.rate ?? 0;
    if (!(rate >= 0 && rate <= 1)) throw new Error(`fake-pypi faults: rate ${rate} is not in 0..1`);
    for (const k of c.kinds ?? []) if (!FAULT_KINDS.includes(k)) throw new Error(`fake-pypi faults: unknown kind ${k}`);
    for (const k of c.only ?? []) if (!REQUEST_CLASSES.includes(k)) throw new Error(`fake-pypi faults: unknown class ${k}`);
    this.config = {
      rate,
      seed: c.seed ?? 1,
      kinds: [...(c.kinds ?? FAULT_KINDS)],
      only: [...(c.only ?? REQUEST_CLASSES)],
      slowMs: c.slowMs ?? 1500,
      retryAfter: c.retryAfter ?? 1,
      max: c.max,
      stale: c.stale ? { first: c.stale.first, projects: c.stale.projects?.map(normalize) } : undefined,
    };
  }

  /** Every request for this file gets `kind`, until cleared with null. */
  pin(filename: string, kind: FaultKind | null): void {
    if (kind === null) return void this.pinned.delete(filename);
    if (!APPLIES[kind].includes('files')) throw new Error(`fake-pypi faults: ${kind} does not apply to files`);
    this.pinned.set(filename, kind);
  }

  resetCounts(): void {
    const fresh = zeroCounts();
    this.injected.total = 0;
    Object.assign(this.injected.kind, fresh.kind);
    Object.assign(this.injected.class, fresh.class);
    this.events.length = 0;
  }

  /** Stops held-back responses, so closing the server leaves no timer behind. */
  close(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }

  /** Picks the fault for this request, or null; arms the response and returns the route's hooks. */
  arm(req: IncomingMessage, res: ServerResponse): FaultRouteHooks {
    const d = this.decide(req);
    if (!d) return {};
    const method = req.method ?? 'GET';
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const count = (): void => {
      this.injected.total++;
      this.injected.kind[d.kind]++;
      this.injected.class[d.cls]++;
      this.events.push({ class: d.cls, kind: d.kind, method, path });
    };
    if (d.kind === 'stale') return { staleJson: count };
    intercept(res, (head, body) => this.deliver(d, method === 'HEAD', res, head, body, count));
    return {};
  }

  private decide(req: IncomingMessage): Decision | null {
    const method = req.method ?? 'GET';
    const url = req.url ?? '/';
    const c = classify(method, url.split('?')[0] ?? '/');
    if (!c) return null;
    const key = `${method} ${url}`;
    const n = this.seen.get(key) ?? 0;
    this.seen.set(key, n + 1);
    const pinned = c.cls === 'files' && c.filename !== undefined ? this.pinned.get(c.filename) : undefined;
    if (pinned) return { cls: c.cls, kind: pinned, rng: keyedRandom(this.config?.seed ?? 1, `pin ${key}#${n}`) };
    const cfg = this.config;
    if (!cfg) return null;
    if (c.project !== undefined && cfg.stale && (!cfg.stale.projects || cfg.stale.projects.includes(c.project))) {
      const seen = this.jsonSeen.get(c.project) ?? 0;
      this.jsonSeen.set(c.project, seen + 1);
      if (seen < cfg.stale.first) return { cls: c.cls, kind: 'stale', rng: keyedRandom(cfg.seed, `stale ${key}#${n}`) };
    }
    if (!cfg.only.includes(c.cls) || cfg.rate === 0 || (cfg.max !== undefined && this.drawn >= cfg.max)) return null;
    // stale needs a project document; release documents cannot carry it.
    const kinds = cfg.kinds.filter((k) => APPLIES[k].includes(c.cls) && (k !== 'stale' || c.project !== undefined));
    if (kinds.length === 0) return null;
    const rng = keyedRandom(cfg.seed, `${key}#${n}`);
    if (rng() >= cfg.rate) return null;
    const kind = kinds[Math.floor(rng() * kinds.length)];
    if (!kind) return null;
    this.drawn++;
    return { cls: c.cls, kind, rng };
  }

  private later(ms: number, fn: () => void): void {
    const t = setTimeout(() => {
      this.timers.delete(t);
      fn();
    }, ms);
    this.timers.add(t);
  }

  private deliver(d: Decision, isHead: boolean, res: ServerResponse, head: Head, body: Buffer, count: () => void): void {
    const cfg = this.config;
    const slowMs = cfg?.slowMs ?? 1500;
    const status = STATUS[d.kind];
    if (status !== undefined) {
      count();
      const text = Buffer.from(`${status} fault injected by fake-pypi\n`);
      const headers: OutgoingHttpHeaders = { 'Content-Type': 'text/plain', 'Content-Length': text.length };
      if (status === 429) headers['Retry-After'] = String(cfg?.retryAfter ?? 1);
      res.writeHead(status, headers);
      res.end(isHead ? undefined : text);
      return;
    }
    if (d.kind === 'rpc-fault') {
      count();
      const xml = Buffer.from(
        encodeFault(-32500, 'HTTPTooManyRequests: The action could not be performed because there were too many requests by the client.'),
      );
      res.writeHead(200, { 'Content-Type': 'text/xml; charset=utf-8', 'Content-Length': xml.length });
      res.end(xml);
      return;
    }
    if (d.kind === 'slow') {
      count();
      this.later(slowMs, () => {
        if (gone(res)) return;
        res.writeHead(head.status, head.headers);
        res.end(isHead ? undefined : body);
      });
      return;
    }
    // The rest damage a body: nothing to damage in a HEAD, an error or an empty response.
    if (isHead || head.status < 200 || head.status >= 300 || body.length < 2) {
      res.writeHead(head.status, head.headers);
      res.end(isHead ? undefined : body);
      return;
    }
    count();
    const cut = 1 + Math.floor(d.rng() * (body.length - 1)); // 1..length-1: some bytes, never all
    res.writeHead(head.status, head.headers);
    switch (d.kind) {
      case 'corrupt': {
        const bad = Buffer.from(body);
        const flips = 1 + Math.floor(d.rng() * 3);
        for (let i = 0; i < flips; i++) {
          const at = Math.floor(d.rng() * bad.length);
          bad[at] = (bad[at] ?? 0) ^ 0xff;
        }
        res.end(bad);
        return;
      }
      case 'stall':
        res.write(body.subarray(0, cut));
        this.later(slowMs, () => {
          if (!gone(res)) res.end(body.subarray(cut));
        });
        return;
      case 'reset':
        // Reset straight from the write callback often goes out as a plain FIN; a tick later it is an RST.
        res.write(body.subarray(0, cut), () => this.later(10, () => res.socket?.resetAndDestroy()));
        return;
      case 'truncate':
        // A FIN, not a reset: the client sees a clean end of stream, short of Content-Length.
        res.write(body.subarray(0, cut), () => res.socket?.end());
        return;
      default:
        res.end(body);
    }
  }
}
