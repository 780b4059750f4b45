/** Small builders for ProjectMeta fixtures and compiled filters. */
import type { ProjectMeta, Release, UpstreamFile } from '../../../src/model.js';
import { compileFilters } from '../../../src/planner/filters/compile.js';
import type { CompiledFilters } from '../../../src/planner/filters/compiled.js';
import { normalizeName } from '../../../src/planner/filters/names.js';
import { isProjectSelected } from '../../../src/planner/filters/project.js';
import { selectFiles } from '../../../src/planner/filters/select.js';
import { defaultFilterSettings, type FilterSettings } from '../../../src/planner/filters/settings.js';

function packagetypeOf(filename: string): string {
  if (filename.endsWith('.whl')) return 'bdist_wheel';
  if (filename.endsWith('.egg')) return 'bdist_egg';
  if (filename.endsWith('.exe')) return 'bdist_wininst';
  if (filename.endsWith('.msi')) return 'bdist_msi';
  if (filename.endsWith('.dmg')) return 'bdist_dmg';
  if (filename.endsWith('.rpm')) return 'bdist_rpm';
  return 'sdist';
}

export function file(filename: string, opts: Partial<UpstreamFile> = {}): UpstreamFile {
  return {
    filename,
    url: `https://files.example/${filename}`,
    sha256: '0'.repeat(64),
    size: 1000,
    packagetype: packagetypeOf(filename),
    pythonVersion: filename.endsWith('.whl') ? 'py3' : 'source',
    requiresPython: null,
    yanked: false,
    yankedReason: null,
    uploadTime: '2024-01-01T00:00:00Z',
    coreMetadataSha256: null,
    ...opts,
  };
}

/** A release; without files it gets one sdist named after the version. */
export function release(version: string, files?: (UpstreamFile | string)[], opts: Partial<UpstreamFile> = {}): Release {
  const list = files ?? [`pkg-${version}.tar.gz`];
  return { version, files: list.map((f) => (typeof f === 'string' ? file(f, opts) : f)) };
}

export function project(name: string, releases: (Release | string)[]): ProjectMeta {
  return {
    name: normalizeName(name),
    displayName: name,
    lastSerial: 1,
    releases: releases.map((r) => (typeof r === 'string' ? release(r) : r)),
    info: {},
  };
}

export function filters(partial: Partial<FilterSettings> = {}): CompiledFilters {
  return compileFilters({ ...defaultFilterSettings, ...partial }, { allow: [], deny: [] });
}

/** The versions kept, in selection order, each once. */
export function keptVersions(f: CompiledFilters, meta: ProjectMeta): string[] {
  return [...new Set(selectFiles(f, meta).files.map((x) => x.version))];
}

export function keptFiles(f: CompiledFilters, meta: ProjectMeta): string[] {
  return selectFiles(f, meta).files.map((x) => x.filename);
}

/** The names step 1 keeps, in the given order. */
export function selectedProjects(f: CompiledFilters, names: string[]): string[] {
  return names.filter((n) => isProjectSelected(f, n));
}

export const MB = 1_000_000;
