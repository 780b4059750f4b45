/**
 * One release's `Requires-Dist`, for `dependencies: true`. From the core metadata of one
 * of its files when the upstream serves it (PEP 658; a mirror of a mirror has nothing
 * else), else from the per-release JSON API. Both are immutable once uploaded, so the
 * caller caches the answer for good.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { JubjubError } from '../errors.js';
import type { ProjectMeta, UpstreamFile } from '../model.js';
import { MAX_JSON_BYTES, MAX_METADATA_BYTES, parseJson, schemaError } from './documents.js';
import type { UpstreamHttp } from './http.js';

const releaseJsonSchema = z.looseObject({
  info: z.looseObject({ requires_dist: z.array(z.string().max(4096)).max(10_000).nullish() }),
});

export interface RequiresDistOptions {
  url: string;
  /** Hosts metadata requests may go to. */
  hosts: readonly string[];
  /** Hosts file URLs (and so their `.metadata`) may point at. */
  fileHosts: readonly string[];
}

/** `Requires-Dist` header values of an RFC 822-style core metadata file (continuation lines folded). */
export function requiresDistOf(metadata: string): string[] {
  const out: string[] = [];
  // The headers end at the first blank line; the description body may follow.
  const head = metadata.replace(/\r\n?/g, '\n').split('\n\n', 1)[0] ?? '';
  let current: string | null = null;
  for (const line of head.split('\n')) {
    if (/^[ \t]/.test(line) && current !== null) {
      current += ` ${line.trim()}`;
      continue;
    }
    if (current !== null) out.push(current);
    const m = /^requires-dist:\s*(.*)$/i.exec(line);
    current = m ? (m[1] ?? '').trim() : null;
  }
  if (current !== null) out.push(current);
  return out.filter((r) => r !== '');
}

/** The file whose core metadata speaks for the release: a wheel's (built, so exact) first. */
function metadataSource(files: readonly UpstreamFile[]): UpstreamFile | undefined {
  const withMeta = files.filter((f) => f.coreMetadataSha256 !== null);
  return withMeta.find((f) => f.packagetype === 'bdist_wheel') ?? withMeta[0];
}

export class RequiresDistClient {
  constructor(
    private readonly http: UpstreamHttp,
    private readonly opts: RequiresDistOptions,
  ) {}

  /** Empty when the upstream states no requirements (or no longer has the release). */
  async fetch(meta: ProjectMeta, version: string): Promise<string[]> {
    const files = meta.releases.find((r) => r.version === version)?.files ?? [];
    const source = metadataSource(files);
    if (source?.coreMetadataSha256) {
      const url = `${source.url}.metadata`;
      const res = await this.http.fetch(url, { maxBytes: MAX_METADATA_BYTES, hosts: this.opts.fileHosts, accept: [404] });
      if (res.status !== 404) {
        const sha = createHash('sha256').update(res.body).digest('hex');
        if (sha !== source.coreMetadataSha256) {
          throw new JubjubError('E_HASH_MISMATCH', `${url}: sha256 ${sha}, expected ${source.coreMetadataSha256}`);
        }
        return requiresDistOf(res.body.toString('utf8'));
      }
    }
    return this.fromJsonApi(meta.name, version);
  }

  private async fromJsonApi(name: string, version: string): Promise<string[]> {
    const url = `${this.opts.url}/pypi/${encodeURIComponent(name)}/${encodeURIComponent(version)}/json`;
    const res = await this.http.fetch(url, { maxBytes: MAX_JSON_BYTES, hosts: this.opts.hosts, accept: [404], headers: { accept: 'application/json' } });
    if (res.status === 404) return [];
    const parsed = releaseJsonSchema.safeParse(parseJson(res.body, url));
    if (!parsed.success) throw schemaError(url, parsed.error.issues);
    return parsed.data.info.requires_dist ?? [];
  }
}
