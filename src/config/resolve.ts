/**
 * Turns the validated file into the effective `Config`: resolves paths against the
 * file's folder, converts units, and runs the checks a schema cannot express (cron,
 * requirement strings, regular expressions, folder overlap). A failed check throws
 * `KeyError` with the key path so the loader can add the line.
 */
import path from 'node:path';
import { CronTime } from 'cron';
import { parseRequirement } from '../planner/filters/requirement.js';
import { VERSION } from '../version.js';
import type { RawConfig } from './schema.js';
import type { Config } from './types.js';
import { parseDuration, parseSize } from './units.js';

export class KeyError extends Error {
  constructor(
    readonly keyPath: Array<string | number>,
    message: string,
  ) {
    super(message);
  }
}

/** PyPI serves files from another host; a mirror of pypi.org must be allowed to fetch them. */
const PYPI_FILE_HOST = 'files.pythonhosted.org';

function hostOf(url: string): string {
  return new URL(url).host.toLowerCase();
}

function isInside(child: string, parent: string): boolean {
  const rel = path.relative(parent, child);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

function checkRequirements(list: string[], key: string): void {
  list.forEach((text, i) => {
    try {
      parseRequirement(text);
    } catch (err) {
      throw new KeyError(['filters', key, i], `invalid requirement ${JSON.stringify(text)}: ${(err as Error).message}`);
    }
  });
}

/** Node's timers hold at most 2^31-1 ms; a longer timeout would fire after 1 ms instead. */
const MAX_TIMEOUT_MS = 2 ** 31 - 1;

/** What Node accepts in a header value; anything else fails every request at run time. */
const HEADER_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;

/** An empty path resolves to this file's folder: never what was meant. */
function checkPath(value: string | null, keyPath: Array<string | number>): void {
  if (value !== null && value.trim() === '') throw new KeyError(keyPath, `expected a path, got ${JSON.stringify(value)}`);
}

export function resolveConfig(raw: RawConfig, file: string): Config {
  const dir = path.dirname(file);
  const abs = (p: string) => path.resolve(dir, p);

  const timeoutMs = parseDuration(raw.upstream.timeout) ?? 30_000;
  if (timeoutMs > MAX_TIMEOUT_MS) {
    throw new KeyError(['upstream', 'timeout'], `expected a duration of at most 24d, got ${JSON.stringify(raw.upstream.timeout)}`);
  }
  const userAgent = raw.upstream.user_agent;
  if (userAgent !== null && !HEADER_VALUE.test(userAgent)) {
    throw new KeyError(['upstream', 'user_agent'], `expected one line of printable text, got ${JSON.stringify(userAgent)}`);
  }
  checkPath(raw.mirror.root, ['mirror', 'root']);
  checkPath(raw.mirror.state, ['mirror', 'state']);
  checkPath(raw.metrics.textfile, ['metrics', 'textfile']);
  raw.filters.allow_files.forEach((p, i) => checkPath(p, ['filters', 'allow_files', i]));
  raw.filters.deny_files.forEach((p, i) => checkPath(p, ['filters', 'deny_files', i]));
  for (const side of ['include', 'exclude'] as const) {
    raw.filters.platforms[side].forEach((p, i) => {
      if (p.trim() === '') throw new KeyError(['filters', 'platforms', side, i], `expected a platform keyword or tag glob, got ${JSON.stringify(p)}`);
    });
  }

  if (!validCron(raw.schedule)) throw new KeyError(['schedule'], `expected a cron expression, got ${JSON.stringify(raw.schedule)}`);

  checkRequirements(raw.filters.allow, 'allow');
  checkRequirements(raw.filters.deny, 'deny');
  raw.filters.deny_patterns.forEach((p, i) => {
    try {
      new RegExp(p);
    } catch (err) {
      throw new KeyError(['filters', 'deny_patterns', i], `invalid regular expression ${JSON.stringify(p)}: ${(err as Error).message}`);
    }
  });

  const root = abs(raw.mirror.root);
  const state = abs(raw.mirror.state);
  if (isInside(state, root)) {
    throw new KeyError(['mirror', 'state'], 'must not be inside mirror.root: the state would be served to the world');
  }
  if (isInside(root, state)) throw new KeyError(['mirror', 'root'], 'must not be inside mirror.state');
  if (raw.metrics.textfile !== null && isInside(abs(raw.metrics.textfile), root)) {
    throw new KeyError(['metrics', 'textfile'], 'must not be inside mirror.root: it would be served, and verify would call it an orphan');
  }

  const url = raw.upstream.url.replace(/\/+$/, '');
  if (/\/(simple|pypi)$/i.test(new URL(url).pathname)) {
    throw new KeyError(['upstream', 'url'], `expected the index root (e.g. https://pypi.org), not its ${new URL(url).pathname}/ endpoint`);
  }
  const hosts = new Set([hostOf(url), ...raw.upstream.file_hosts.map((h) => h.toLowerCase())]);
  if (raw.upstream.files_url) hosts.add(hostOf(raw.upstream.files_url));
  if (hostOf(url) === 'pypi.org') hosts.add(PYPI_FILE_HOST);

  const baseUrl = raw.mirror.base_url === null ? null : raw.mirror.base_url.replace(/\/*$/, '/');
  return {
    file,
    upstream: {
      url,
      changes: raw.upstream.changes,
      filesUrl: raw.upstream.files_url,
      fileHosts: [...hosts],
      timeoutMs,
      retries: raw.upstream.retries,
      metadataConcurrency: raw.upstream.metadata_concurrency,
      downloadConcurrency: raw.upstream.download_concurrency,
      userAgent: userAgent ?? `jubjub/${VERSION}`,
    },
    mirror: {
      root,
      state,
      formats: [...new Set(raw.mirror.formats)],
      jsonApi: raw.mirror.json_api,
      coreMetadata: raw.mirror.core_metadata,
      baseUrl,
      upstreamDeletions: raw.mirror.upstream_deletions,
    },
    schedule: raw.schedule,
    filters: {
      allow: raw.filters.allow,
      allowFiles: raw.filters.allow_files.map(abs),
      deny: raw.filters.deny,
      denyFiles: raw.filters.deny_files.map(abs),
      denyPatterns: raw.filters.deny_patterns,
      prereleases: raw.filters.prereleases,
      yanked: raw.filters.yanked,
      latest: raw.filters.latest,
      packagetypes: raw.filters.packagetypes,
      platforms: { include: raw.filters.platforms.include, exclude: raw.filters.platforms.exclude },
      maxFileSize: raw.filters.max_file_size === null ? null : parseSize(raw.filters.max_file_size),
      maxProjectSize: raw.filters.max_project_size === null ? null : parseSize(raw.filters.max_project_size),
      pythonVersions: [...new Set(raw.filters.python_versions)],
      minAgeMs: raw.filters.min_age === null ? null : parseDuration(raw.filters.min_age),
      dependencies: raw.filters.dependencies,
    },
    log: raw.log,
    metrics: { textfile: raw.metrics.textfile === null ? null : abs(raw.metrics.textfile) },
  };
}

/**
 * Parses `schedule` as the daemon will. With a UTC offset given, cron skips looking up
 * the system's time zone, whose first Intl call loads ICU's data: 20 ms of every command's
 * start, for a check whose answer does not depend on the zone.
 */
function validCron(expression: string): boolean {
  try {
    new CronTime(expression, null, 0);
    return true;
  } catch {
    return false;
  }
}
