import type { Catalog, FileRecord, Project, Release } from './catalog.js';
import { isPrerelease } from './version.js';

/** Legacy JSON API bodies (`/pypi/<name>/json`, `/pypi/<name>/<version>/json`), keyed like Warehouse's. */

export interface JsonApiOptions {
  baseUrl: string;
  coreMetadataInJson: boolean;
}

export function fileObject(f: FileRecord, r: Release, o: JsonApiOptions): Record<string, unknown> {
  const obj: Record<string, unknown> = { comment_text: '' };
  if (o.coreMetadataInJson) obj['core-metadata'] = f.metadataSha256 ? { sha256: f.metadataSha256 } : false;
  Object.assign(obj, {
    digests: { blake2b_256: f.blake2b256, md5: f.md5, sha256: f.sha256 },
    downloads: -1,
    filename: f.filename,
    has_sig: false,
    md5_digest: f.md5,
    packagetype: f.packagetype,
    python_version: f.pythonVersion,
    requires_python: f.requiresPython,
    size: f.bytes.length,
    upload_time: f.uploadTimeIso.slice(0, 19),
    upload_time_iso_8601: f.uploadTimeIso,
    url: o.baseUrl + f.path,
    yanked: r.yanked,
    yanked_reason: r.yanked && r.yankedReason ? r.yankedReason : null,
  });
  return obj;
}

/** Warehouse's pick: newest non-yanked final release, else newest non-yanked, else newest. */
export function currentRelease(c: Catalog, p: Project): Release | undefined {
  const newestFirst = c.sortedReleases(p).reverse();
  return (
    newestFirst.find((r) => !r.yanked && !isPrerelease(r.version)) ??
    newestFirst.find((r) => !r.yanked) ??
    newestFirst[0]
  );
}

function info(p: Project, r: Release, o: JsonApiOptions): Record<string, unknown> {
  const projectUrl = `${o.baseUrl}/project/${p.name}/`;
  return {
    author: 'Fake Author',
    author_email: 'fake@example.invalid',
    bugtrack_url: null,
    classifiers: [],
    description: `# ${p.displayName}\n`,
    description_content_type: 'text/markdown',
    docs_url: null,
    download_url: null,
    downloads: { last_day: -1, last_month: -1, last_week: -1 },
    dynamic: null,
    home_page: null,
    keywords: null,
    license: 'Apache-2.0',
    license_expression: null,
    license_files: null,
    maintainer: null,
    maintainer_email: null,
    name: p.displayName,
    package_url: projectUrl,
    platform: null,
    project_url: projectUrl,
    project_urls: null,
    provides_extra: null,
    release_url: `${projectUrl}${r.version}/`,
    requires_dist: r.requiresDist.length ? r.requiresDist : null,
    requires_python: r.requiresPython,
    summary: `${p.displayName}: a fake project served by jubjub's test upstream`,
    version: r.version,
    yanked: r.yanked,
    yanked_reason: r.yanked && r.yankedReason ? r.yankedReason : null,
  };
}

function files(r: Release, o: JsonApiOptions): Array<Record<string, unknown>> {
  return [...r.files.values()].sort((a, b) => (a.filename < b.filename ? -1 : 1)).map((f) => fileObject(f, r, o));
}

/** Null means 404: Warehouse has no JSON page for a project without releases. */
export function projectJson(c: Catalog, p: Project, o: JsonApiOptions): object | null {
  const current = currentRelease(c, p);
  if (!current) return null;
  const releases: Record<string, unknown> = {};
  for (const r of c.sortedReleases(p)) releases[r.version] = files(r, o);
  return {
    info: info(p, current, o),
    last_serial: p.lastSerial,
    releases,
    urls: files(current, o),
    vulnerabilities: [],
  };
}

export function releaseJson(p: Project, r: Release, o: JsonApiOptions): object {
  return { info: info(p, r, o), last_serial: p.lastSerial, urls: files(r, o), vulnerabilities: [] };
}

/**
 * The project's document as a stale cache still holds it: from before its newest release
 * was added (with one release, from before its last change), with that older serial.
 * Null when there is no older state to show.
 */
export function staleProjectJson(c: Catalog, p: Project, o: JsonApiOptions): { body: object; serial: number } | null {
  const addedAt = new Map<string, number>();
  for (const [name, version, , action, serial] of c.changelog) {
    if (name === p.displayName && version !== null && action === 'new release') addedAt.set(version, serial);
  }
  let newest: Release | undefined;
  for (const r of p.releases.values()) if (!newest || (addedAt.get(r.version) ?? 0) > (addedAt.get(newest.version) ?? 0)) newest = r;
  let older: Project;
  if (newest && p.releases.size > 1) {
    const releases = new Map(p.releases);
    releases.delete(newest.version);
    older = { ...p, releases, lastSerial: (addedAt.get(newest.version) ?? p.lastSerial) - 1 };
  } else {
    older = { ...p, lastSerial: p.lastSerial - 1 };
  }
  if (older.lastSerial < 1) return null;
  const body = projectJson(c, older, o);
  return body ? { body, serial: older.lastSerial } : null;
}
