/**
 * The shape of mirror.yaml, as written by the operator (snake_case, units as strings).
 * This one schema validates the file and, later, generates the published JSON Schema,
 * so it stays free of transforms; `resolve.ts` turns the parsed value into `Config`.
 * Every leaf's message is the "expected ..." half of a one-line error; the loader adds
 * the key path, the offending value and the line.
 */
import { z } from 'zod';
import { parseDuration, parseSize } from './units.js';

const expect = (what: string) => ({ error: `expected ${what}` });

const int = (min: number, what: string) =>
  z.number(expect(what)).int(expect(what)).min(min, expect(what));
const bool = () => z.boolean(expect('true or false'));
const str = (what = 'a string') => z.string(expect(what));
const duration = () =>
  str('a duration like 30s, 5m, 2h or 3d').refine((s) => parseDuration(s) !== null, expect('a duration like 30s, 5m, 2h or 3d'));
const size = () =>
  z
    .union([z.number(), z.string()], expect('a size like 500MB, 2GiB or a byte count'))
    .refine((v) => parseSize(v) !== null, expect('a size like 500MB, 2GiB or a byte count'));
const httpUrl = () =>
  str('an http(s) URL').refine((s) => /^https?:\/\/[^/\s]+/i.test(s) && URL.canParse(s), expect('an http(s) URL'));
const strList = (what: string) => z.array(str(what), expect(`a list of ${what}s`));

export const upstreamSchema = z.strictObject({
  url: httpUrl().default('https://pypi.org'),
  changes: z.enum(['xmlrpc', 'simple'], expect('one of xmlrpc, simple')).default('xmlrpc'),
  files_url: httpUrl().nullable().default(null),
  file_hosts: z
    .array(str('a host name').regex(/^[a-z0-9.-]+(:\d+)?$/i, expect('a host name like files.example.com (no scheme or path)')), expect('a list of host names'))
    .default([]),
  timeout: duration().default('30s'),
  retries: int(0, 'an integer ≥ 0').max(100, expect('an integer from 0 to 100')).default(5),
  metadata_concurrency: int(1, 'an integer ≥ 1').max(256, expect('an integer from 1 to 256')).default(8),
  download_concurrency: int(1, 'an integer ≥ 1').max(256, expect('an integer from 1 to 256')).default(16),
  user_agent: str().nullable().default(null),
});

export const mirrorSchema = z.strictObject({
  root: str('a path').default('./web'),
  state: str('a path').default('./state'),
  formats: z
    .array(z.enum(['html', 'json'], expect('html or json')), expect('a list of html, json'))
    .min(1, expect('at least one of html, json'))
    .default(['html', 'json']),
  json_api: bool().default(true),
  core_metadata: bool().default(true),
  base_url: httpUrl().nullable().default(null),
  upstream_deletions: z.enum(['delete', 'keep'], expect('one of delete, keep')).default('delete'),
});

export const platformsSchema = z.strictObject({
  include: strList('keyword or tag glob').default([]),
  exclude: strList('keyword or tag glob').default([]),
});

export const PACKAGE_TYPES = [
  'sdist', 'bdist_wheel', 'bdist_egg', 'bdist_wininst', 'bdist_msi', 'bdist_dmg', 'bdist_rpm', 'bdist_dumb',
] as const;

export const filtersSchema = z.strictObject({
  allow: strList('requirement').default([]),
  allow_files: strList('path').default([]),
  deny: strList('requirement').default([]),
  deny_files: strList('path').default([]),
  deny_patterns: strList('regular expression').default([]),
  prereleases: bool().default(true),
  yanked: bool().default(true),
  latest: int(0, 'an integer ≥ 0').default(0),
  packagetypes: z
    .array(z.enum(PACKAGE_TYPES, expect(`one of ${PACKAGE_TYPES.join(', ')}`)), expect('a list of package types'))
    .default([]),
  platforms: platformsSchema.default({ include: [], exclude: [] }),
  max_file_size: size().nullable().default(null),
  max_project_size: size().nullable().default(null),
});

export const logSchema = z.strictObject({
  level: z.enum(['trace', 'debug', 'info', 'warn', 'error'], expect('one of trace, debug, info, warn, error')).default('info'),
  format: z.enum(['auto', 'json', 'pretty'], expect('one of auto, json, pretty')).default('auto'),
});

export const metricsSchema = z.strictObject({
  textfile: str('a path').nullable().default(null),
});

export const configSchema = z.strictObject({
  upstream: upstreamSchema.default(upstreamSchema.parse({})),
  mirror: mirrorSchema.default(mirrorSchema.parse({})),
  schedule: str('a cron expression').default('*/10 * * * *'),
  filters: filtersSchema.default(filtersSchema.parse({})),
  log: logSchema.default(logSchema.parse({})),
  metrics: metricsSchema.default(metricsSchema.parse({})),
});

export type RawConfig = z.output<typeof configSchema>;
