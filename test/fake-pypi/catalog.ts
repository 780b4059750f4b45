import { createHash } from 'node:crypto';
import { buildArtifact, type FileKind } from './artifact.js';
import { blake2b256Hex } from './blake2b.js';
import { normalize } from './names.js';
import { compareVersions } from './version.js';

export interface FakeFileSpec {
  kind?: FileKind;
  /** Wheel tag triple (default `py3-none-any`), egg `py2.7[-platform]`, exe platform (`win32`). */
  tags?: string;
  /** Approximate target size in bytes, reached with an incompressible stored filler member. */
  size?: number;
  uploadTime?: string;
  /** Overrides the release's Requires-Python for this file only. */
  requiresPython?: string | null;
}

export interface FakeReleaseSpec {
  requiresDist?: string[];
  requiresPython?: string | null;
}

export type ChangelogRow = [name: string, version: string | null, time: number, action: string, serial: number];

export interface FileRecord {
  filename: string;
  project: string;
  version: string;
  bytes: Buffer;
  metadata: Buffer | null;
  sha256: string;
  md5: string;
  blake2b256: string;
  metadataSha256: string | null;
  packagetype: string;
  pythonVersion: string;
  requiresPython: string | null;
  /** `YYYY-MM-DDTHH:MM:SS.ffffffZ`, the PEP 700 form; the JSON API's `upload_time` is cut from it. */
  uploadTimeIso: string;
  /** Path below the server root; the URL is this on the fake's origin. */
  path: string;
  corrupt: 'flip' | 'truncate' | null;
}

export interface Release {
  version: string;
  requiresDist: string[];
  requiresPython: string | null;
  yanked: boolean;
  yankedReason: string;
  files: Map<string, FileRecord>;
}

export interface Project {
  displayName: string;
  name: string;
  lastSerial: number;
  releases: Map<string, Release>;
}

// Deterministic clock: row times and default upload times are this plus the serial.
const EPOCH = Date.UTC(2024, 0, 1) / 1000;

function isoMicros(d: Date, micros: number): string {
  return `${d.toISOString().slice(0, 19)}.${String(micros).padStart(6, '0')}Z`;
}

export class Catalog {
  readonly projects = new Map<string, Project>();
  readonly files = new Map<string, FileRecord>();
  readonly filesByPath = new Map<string, FileRecord>();
  readonly changelog: ChangelogRow[] = [];
  serial = 0;

  private record(p: Project, version: string | null, action: string): void {
    this.serial += 1;
    p.lastSerial = this.serial;
    this.changelog.push([p.displayName, version, EPOCH + this.serial, action, this.serial]);
  }

  project(name: string): Project {
    const p = this.projects.get(normalize(name));
    if (!p) throw new Error(`fake-pypi: no project ${name}`);
    return p;
  }

  release(project: string, version: string): Release {
    const r = this.project(project).releases.get(version);
    if (!r) throw new Error(`fake-pypi: no release ${project} ${version}`);
    return r;
  }

  file(filename: string): FileRecord {
    const f = this.files.get(filename);
    if (!f) throw new Error(`fake-pypi: no file ${filename}`);
    return f;
  }

  /** Releases in PEP 440 order, oldest first. */
  sortedReleases(p: Project): Release[] {
    return [...p.releases.values()].sort((a, b) => compareVersions(a.version, b.version));
  }

  addProject(displayName: string): void {
    const name = normalize(displayName);
    if (this.projects.has(name)) throw new Error(`fake-pypi: project ${displayName} exists`);
    const p: Project = { displayName, name, lastSerial: 0, releases: new Map() };
    this.projects.set(name, p);
    this.record(p, null, 'create');
  }

  addRelease(project: string, version: string, spec: FakeReleaseSpec = {}): void {
    const p = this.project(project);
    if (p.releases.has(version)) throw new Error(`fake-pypi: release ${project} ${version} exists`);
    p.releases.set(version, {
      version,
      requiresDist: spec.requiresDist ?? [],
      requiresPython: spec.requiresPython ?? null,
      yanked: false,
      yankedReason: '',
      files: new Map(),
    });
    this.record(p, version, 'new release');
  }

  addFile(project: string, version: string, spec: FakeFileSpec = {}): string {
    const p = this.project(project);
    const r = this.release(project, version);
    const requiresPython = spec.requiresPython !== undefined ? spec.requiresPython : r.requiresPython;
    const a = buildArtifact({
      displayName: p.displayName,
      version,
      kind: spec.kind ?? 'wheel',
      tags: spec.tags,
      size: spec.size,
      requiresPython,
      requiresDist: r.requiresDist,
    });
    if (this.files.has(a.filename)) throw new Error(`fake-pypi: file ${a.filename} exists`);
    const b2 = blake2b256Hex(a.bytes);
    const nextSerial = this.serial + 1;
    const uploadTimeIso = spec.uploadTime
      ? isoMicros(new Date(spec.uploadTime), new Date(spec.uploadTime).getUTCMilliseconds() * 1000)
      : isoMicros(new Date((EPOCH + nextSerial) * 1000), (nextSerial * 7919) % 1_000_000);
    const f: FileRecord = {
      filename: a.filename,
      project: p.name,
      version,
      bytes: a.bytes,
      metadata: a.metadata,
      sha256: createHash('sha256').update(a.bytes).digest('hex'),
      md5: createHash('md5').update(a.bytes).digest('hex'),
      blake2b256: b2,
      metadataSha256: a.metadata ? createHash('sha256').update(a.metadata).digest('hex') : null,
      packagetype: a.packagetype,
      pythonVersion: a.pythonVersion,
      requiresPython,
      uploadTimeIso,
      path: `/packages/${b2.slice(0, 2)}/${b2.slice(2, 4)}/${b2.slice(4)}/${a.filename}`,
      corrupt: null,
    };
    r.files.set(f.filename, f);
    this.files.set(f.filename, f);
    this.filesByPath.set(f.path, f);
    this.record(p, version, `add ${f.pythonVersion} file ${f.filename}`);
    return f.filename;
  }

  private dropFile(f: FileRecord): void {
    this.files.delete(f.filename);
    this.filesByPath.delete(f.path);
  }

  removeFile(filename: string): void {
    const f = this.file(filename);
    const p = this.project(f.project);
    p.releases.get(f.version)?.files.delete(filename);
    this.dropFile(f);
    this.record(p, f.version, `remove file ${filename}`);
  }

  removeRelease(project: string, version: string): void {
    const p = this.project(project);
    const r = this.release(project, version);
    for (const f of r.files.values()) this.dropFile(f);
    p.releases.delete(version);
    this.record(p, version, 'remove release');
  }

  removeProject(project: string): void {
    const p = this.project(project);
    for (const r of p.releases.values()) for (const f of r.files.values()) this.dropFile(f);
    this.projects.delete(p.name);
    this.record(p, null, 'remove project');
  }

  yank(project: string, version: string, reason = ''): void {
    const r = this.release(project, version);
    r.yanked = true;
    r.yankedReason = reason;
    this.record(this.project(project), version, 'yank release');
  }

  unyank(project: string, version: string): void {
    const r = this.release(project, version);
    r.yanked = false;
    r.yankedReason = '';
    this.record(this.project(project), version, 'unyank release');
  }
}
