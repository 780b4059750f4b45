/**
 * Renders one project's pages from what is published: PEP 503 HTML (with PEP 592, 629,
 * 658/714 attributes), PEP 691 JSON (with PEP 700 fields) and the JSON API document.
 * Pure functions of their input, so identical input gives identical bytes and an
 * unchanged page is never rewritten.
 */
import type { PublishedFile } from '../model.js';
import { API_VERSION, escapeHtml, linkFromProject } from './links.js';

export interface ProjectPageInput {
  name: string;
  displayName: string;
  serial: number;
  files: PublishedFile[];
  /** Upstream `info`, re-published in the JSON API document. */
  info: Record<string, unknown>;
  baseUrl: string | null;
}

function href(f: PublishedFile, baseUrl: string | null): string {
  return `${linkFromProject(f.path, baseUrl)}#sha256=${f.sha256}`;
}

export function renderProjectHtml(p: ProjectPageInput): string {
  const links = p.files.map((f) => {
    let attrs = `href="${escapeHtml(href(f, p.baseUrl))}"`;
    if (f.requiresPython) attrs += ` data-requires-python="${escapeHtml(f.requiresPython)}"`;
    if (f.yanked) attrs += ` data-yanked="${escapeHtml(f.yankedReason ?? '')}"`;
    if (f.metadataSha256) {
      attrs += ` data-core-metadata="sha256=${f.metadataSha256}" data-dist-info-metadata="sha256=${f.metadataSha256}"`;
    }
    return `    <a ${attrs}>${escapeHtml(f.filename)}</a><br />\n`;
  });
  const title = escapeHtml(p.displayName);
  return (
    `<!DOCTYPE html>\n<html>\n  <head>\n    <meta name="pypi:repository-version" content="${API_VERSION}">\n` +
    `    <title>Links for ${title}</title>\n  </head>\n  <body>\n    <h1>Links for ${title}</h1>\n` +
    `${links.join('')}  </body>\n</html>\n`
  );
}

/** Versions in the order the planner kept them (ascending), each once. */
function versionsOf(files: PublishedFile[]): string[] {
  return [...new Set(files.map((f) => f.version))];
}

export function renderProjectJson(p: ProjectPageInput): string {
  const files = p.files.map((f) => {
    const out: Record<string, unknown> = {
      filename: f.filename,
      url: linkFromProject(f.path, p.baseUrl),
      hashes: { sha256: f.sha256 },
      size: f.size,
    };
    if (f.uploadTime) out['upload-time'] = f.uploadTime;
    if (f.requiresPython) out['requires-python'] = f.requiresPython;
    // PEP 691 wants a non-empty reason or `true`; pip reads "" as not yanked.
    out.yanked = f.yanked ? f.yankedReason || true : false;
    out['core-metadata'] = f.metadataSha256 ? { sha256: f.metadataSha256 } : false;
    return out;
  });
  return JSON.stringify({
    meta: { 'api-version': API_VERSION, '_last-serial': p.serial },
    name: p.name,
    'project-status': { status: 'active' },
    versions: versionsOf(p.files),
    files,
  });
}

function jsonApiFile(f: PublishedFile, baseUrl: string | null): Record<string, unknown> {
  return {
    filename: f.filename,
    url: linkFromProject(f.path, baseUrl),
    digests: { sha256: f.sha256 },
    size: f.size,
    packagetype: f.packagetype,
    python_version: f.pythonVersion,
    requires_python: f.requiresPython,
    yanked: f.yanked,
    yanked_reason: f.yankedReason,
    upload_time: f.uploadTime ? f.uploadTime.slice(0, 19) : null,
    upload_time_iso_8601: f.uploadTime,
    'core-metadata': f.metadataSha256 ? { sha256: f.metadataSha256 } : false,
    comment_text: '',
    has_sig: false,
  };
}

/** `pypi/<name>/json`: the upstream document, reduced to the files this mirror serves. */
export function renderJsonApi(p: ProjectPageInput): string {
  // No prototype: a release may be called `constructor` or `toString`.
  const releases = Object.create(null) as Record<string, Array<Record<string, unknown>>>;
  for (const f of p.files) (releases[f.version] ??= []).push(jsonApiFile(f, p.baseUrl));
  const current = typeof p.info.version === 'string' ? p.info.version : null;
  const urls = current !== null ? (releases[current] ?? []) : [];
  return JSON.stringify({ info: p.info, last_serial: p.serial, releases, urls, vulnerabilities: [] });
}
