/**
 * The shape of mirror.yaml, as written by the operator (snake_case, units as strings).
 * This one schema validates the file and generates the published JSON Schema
 * (mirror.schema.json, `npm run schema`), so it stays free of transforms; `resolve.ts`
 * turns the parsed value into `Config`. Every leaf's message is the "expected ..." half
 * of a one-line error; the loader adds the key path, the offending value and the line.
 * The descriptions are what editors show on hover: keep them short and in the words of
 * docs/configuration.md.
 */
import { z } from 'zod';
import { parseDuration, parseSize } from './units.js';

const expect = (what: string) => ({ error: `expected ${what}` });

// The regular expressions below are also emitted as JSON Schema `pattern`s, which carry
// no flags: write case-insensitivity out as character classes, never with /i. Each one
// accepts everything its refinement accepts (test/unit/config-schema.test.ts checks), so
// it adds no rejection of its own; it exists so editors catch the format. What the
// refinement alone rejects (a zero duration, a size past 2^53 bytes, a URL that does not
// parse) is left to the loader.
const DURATION_PATTERN = /^\s*\d+(\.\d+)?\s*(ms|s|m|h|d)\s*$/;
const SIZE_PATTERN = /^\s*(\d+|\d+(\.\d+)?\s*([KkMmGgTt][Ii]?[Bb]|[Bb]))\s*$/;
const HTTP_URL_PATTERN = /^[Hh][Tt][Tt][Pp][Ss]?:\/\/[^/\s]+/;
const HOST_PATTERN = /^[A-Za-z0-9.-]+(:\d+)?$/;

const int = (min: number, what: string) =>
  z.number(expect(what)).int(expect(what)).min(min, expect(what));
const bool = () => z.boolean(expect('true or false'));
const str = (what = 'a string') => z.string(expect(what));
const DURATION = 'a duration like 30s, 5m, 2h or 3d';
const duration = () =>
  str(DURATION).regex(DURATION_PATTERN, expect(DURATION)).refine((s) => parseDuration(s) !== null, expect(DURATION));
const SIZE = 'a size like 500MB, 2GiB or a byte count';
const size = () =>
  z
    .union([z.number(expect(SIZE)).int(expect(SIZE)).min(0, expect(SIZE)), str(SIZE).regex(SIZE_PATTERN, expect(SIZE))], expect(SIZE))
    .refine((v) => parseSize(v) !== null, expect(SIZE));
const httpUrl = () =>
  str('an http(s) URL')
    .regex(HTTP_URL_PATTERN, expect('an http(s) URL'))
    .refine((s) => /^https?:\/\/[^/\s]+/i.test(s) && URL.canParse(s), expect('an http(s) URL'));
const strList = (what: string) => z.array(str(what), expect(`a list of ${what}s`));

export const upstreamSchema = z.strictObject({
  url: httpUrl()
    .default('https://pypi.org')
    .describe('Index root: XML-RPC at <url>/pypi, JSON API at <url>/pypi/<project>/json, simple API at <url>/simple/.'),
  changes: z
    .enum(['xmlrpc', 'simple'], expect('one of xmlrpc, simple'))
    .default('xmlrpc')
    .describe(
      "How changes are followed: xmlrpc (PyPI's XML-RPC changelog serials; for following PyPI itself) or simple (the PEP 691 JSON root listing's per-project _last-serial, fetched with a conditional GET; for any PEP 691 index, e.g. another jubjub mirror behind a static web server).",
    ),
  files_url: httpUrl()
    .nullable()
    .default(null)
    .describe("A nearer host to download files from: the file's URL path is requested there first, then the file's own URL."),
  file_hosts: z
    .array(str('a host name').regex(HOST_PATTERN, expect('a host name like files.example.com (no scheme or path)')), expect('a list of host names'))
    .default([])
    .describe(
      "Host names (host or host:port) file URLs may point at besides url's and files_url's; for pypi.org, files.pythonhosted.org is always allowed. A file or redirect to any other host is refused.",
    ),
  timeout: duration()
    .default('30s')
    .describe('Per request: connecting, waiting for the first byte, and between bytes (30s, 5m, 2h, 3d).'),
  retries: int(0, 'an integer ≥ 0')
    .max(100, expect('an integer from 0 to 100'))
    .default(5)
    .describe('Retries per request on transient failures, with exponential backoff and jitter; Retry-After is honoured.'),
  metadata_concurrency: int(1, 'an integer ≥ 1')
    .max(256, expect('an integer from 1 to 256'))
    .default(8)
    .describe('JSON API requests in flight.'),
  download_concurrency: int(1, 'an integer ≥ 1')
    .max(256, expect('an integer from 1 to 256'))
    .default(16)
    .describe('File downloads in flight, across all projects.'),
  user_agent: str().nullable().default(null).describe('The User-Agent header; null means jubjub/<version>.'),
}, expect('a mapping of upstream keys'));

export const mirrorSchema = z.strictObject({
  root: str('a path')
    .default('./web')
    .describe("The tree a web server serves (relative to this file's folder)."),
  state: str('a path')
    .default('./state')
    .describe('Sync state and cached upstream metadata; must not be inside root (nor root inside it) and must never be served.'),
  formats: z
    .array(z.enum(['html', 'json'], expect('html or json')), expect('a list of html, json'))
    .min(1, expect('at least one of html, json'))
    .default(['html', 'json'])
    .describe('Simple index formats written: html (PEP 503) and json (PEP 691).'),
  json_api: bool()
    .default(true)
    .describe("Also write pypi/<project>/json: the upstream's JSON API document reduced to the mirrored files."),
  core_metadata: bool()
    .default(true)
    .describe('Mirror PEP 658 <file>.metadata files; pages advertise them only where the file is there with its hash.'),
  base_url: httpUrl()
    .nullable()
    .default(null)
    .describe('null for relative links (the tree can move or be served under any prefix), or the absolute URL the root is served at.'),
  upstream_deletions: z
    .enum(['delete', 'keep'], expect('one of delete, keep'))
    .default('delete')
    .describe('delete: files, releases and projects removed upstream are removed on the next run; keep: they stay (still subject to the filters).'),
}, expect('a mapping of mirror keys'));

export const platformsSchema = z.strictObject({
  include: strList('keyword or tag glob')
    .default([])
    .describe('Keep a platform-specific file only if one of its platform tags matches.'),
  exclude: strList('keyword or tag glob')
    .default([])
    .describe('Drop a platform-specific file if every one of its platform tags matches.'),
}, expect('a mapping with include and exclude lists'));

export const PACKAGE_TYPES = [
  'sdist', 'bdist_wheel', 'bdist_egg', 'bdist_wininst', 'bdist_msi', 'bdist_dmg', 'bdist_rpm', 'bdist_dumb',
] as const;

export const filtersSchema = z.strictObject({
  allow: strList('requirement')
    .default([])
    .describe(
      'PEP 508 requirement strings. A bare name keeps every release; a specifier keeps the releases it matches; ==/=== pins a release past prereleases and latest. With allow_files also empty, every project is selected.',
    ),
  allow_files: strList('path').default([]).describe('Requirements-style files adding to allow.'),
  deny: strList('requirement')
    .default([])
    .describe('A bare name removes the project; a name with a specifier removes matching releases.'),
  deny_files: strList('path').default([]).describe('Requirements-style files adding to deny.'),
  deny_patterns: strList('regular expression')
    .default([])
    .describe('Regular expressions; a project whose normalized name one finds (search, not full match) is removed.'),
  prereleases: bool().default(true).describe('false drops pre-releases and dev releases, except pinned ones.'),
  yanked: bool()
    .default(true)
    .describe('false drops yanked files (when true they are served with their PEP 592 marker).'),
  latest: int(0, 'an integer ≥ 0')
    .default(0)
    .describe('Keep only the N highest versions (plus pinned ones); 0 keeps all.'),
  packagetypes: z
    .array(z.enum(PACKAGE_TYPES, expect(`one of ${PACKAGE_TYPES.join(', ')}`)), expect('a list of package types'))
    .default([])
    .describe('Keep only these package types; empty keeps all.'),
  platforms: platformsSchema
    .default({ include: [], exclude: [] })
    .describe(
      'Platform-specific files to keep or drop, by keyword (windows, macos, linux, manylinux, musllinux, freebsd) or tag glob (*, ?). sdists and platform-independent files are never dropped.',
    ),
  max_file_size: size()
    .nullable()
    .default(null)
    .describe('Drop files larger than this (500MB, 2GiB or a byte count); null: no limit.'),
  max_project_size: size()
    .nullable()
    .default(null)
    .describe("Drop a project's lowest releases until the rest fits (500MB, 2GiB or a byte count); null: no limit."),
  python_versions: z
    .array(str('a Python version').regex(/^\d+\.\d+$/, expect('a Python version like 3.11')), expect('a list of Python versions like "3.11"'))
    .default([])
    .describe('Keep only files installable on at least one of these Python versions (wheel tags, egg version, requires-python); empty keeps all.'),
  min_age: duration()
    .nullable()
    .default(null)
    .describe('A cooldown: files uploaded less than this long before the run are left out until they come of age (3d, 12h); null: none.'),
  dependencies: bool()
    .default(false)
    .describe(
      "true: the allow entries grow to their dependency closure (Requires-Dist of every kept release, markers evaluated for python_versions × the kept platforms, extras as the entries name them). deny still wins and is reported. No effect when every project is allowed.",
    ),
}, expect('a mapping of filters keys'));

export const logSchema = z.strictObject({
  level: z
    .enum(['trace', 'debug', 'info', 'warn', 'error'], expect('one of trace, debug, info, warn, error'))
    .default('info')
    .describe('Least severe level logged.'),
  format: z
    .enum(['auto', 'json', 'pretty'], expect('one of auto, json, pretty'))
    .default('auto')
    .describe('auto: readable lines on a terminal, JSON lines otherwise; json; pretty.'),
}, expect('a mapping of log keys'));

export const metricsSchema = z.strictObject({
  textfile: str('a path')
    .nullable()
    .default(null)
    .describe('Path of a Prometheus textfile (on the roadmap); null: none.'),
}, expect('a mapping of metrics keys'));

export const configSchema = z.strictObject({
  upstream: upstreamSchema
    .default(upstreamSchema.parse({}))
    .describe('The index to follow and how to talk to it.'),
  mirror: mirrorSchema
    .default(mirrorSchema.parse({}))
    .describe('The tree written for a web server to serve.'),
  schedule: str('a cron expression')
    .default('*/10 * * * *')
    .describe('Cron expression for the daemon mode (on the roadmap); validated now.'),
  filters: filtersSchema
    .default(filtersSchema.parse({}))
    .describe('What the mirror keeps: projects, releases and files.'),
  log: logSchema.default(logSchema.parse({})).describe('Logging.'),
  metrics: metricsSchema.default(metricsSchema.parse({})).describe('Metrics output.'),
}, expect('a mapping of sections (upstream, mirror, schedule, filters, log, metrics)'));

export type RawConfig = z.output<typeof configSchema>;
