/**
 * Turns a validated JSON API document into `ProjectMeta`: resolves file URLs against
 * the document, drops (and reports) files whose name or URL is unsafe or whose name is
 * another project's, and normalizes timestamps to the form PEP 700 pages carry.
 */
import { normalizeName } from '../planner/filters/names.js';
import type { ProjectMeta, Release, UpstreamFile } from '../model.js';
import { checkFileUrl, unsafeFilename } from './file-safety.js';
import { foreignFilename } from './filename-project.js';
import type { JsonApiFile, JsonApiProject } from './schemas.js';

export interface Rejection {
  filename: string;
  reason: string;
  /** Set when the file was refused for its host alone. */
  host?: string;
}

const ISO = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d{1,9}))?(Z|[+-]00:?00)?$/;

/** `YYYY-MM-DDTHH:MM:SS.ffffffZ`, or null when the upstream gave nothing usable. */
export function normalizeUploadTime(iso: string | null | undefined, plain: string | null | undefined): string | null {
  const m = ISO.exec(iso ?? '') ?? ISO.exec(plain ?? '');
  if (!m?.[1]) return null;
  return `${m[1]}.${(m[2] ?? '').padEnd(6, '0').slice(0, 6)}Z`;
}

function coreMetadataSha(f: JsonApiFile): string | null | undefined {
  const cm = f['core-metadata'] ?? f['data-dist-info-metadata'];
  if (cm === undefined) return undefined;
  return typeof cm === 'object' && cm.sha256 ? cm.sha256 : null;
}

export interface ConvertResult {
  meta: ProjectMeta;
  rejected: Rejection[];
  /** Wheels whose core-metadata the JSON API did not state (older upstreams). */
  coreMetadataUnknown: string[];
}

export function convertJsonApi(doc: JsonApiProject, serial: number, docUrl: string, hosts: readonly string[]): ConvertResult {
  const rejected: Rejection[] = [];
  const coreMetadataUnknown: string[] = [];
  const seen = new Set<string>();
  const releases: Release[] = [];
  const project = normalizeName(doc.info.name);
  for (const [version, files] of Object.entries(doc.releases)) {
    const out: UpstreamFile[] = [];
    for (const f of files) {
      const nameProblem = unsafeFilename(f.filename);
      if (nameProblem) {
        rejected.push({ filename: f.filename, reason: `unsafe filename: ${nameProblem}` });
        continue;
      }
      if (seen.has(f.filename)) {
        rejected.push({ filename: f.filename, reason: 'listed twice' });
        continue;
      }
      const url = checkFileUrl(f.url, docUrl, hosts);
      if ('reason' in url) {
        rejected.push({ filename: f.filename, reason: `unsafe URL: ${url.reason}`, host: url.host });
        continue;
      }
      const foreign = foreignFilename(f.filename, project);
      if (foreign) {
        rejected.push({ filename: f.filename, reason: `filename of another project: ${foreign}` });
        continue;
      }
      seen.add(f.filename);
      const cm = coreMetadataSha(f);
      if (cm === undefined && f.filename.endsWith('.whl')) coreMetadataUnknown.push(f.filename);
      out.push({
        filename: f.filename,
        url: url.url,
        sha256: f.digests.sha256,
        size: f.size,
        packagetype: f.packagetype ?? guessPackagetype(f.filename),
        pythonVersion: f.python_version ?? '',
        requiresPython: f.requires_python ?? null,
        yanked: f.yanked ?? false,
        yankedReason: f.yanked ? (f.yanked_reason ?? null) : null,
        uploadTime: normalizeUploadTime(f.upload_time_iso_8601, f.upload_time),
        coreMetadataSha256: cm ?? null,
      });
    }
    releases.push({ version, files: out });
  }
  const meta: ProjectMeta = {
    name: project,
    displayName: doc.info.name,
    lastSerial: serial,
    releases,
    info: doc.info,
  };
  return { meta, rejected, coreMetadataUnknown };
}

export function guessPackagetype(filename: string): string {
  if (filename.endsWith('.whl')) return 'bdist_wheel';
  if (filename.endsWith('.egg')) return 'bdist_egg';
  if (filename.endsWith('.exe')) return 'bdist_wininst';
  if (filename.endsWith('.msi')) return 'bdist_msi';
  if (filename.endsWith('.dmg')) return 'bdist_dmg';
  if (filename.endsWith('.rpm')) return 'bdist_rpm';
  return 'sdist';
}
