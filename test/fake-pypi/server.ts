import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Catalog, type FakeFileSpec, type FakeReleaseSpec } from './catalog.js';
import { FaultInjector, type FaultConfig, type FaultCounts, type FaultEvent, type FaultKind } from './faults.js';
import { route, type HostileHooks, type RequestCounts, type RouteContext } from './routes.js';

export interface FakePypiOptions {
  /** Rows per changelog_since_serial call; PyPI's cap is 50,000. */
  maxChangelogRows?: number;
  /** False mimics an upstream from before the JSON API carried `core-metadata`. */
  coreMetadataInJson?: boolean;
}

/** A PyPI on 127.0.0.1 speaking XML-RPC, the JSON API, the simple API and file downloads. */
export class FakePypi {
  readonly url: string;
  readonly requests: RequestCounts = { xmlrpc: {}, json: {}, simple: 0, files: {}, metadata: {}, total: 0 };
  /** Every request as it arrived; `at` is Date.now(), for tests that check how long a client waited. */
  readonly log: Array<{ method: string; path: string; at: number }> = [];
  private readonly catalog = new Catalog();
  private readonly faults = new FaultInjector();
  private hostile: HostileHooks | null = null;

  private constructor(
    private readonly server: Server,
    port: number,
    private readonly opts: Required<FakePypiOptions>,
  ) {
    this.url = `http://127.0.0.1:${port}`;
  }

  static async start(opts: FakePypiOptions = {}): Promise<FakePypi> {
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', resolve);
    });
    const port = (server.address() as AddressInfo).port; // listen() on a TCP port always yields AddressInfo
    const fake = new FakePypi(server, port, {
      maxChangelogRows: opts.maxChangelogRows ?? 50_000,
      coreMetadataInJson: opts.coreMetadataInJson ?? true,
    });
    server.on('request', (req, res) => {
      fake.requests.total += 1;
      fake.log.push({ method: req.method ?? 'GET', path: req.url ?? '/', at: Date.now() });
      const hooks = fake.faults.arm(req, res);
      route({ ...fake.context(), ...hooks }, req, res).catch((err: unknown) => {
        if (res.headersSent) return void res.destroy();
        res.writeHead(400, { 'Content-Type': 'text/plain' });
        res.end(`bad request: ${err instanceof Error ? err.message : String(err)}\n`);
      });
    });
    return fake;
  }

  private context(): RouteContext {
    return { catalog: this.catalog, baseUrl: this.url, requests: this.requests, hostile: this.hostile, ...this.opts };
  }

  /** Every file the upstream lists now, for tests to compute the mirror they expect. */
  files(): Array<{ filename: string; project: string; version: string; sha256: string; size: number; yanked: boolean; packagetype: string; metadataSha256: string | null }> {
    const out = [];
    for (const p of this.catalog.projects.values()) {
      for (const r of p.releases.values()) {
        for (const f of r.files.values()) {
          out.push({
            filename: f.filename, project: p.name, version: r.version, sha256: f.sha256, size: f.bytes.length,
            yanked: r.yanked, packagetype: f.packagetype, metadataSha256: f.metadataSha256,
          });
        }
      }
    }
    return out;
  }

  addProject(displayName: string): void {
    this.catalog.addProject(displayName);
  }
  addRelease(project: string, version: string, spec?: FakeReleaseSpec): void {
    this.catalog.addRelease(project, version, spec);
  }
  /** Builds the file's real bytes and returns its filename. */
  addFile(project: string, version: string, spec?: FakeFileSpec): string {
    return this.catalog.addFile(project, version, spec);
  }
  removeFile(filename: string): void {
    this.catalog.removeFile(filename);
  }
  removeRelease(project: string, version: string): void {
    this.catalog.removeRelease(project, version);
  }
  removeProject(project: string): void {
    this.catalog.removeProject(project);
  }
  yank(project: string, version: string, reason?: string): void {
    this.catalog.yank(project, version, reason);
  }
  unyank(project: string, version: string): void {
    this.catalog.unyank(project, version);
  }

  /** Serves damaged bytes from now on; indexes keep advertising the true hash and size. */
  corruptFile(filename: string, mode: 'flip' | 'truncate' | null = 'flip'): void {
    this.catalog.file(filename).corrupt = mode;
  }
  /**
   * Random faults from now on (null: none), drawn per request from `seed`; calling it
   * again restarts the draws, so the same seed and the same client replay the same faults.
   */
  setFaults(config: FaultConfig | null): void {
    this.faults.configure(config);
  }
  /** Serves what `hooks` rewrite from now on (null: the honest upstream again); see hostile.ts. */
  setHostile(hooks: HostileHooks | null): void {
    this.hostile = hooks;
  }
  /** Every download of this file gets `kind` (e.g. 'http-500', 'corrupt', 'reset'); null clears it. */
  failFile(filename: string, kind: FaultKind | null): void {
    this.catalog.file(filename);
    this.faults.pin(filename, kind);
  }
  /** Faults delivered since the last resetCounts, by kind and by request class (a live object). */
  get faultsInjected(): FaultCounts {
    return this.faults.injected;
  }
  /** Each delivered fault, in order. */
  get faultLog(): readonly FaultEvent[] {
    return this.faults.events;
  }
  /** The true bytes, whatever corruptFile says. */
  fileBytes(filename: string): Buffer {
    return this.catalog.file(filename).bytes;
  }
  sha256(filename: string): string {
    return this.catalog.file(filename).sha256;
  }

  /** Clears counts, log and fault counts in place, so references a test holds stay live. */
  resetCounts(): void {
    const r = this.requests;
    for (const rec of [r.xmlrpc, r.json, r.files, r.metadata]) for (const k of Object.keys(rec)) delete rec[k];
    r.simple = 0;
    r.total = 0;
    this.log.length = 0;
    this.faults.resetCounts();
  }

  serial(): number {
    return this.catalog.serial;
  }

  async close(): Promise<void> {
    this.faults.close();
    const done = new Promise<void>((resolve) => this.server.close(() => resolve()));
    // Keep-alive sockets from fetch/got would otherwise hold close() open.
    this.server.closeAllConnections();
    await done;
  }
}
