/**
 * Turns a validated PEP 691 project page into `ProjectMeta`, for upstreams without a
 * JSON API (a static mirror published without `pypi/<name>/json`, any plain PEP 691
 * index). The same safety rules as the JSON API apply; what a page does not carry is
 * derived from the filename (version, package type, python tag), and a file that gives
 * no sha256 or no size cannot be verified, so it is refused.
 */
import type { ProjectMeta, Release, UpstreamFile } from '../model.js';
import { normalizeName } from '../planner/filters/names.js';
import { guessPackagetype, normalizeUploadTime, type Rejection } from './convert.js';
import { checkFileUrl, unsafeFilename } from './file-safety.js';
import { foreignFilename } from './filename-project.js';
import { fileVersion } from './filename-version.js';
import type { SimpleFile, SimpleProjectPage } from './schemas.js';

const SHA256 = /^[0-9a-fA-F]{64}$/;

/** The JSON API's `python_version`, as Warehouse derives it at upload. */
export function pythonTag(filename: string): string {
  if (/\.whl$/i.test(filename)) return filename.slice(0, -4).split('-').at(-3) ?? '';
  const egg = /-(py\d+(?:\.\d+)*)(?:-.+)?\.egg$/i.exec(filename);
  if (egg?.[1]) return egg[1];
  return guessPackagetype(filename) === 'sdist' ? 'source' : '';
}

function coreMetadataSha(f: SimpleFile): string | null {
  const cm = f['core-metadata'] ?? f['dist-info-metadata'];
  return typeof cm === 'object' && cm.sha256 ? cm.sha256 : null;
}

function yanked(f: SimpleFile): { yanked: boolean; yankedReason: string | null } {
  if (typeof f.yanked === 'string') return { yanked: true, yankedReason: f.yanked || null };
  return { yanked: f.yanked === true, yankedReason: null };
}

export function convertSimpleProject(
  doc: SimpleProjectPage,
  serial: number,
  docUrl: string,
  hosts: readonly string[],
  displayName: string | undefined,
): { meta: ProjectMeta; rejected: Rejection[] } {
  const project = normalizeName(doc.name);
  const versions = doc.versions ?? [];
  const rejected: Rejection[] = [];
  const seen = new Set<string>();
  const byVersion = new Map<string, UpstreamFile[]>(versions.map((v) => [v, []]));
  for (const f of doc.files) {
    const refuse = (reason: string, host?: string) => rejected.push(host === undefined ? { filename: f.filename, reason } : { filename: f.filename, reason, host });
    const nameProblem = unsafeFilename(f.filename);
    if (nameProblem) {
      refuse(`unsafe filename: ${nameProblem}`);
      continue;
    }
    if (seen.has(f.filename)) {
      refuse('listed twice');
      continue;
    }
    const url = checkFileUrl(f.url, docUrl, hosts);
    if ('reason' in url) {
      refuse(`unsafe URL: ${url.reason}`, url.host);
      continue;
    }
    const foreign = foreignFilename(f.filename, project);
    if (foreign) {
      refuse(`filename of another project: ${foreign}`);
      continue;
    }
    const sha256 = f.hashes.sha256;
    if (sha256 === undefined || !SHA256.test(sha256)) {
      refuse('no sha256 hash');
      continue;
    }
    if (f.size === undefined) {
      refuse('no size (PEP 700, api-version 1.1)');
      continue;
    }
    const version = fileVersion(f.filename, project, versions);
    if (version === null) {
      refuse('no version in the filename');
      continue;
    }
    seen.add(f.filename);
    let list = byVersion.get(version);
    if (!list) byVersion.set(version, (list = []));
    list.push({
      filename: f.filename,
      url: url.url,
      sha256: sha256.toLowerCase(),
      size: f.size,
      packagetype: guessPackagetype(f.filename),
      pythonVersion: pythonTag(f.filename),
      requiresPython: f['requires-python'] ?? null,
      ...yanked(f),
      uploadTime: normalizeUploadTime(f['upload-time'], null),
      coreMetadataSha256: coreMetadataSha(f),
    });
  }
  const releases: Release[] = [...byVersion].map(([version, files]) => ({ version, files }));
  const display = displayName ?? doc.name;
  return { meta: { name: project, displayName: display, lastSerial: serial, releases, info: { name: display } }, rejected };
}
