/**
 * Per-project truth from the PEP 691 project page (`/simple/<name>/`), for upstreams
 * without a JSON API. The serial comes from `X-PyPI-Last-Serial` or, from a static
 * server that sends none, the page's `meta._last-serial`; older than promised is a stale
 * copy and retried, as for the JSON API.
 */
import type { Logger } from 'pino';
import { JubjubError } from '../errors.js';
import type { ProjectMeta } from '../model.js';
import { normalizeName } from '../planner/filters/names.js';
import { convertSimpleProject } from './convert-simple.js';
import { schemaError } from './documents.js';
import type { UpstreamHttp } from './http.js';
import type { ProjectSourceOptions } from './json-api.js';
import { fetchSerialDocument } from './serial-document.js';
import { SIMPLE_JSON } from './simple-api.js';
import { simpleProjectPageSchema } from './schemas.js';

export class SimpleProjectClient {
  readonly refusedHosts = new Set<string>();

  constructor(
    private readonly http: UpstreamHttp,
    private readonly opts: ProjectSourceOptions,
    private readonly log: Logger,
  ) {}

  /** Null when the index has no page for the project (404). */
  async fetchProject(name: string, minSerial: number, displayName?: string): Promise<ProjectMeta | null> {
    const url = `${this.opts.url}/simple/${encodeURIComponent(name)}/`;
    const res = await fetchSerialDocument(this.http, url, {
      hosts: this.opts.hosts,
      accept: SIMPLE_JSON,
      minSerial,
      bodySerial: (doc) => (doc as { meta?: { '_last-serial'?: unknown } }).meta?.['_last-serial'],
      check: (headers) => {
        const type = String(headers['content-type'] ?? '');
        if (!type.toLowerCase().includes(SIMPLE_JSON)) {
          throw new JubjubError('E_INVALID_UPSTREAM', `${url} answered ${type || 'no Content-Type'}, not ${SIMPLE_JSON}`);
        }
      },
    });
    if (res === null) return null;
    const parsed = simpleProjectPageSchema.safeParse(res.doc);
    if (!parsed.success) throw schemaError(url, parsed.error.issues);
    const { meta, rejected } = convertSimpleProject(parsed.data, res.serial, res.url, this.opts.fileHosts, displayName);
    if (meta.name !== normalizeName(name)) {
      throw new JubjubError('E_INVALID_UPSTREAM', `${url}: page is for project ${JSON.stringify(parsed.data.name)}, not ${name}`);
    }
    for (const r of rejected) {
      this.log.warn({ project: meta.name, filename: r.filename, reason: r.reason }, 'rejected upstream file');
      if (r.host) this.refusedHosts.add(r.host);
    }
    return meta;
  }
}
