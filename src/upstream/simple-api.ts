/** Reads a PEP 691 project page. Used where the JSON API is silent about core metadata. */
import type { UpstreamHttp } from './http.js';
import { MAX_JSON_BYTES, parseJson, schemaError } from './documents.js';
import { simpleProjectSchema } from './schemas.js';

export const SIMPLE_JSON = 'application/vnd.pypi.simple.v1+json';

export async function fetchCoreMetadataHashes(
  http: UpstreamHttp,
  upstreamUrl: string,
  project: string,
  hosts: readonly string[],
): Promise<Map<string, string>> {
  const url = `${upstreamUrl}/simple/${encodeURIComponent(project)}/`;
  const res = await http.fetch(url, { maxBytes: MAX_JSON_BYTES, hosts, headers: { accept: SIMPLE_JSON } });
  const type = String(res.headers['content-type'] ?? '');
  if (!type.includes(SIMPLE_JSON)) return new Map();
  const parsed = simpleProjectSchema.safeParse(parseJson(res.body, url));
  if (!parsed.success) throw schemaError(url, parsed.error.issues);
  const out = new Map<string, string>();
  for (const f of parsed.data.files) {
    const cm = f['core-metadata'] ?? f['dist-info-metadata'];
    if (typeof cm === 'object' && cm.sha256) out.set(f.filename, cm.sha256);
  }
  return out;
}
