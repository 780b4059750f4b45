/**
 * The data every layer passes along: upstream client → change feed → planner →
 * download queue → storage → index writer. Upstream documents are validated and
 * converted into these shapes at the boundary (src/upstream), so nothing past it
 * sees raw JSON.
 */

/** One distribution file as the upstream describes it. */
export interface UpstreamFile {
  filename: string;
  /** Absolute http(s) URL, already resolved against the document it came from. */
  url: string;
  /** Lowercase hex sha256: the only digest jubjub trusts and publishes. */
  sha256: string;
  size: number;
  /** `sdist`, `bdist_wheel`, `bdist_egg`, ... as the JSON API names it. */
  packagetype: string;
  /** `source`, `py3`, `cp311`, ... (JSON API `python_version`). */
  pythonVersion: string;
  requiresPython: string | null;
  yanked: boolean;
  yankedReason: string | null;
  /** ISO 8601 UTC upload time, or null when the upstream does not say. */
  uploadTime: string | null;
  /** PEP 658 core metadata: its sha256 when the upstream serves `<url>.metadata`, else null. */
  coreMetadataSha256: string | null;
}

export interface Release {
  /** The version string exactly as the upstream spells it (may be a legacy version). */
  version: string;
  files: UpstreamFile[];
}

/** A project's upstream state: what the JSON API said, cached in `mirror.state`. */
export interface ProjectMeta {
  /** PEP 503 normalized name. */
  name: string;
  /** The name as the upstream displays it. */
  displayName: string;
  lastSerial: number;
  releases: Release[];
  /**
   * The JSON API's `info` object, kept as sent (it is re-published in `pypi/<name>/json`
   * and later read for `requires_dist`). Validated as a plain object only.
   */
  info: Record<string, unknown>;
}

/** A file the planner keeps, with the release it belongs to. */
export interface SelectedFile extends UpstreamFile {
  version: string;
}

/** What the filters keep of one project. */
export interface Selection {
  files: SelectedFile[];
  /** True when `max_project_size` left the project with fewer releases than it has. */
  overBudget: boolean;
  /** With `min_age`: when the first file held back comes of age (ms), else null. */
  matureAt?: number | null;
}

/** A file as it is published: where it lies under `mirror.root` and what pages say of it. */
export interface PublishedFile extends SelectedFile {
  /** POSIX path relative to `mirror.root`, e.g. `packages/ab/cd/ef.../x-1.0.tar.gz`. */
  path: string;
  /** sha256 of `<path>.metadata` when that file is published, else null. */
  metadataSha256: string | null;
}
