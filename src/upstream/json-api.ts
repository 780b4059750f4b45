/**
 * Per-project truth from the JSON API (`/pypi/<name>/json`). A 404 means the project is
 * gone or has no releases. A response older than the serial the change feed promised
 * is a stale cache copy: it is retried with backoff and finally fails the project.
 */
import type { Logger } from 'pino';
import { JubjubError } from '../errors.js';
import type { ProjectMeta } from '../model.js';
import { normalizeName } from '../planner/filters/names.js';
import { convertJsonApi } from './convert.js';
import { schemaError } from './documents.js';
import type { UpstreamHttp } from './http.js';
import { jsonApiProjectSchema } from './schemas.js';
import { fetchSerialDocument } from './serial-document.js';
import { fetchCoreMetadataHashes } from './simple-api.js';

export interface ProjectSourceOptions {
  url: string;
  /** Hosts metadata requests may go to. */
  hosts: readonly string[];
  /** Hosts file URLs may point at. */
  fileHosts: readonly string[];
  coreMetadata: boolean;
}

/** Where a run takes each project's current state from. */
export interface ProjectSource {
  /** The project's current state, or null when the upstream has nothing to mirror for it. */
  fetchProject(name: string, minSerial: number): Promise<ProjectMeta | null>;
  /** Hosts file URLs pointed at that the configuration does not allow, for one hint per run. */
  readonly refusedHosts: ReadonlySet<string>;
}

export class JsonApiClient implements ProjectSource {
  readonly refusedHosts = new Set<string>();

  constructor(
    private readonly http: UpstreamHttp,
    private readonly opts: ProjectSourceOptions,
    private readonly log: Logger,
  ) {}

  /** The project's current state, or null when the upstream has no releases for it. */
  async fetchProject(name: string, minSerial: number): Promise<ProjectMeta | null> {
    const url = `${this.opts.url}/pypi/${encodeURIComponent(name)}/json`;
    const res = await fetchSerialDocument(this.http, url, {
      hosts: this.opts.hosts,
      accept: 'application/json',
      minSerial,
      bodySerial: (doc) => (doc as { last_serial?: unknown }).last_serial,
    });
    if (res === null) return null;
    const parsed = jsonApiProjectSchema.safeParse(res.doc);
    if (!parsed.success) throw schemaError(url, parsed.error.issues);
    const { meta, rejected, coreMetadataUnknown } = convertJsonApi(parsed.data, res.serial, res.url, this.opts.fileHosts);
    if (meta.name !== normalizeName(name)) {
      throw new JubjubError('E_INVALID_UPSTREAM', `${url}: document is for project ${JSON.stringify(meta.displayName)}, not ${name}`);
    }
    for (const r of rejected) {
      this.log.warn({ project: meta.name, filename: r.filename, reason: r.reason }, 'rejected upstream file');
      if (r.host) this.refusedHosts.add(r.host);
    }
    if (this.opts.coreMetadata && coreMetadataUnknown.length > 0) await this.fillCoreMetadata(meta, new Set(coreMetadataUnknown));
    return meta;
  }

  /** Older upstreams state core metadata only on the PEP 691 page. */
  private async fillCoreMetadata(meta: ProjectMeta, unknown: Set<string>): Promise<void> {
    const hashes = await fetchCoreMetadataHashes(this.http, this.opts.url, meta.name, this.opts.hosts).catch((err: unknown) => {
      this.log.debug({ project: meta.name, err: (err as Error).message }, 'no PEP 691 page for core metadata');
      return new Map<string, string>();
    });
    for (const release of meta.releases) {
      for (const f of release.files) if (unknown.has(f.filename)) f.coreMetadataSha256 = hashes.get(f.filename) ?? null;
    }
  }
}
