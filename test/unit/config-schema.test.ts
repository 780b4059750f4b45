/**
 * mirror.schema.json, the JSON Schema editors check mirror.yaml with: it is exactly what
 * the loader's zod schema generates, and it accepts and rejects what the loader does.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv, type ErrorObject } from 'ajv';
import { describe, expect, test } from 'vitest';
import { parse } from 'yaml';
import type { z } from 'zod';
import { loadConfig } from '../../src/config/load.js';
import { configSchema } from '../../src/config/schema.js';
import { parseDuration, parseSize } from '../../src/config/units.js';
import { ConfigError } from '../../src/errors.js';
import { yamlFile } from './config-helpers.js';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const SCHEMA_FILE = path.join(REPO, 'mirror.schema.json');
const SHIPPED_YAML = path.join(REPO, 'mirror.yaml');

// The generator is plain ESM so `npm run schema` runs without a TS runner; a specifier
// typed as string keeps tsc from wanting declarations for it, and this is its shape.
interface Generator {
  buildMirrorSchema(schema: z.ZodType): Record<string, unknown>;
}
const generatorPath: string = '../../scripts/gen-schema.mjs';
const { buildMirrorSchema } = (await import(generatorPath)) as Generator;

type JsonSchema = {
  type?: string | string[];
  pattern?: string;
  description?: string;
  properties?: Record<string, JsonSchema>;
  items?: JsonSchema;
  anyOf?: JsonSchema[];
};

async function readCommitted(): Promise<JsonSchema & Record<string, unknown>> {
  try {
    return JSON.parse(await readFile(SCHEMA_FILE, 'utf8')) as JsonSchema & Record<string, unknown>;
  } catch (err) {
    throw new Error(`cannot read mirror.schema.json (${(err as Error).message}): run \`npm run schema\``);
  }
}
const committed = await readCommitted();

// Strict, so a keyword ajv does not know or a type it cannot check fails the test rather
// than being ignored by it and by editors alike.
const ajv = new Ajv({ strict: true });
const validate = ajv.compile(committed);

// ---- where a document is rejected, in the loader's `a.b[0]` notation ----

function dotted(keys: ReadonlyArray<PropertyKey>): string {
  const text = keys
    .map((k, i) => (typeof k === 'number' ? `[${k}]` : i === 0 ? String(k) : `.${String(k)}`))
    .join('');
  return text || '(top level)';
}

function ajvWhere(error: ErrorObject): string {
  const keys: PropertyKey[] = error.instancePath
    .split('/')
    .slice(1)
    .map((k) => k.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((k) => (/^\d+$/.test(k) ? Number(k) : k));
  if (error.keyword === 'additionalProperties') keys.push(String((error.params as { additionalProperty: string }).additionalProperty));
  return dotted(keys);
}

type Verdict = { ok: true } | { ok: false; at: string; detail: string };

function bySchema(raw: unknown): Verdict {
  if (validate(raw)) return { ok: true };
  const first = validate.errors?.[0];
  if (!first) throw new Error('ajv rejected without an error');
  return { ok: false, at: ajvWhere(first), detail: ajv.errorsText(validate.errors) };
}

function byZod(raw: unknown): Verdict {
  const parsed = configSchema.safeParse(raw);
  if (parsed.success) return { ok: true };
  const first = parsed.error.issues[0];
  if (!first) throw new Error('zod rejected without an issue');
  const keys = first.code === 'unrecognized_keys' ? [...first.path, first.keys[0] ?? '?'] : first.path;
  return { ok: false, at: dotted(keys), detail: first.message };
}

async function byLoader(text: string): Promise<Verdict> {
  try {
    await loadConfig(await yamlFile(text));
    return { ok: true };
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    const at = /^([^:]+):/.exec(err.message)?.[1] ?? err.message;
    return { ok: false, at, detail: err.message };
  }
}

/** A document the loader hands to zod unchanged: no empty top-level section, not empty. */
function reachesZodAsIs(raw: unknown): boolean {
  if (raw === null || raw === undefined) return false;
  if (typeof raw !== 'object' || Array.isArray(raw)) return true;
  return Object.entries(raw).every(([k, v]) => v !== null || k === 'schedule');
}

describe('mirror.schema.json', () => {
  test('is what `npm run schema` generates from src/config/schema.ts', () => {
    expect(committed, 'mirror.schema.json is out of date: run `npm run schema` and commit it').toEqual(
      buildMirrorSchema(configSchema),
    );
  });

  test('is a valid draft-07 schema, and every key has a description', () => {
    expect(committed.$schema).toBe('http://json-schema.org/draft-07/schema#');
    expect(ajv.validateSchema(committed), ajv.errorsText(ajv.errors)).toBe(true);
    expect(committed.$id).toEqual(expect.any(String));
    expect(committed.title).toEqual(expect.any(String));

    const undescribed: string[] = [];
    const keys: string[] = [];
    const walk = (schema: JsonSchema, at: string) => {
      for (const [key, sub] of Object.entries(schema.properties ?? {})) {
        const where = at ? `${at}.${key}` : key;
        keys.push(where);
        if (!sub.description?.trim()) undescribed.push(where);
        walk(sub, where);
      }
    };
    walk(committed, '');
    expect(undescribed, 'add .describe() to these keys in src/config/schema.ts').toEqual([]);
    // The walk reached the nested keys, so the check above is not vacuous.
    expect(keys).toContain('filters.platforms.exclude');
    expect(keys.length).toBeGreaterThan(30);
  });
});

describe('the shipped mirror.yaml', () => {
  test('names the schema on its first line, for yaml-language-server', async () => {
    const text = await readFile(SHIPPED_YAML, 'utf8');
    const first = text.split('\n')[0] ?? '';
    const match = /^# yaml-language-server: \$schema=(\S+)$/.exec(first);
    expect(match, first).not.toBeNull();
    expect(path.resolve(path.dirname(SHIPPED_YAML), match?.[1] ?? '')).toBe(SCHEMA_FILE);
  });

  test('validates against the JSON Schema and loads with the real loader', async () => {
    const raw: unknown = parse(await readFile(SHIPPED_YAML, 'utf8'));
    expect(bySchema(raw)).toEqual({ ok: true });
    expect(byZod(raw)).toEqual({ ok: true });
    const config = await loadConfig(SHIPPED_YAML);
    expect(config.filters.latest).toBe(5);
  });
});

/**
 * Documents valid for the loader (including resolve.ts's checks), and invalid ones with
 * the key path the loader names. The JSON Schema must agree on each, and name the same key.
 */
const CASES: Array<{ name: string; yaml: string; at?: string }> = [
  // ---- valid ----
  { name: 'an empty mapping', yaml: '{}' },
  { name: 'an empty file', yaml: '' },
  { name: 'only comments', yaml: '# nothing here\n' },
  { name: 'empty sections mean their defaults', yaml: 'upstream:\nmirror:\nfilters:\nlog:\nmetrics:\n' },
  {
    name: 'every upstream key',
    yaml: [
      'upstream:',
      '  url: http://localhost:8080',
      '  changes: simple',
      '  files_url: https://files.example.com',
      '  file_hosts: [Files.Example.com, "cdn.example.org:8443"]',
      '  timeout: 250ms',
      '  retries: 0',
      '  metadata_concurrency: 256',
      '  download_concurrency: 1',
      '  user_agent: my-mirror/1.0',
    ].join('\n'),
  },
  {
    name: 'every mirror key',
    yaml: [
      'mirror:',
      '  root: ./www',
      '  state: ./var/state',
      '  formats: [json]',
      '  json_api: false',
      '  core_metadata: false',
      '  base_url: https://pypi.example.com/prefix/',
      '  upstream_deletions: keep',
    ].join('\n'),
  },
  { name: 'a cron schedule', yaml: 'schedule: "0 */2 * * *"' },
  {
    name: 'every filters key',
    yaml: [
      'filters:',
      '  allow: ["requests>=2.31", numpy]',
      '  allow_files: [allow.txt]',
      '  deny: [left-pad]',
      '  deny_files: []',
      '  deny_patterns: ["-nightly$"]',
      '  prereleases: false',
      '  yanked: false',
      '  latest: 3',
      '  packagetypes: [sdist, bdist_wheel]',
      '  platforms: { include: ["manylinux*"], exclude: [windows, macos] }',
      '  max_file_size: 200MB',
      '  max_project_size: 2 GiB',
    ].join('\n'),
  },
  { name: 'every log and metrics key', yaml: 'log: { level: trace, format: json }\nmetrics: { textfile: ./jubjub.prom }' },
  { name: 'durations with spaces and fractions', yaml: 'upstream: { timeout: " 1.5h " }' },
  { name: 'a size as a byte count', yaml: 'filters: { max_file_size: 1234, max_project_size: 0 }' },
  { name: 'a size as a quoted byte count, lower-case units', yaml: 'filters: { max_file_size: "1234", max_project_size: 12kib }' },
  { name: 'an integer written as a float', yaml: 'upstream: { retries: 5.0 }\nfilters: { latest: 1e3 }' },
  { name: 'nulls where a key allows them', yaml: 'upstream: { files_url: null, user_agent: ~ }\nmirror: { base_url: null }\nmetrics: { textfile: null }' },

  // ---- invalid ----
  { name: 'a document that is a list', yaml: '- upstream', at: '(top level)' },
  { name: 'a document that is a string', yaml: 'mirror', at: '(top level)' },
  { name: 'an unknown top-level key', yaml: 'mirrors: {}', at: 'mirrors' },
  { name: 'an unknown upstream key', yaml: 'upstream:\n  retrys: 3', at: 'upstream.retrys' },
  { name: 'an unknown mirror key', yaml: 'mirror: { webroot: ./web }', at: 'mirror.webroot' },
  { name: 'an unknown filters key', yaml: 'filters: { allowlist: [] }', at: 'filters.allowlist' },
  { name: 'an unknown key two levels down', yaml: 'filters: { platforms: { inlcude: [] } }', at: 'filters.platforms.inlcude' },
  { name: 'an unknown log key', yaml: 'log: { colour: true }', at: 'log.colour' },
  { name: 'an unknown metrics key', yaml: 'metrics: { port: 9100 }', at: 'metrics.port' },
  { name: 'a section that is a list', yaml: 'upstream: []', at: 'upstream' },
  { name: 'a section that is a string', yaml: 'log: debug', at: 'log' },
  { name: 'an empty nested section (only top-level ones mean defaults)', yaml: 'filters:\n  platforms:', at: 'filters.platforms' },
  { name: 'an empty schedule', yaml: 'schedule:', at: 'schedule' },
  { name: 'a schedule that is a number', yaml: 'schedule: 5', at: 'schedule' },
  { name: 'a quoted number', yaml: 'upstream: { retries: "5" }', at: 'upstream.retries' },
  { name: 'retries above 100', yaml: 'upstream: { retries: 101 }', at: 'upstream.retries' },
  { name: 'negative retries', yaml: 'upstream: { retries: -1 }', at: 'upstream.retries' },
  { name: 'a fractional count', yaml: 'upstream: { download_concurrency: 1.5 }', at: 'upstream.download_concurrency' },
  { name: 'zero concurrency', yaml: 'upstream: { metadata_concurrency: 0 }', at: 'upstream.metadata_concurrency' },
  { name: 'a word for a number', yaml: 'filters: { latest: two }', at: 'filters.latest' },
  { name: 'a bad changes value', yaml: 'upstream: { changes: rss }', at: 'upstream.changes' },
  { name: 'a bad upstream_deletions value', yaml: 'mirror: { upstream_deletions: purge }', at: 'mirror.upstream_deletions' },
  { name: 'a bad log level', yaml: 'log: { level: verbose }', at: 'log.level' },
  { name: 'a bad log format', yaml: 'log: { format: text }', at: 'log.format' },
  { name: 'a bad package type', yaml: 'filters: { packagetypes: [sdist, wheel] }', at: 'filters.packagetypes[1]' },
  { name: 'a bad format', yaml: 'mirror: { formats: [html, xml] }', at: 'mirror.formats[1]' },
  { name: 'no formats', yaml: 'mirror: { formats: [] }', at: 'mirror.formats' },
  { name: 'a format that is not a list', yaml: 'mirror: { formats: html }', at: 'mirror.formats' },
  { name: 'YAML 1.2 yes is a string, not true', yaml: 'mirror: { json_api: yes }', at: 'mirror.json_api' },
  { name: 'a URL without a scheme', yaml: 'upstream: { url: pypi.org }', at: 'upstream.url' },
  { name: 'an ftp URL', yaml: 'upstream: { files_url: "ftp://files.example.com" }', at: 'upstream.files_url' },
  { name: 'a number for a URL', yaml: 'mirror: { base_url: 42 }', at: 'mirror.base_url' },
  { name: 'a file host with a scheme', yaml: 'upstream: { file_hosts: ["https://files.example.com"] }', at: 'upstream.file_hosts[0]' },
  { name: 'a file host that is not a list', yaml: 'upstream: { file_hosts: files.example.com }', at: 'upstream.file_hosts' },
  { name: 'a duration without a unit', yaml: 'upstream: { timeout: 30 }', at: 'upstream.timeout' },
  { name: 'a duration in words', yaml: 'upstream: { timeout: 5 minutes }', at: 'upstream.timeout' },
  { name: 'a duration with a long unit', yaml: 'upstream: { timeout: 30sec }', at: 'upstream.timeout' },
  { name: 'a size in words', yaml: 'filters: { max_file_size: lots }', at: 'filters.max_file_size' },
  { name: 'a fractional byte count', yaml: 'filters: { max_file_size: "1.5" }', at: 'filters.max_file_size' },
  { name: 'a negative size', yaml: 'filters: { max_project_size: -1 }', at: 'filters.max_project_size' },
  { name: 'a fractional numeric size', yaml: 'filters: { max_project_size: 1.5 }', at: 'filters.max_project_size' },
  { name: 'an unknown size unit', yaml: 'filters: { max_file_size: 5PB }', at: 'filters.max_file_size' },
  { name: 'a boolean size', yaml: 'filters: { max_file_size: true }', at: 'filters.max_file_size' },
  { name: 'a requirement that is not a list', yaml: 'filters: { allow: requests }', at: 'filters.allow' },
  { name: 'a number in a list of strings', yaml: 'filters: { deny: [1] }', at: 'filters.deny[0]' },
  { name: 'a platform list that is a string', yaml: 'filters: { platforms: { exclude: windows } }', at: 'filters.platforms.exclude' },
  { name: 'a number for a user agent', yaml: 'upstream: { user_agent: 5 }', at: 'upstream.user_agent' },
  { name: 'a number for a path', yaml: 'metrics: { textfile: 5 }', at: 'metrics.textfile' },
];

describe('the JSON Schema and the loader agree', () => {
  test.each(CASES)('$name', async ({ yaml, at }) => {
    const raw: unknown = parse(yaml);
    const expected: Verdict | { ok: false; at: string } = at === undefined ? { ok: true } : { ok: false, at };
    const pick = (v: Verdict) => (v.ok ? v : { ok: false, at: v.at });

    const schema = bySchema(raw);
    expect(pick(schema), `JSON Schema: ${schema.ok ? 'accepted' : schema.detail}`).toEqual(expected);
    const loader = await byLoader(yaml);
    expect(pick(loader), `loader: ${loader.ok ? 'accepted' : loader.detail}`).toEqual(expected);
    // The loader turns an empty file or section into {} before zod sees it.
    if (reachesZodAsIs(raw)) {
      const zod = byZod(raw);
      expect(pick(zod), `zod: ${zod.ok ? 'accepted' : zod.detail}`).toEqual(expected);
    }
  });

  test('the table covers every section, and at least 25 documents', () => {
    expect(CASES.length).toBeGreaterThanOrEqual(25);
    const mentioned = new Set(CASES.flatMap((c) => Object.keys((parse(c.yaml) ?? {}) as object)));
    for (const section of ['upstream', 'mirror', 'schedule', 'filters', 'log', 'metrics']) expect(mentioned).toContain(section);
  });
});

/**
 * What only the loader rejects: the JSON Schema accepts these, so an editor does not flag
 * them, and `jubjub check-config` does. `by: 'zod'` are refinements in schema.ts that have
 * no JSON Schema form; `by: 'resolve'` are resolve.ts's checks. If the JSON Schema learns
 * to reject one, move it to the table above.
 */
const LOADER_ONLY: Array<{ name: string; yaml: string; at: string; by: 'zod' | 'resolve' }> = [
  { name: 'a zero duration', yaml: 'upstream: { timeout: 0s }', at: 'upstream.timeout', by: 'zod' },
  { name: 'a duration under a millisecond', yaml: 'upstream: { timeout: 0.4ms }', at: 'upstream.timeout', by: 'zod' },
  { name: 'a size past 2^53 bytes', yaml: 'filters: { max_file_size: 99999TB }', at: 'filters.max_file_size', by: 'zod' },
  { name: 'a byte count past 2^53', yaml: 'filters: { max_file_size: "99999999999999999999" }', at: 'filters.max_file_size', by: 'zod' },
  { name: 'a URL that does not parse', yaml: 'upstream: { url: "http://exa mple.com" }', at: 'upstream.url', by: 'zod' },
  { name: 'a URL with a broken IPv6 host', yaml: 'mirror: { base_url: "https://[::1" }', at: 'mirror.base_url', by: 'zod' },
  { name: 'a schedule that is not cron', yaml: 'schedule: every ten minutes', at: 'schedule', by: 'resolve' },
  { name: 'a requirement that does not parse', yaml: 'filters: { allow: ["requests >> 2"] }', at: 'filters.allow[0]', by: 'resolve' },
  { name: 'a regular expression that does not compile', yaml: 'filters: { deny_patterns: ["("] }', at: 'filters.deny_patterns[0]', by: 'resolve' },
  { name: 'state inside root', yaml: 'mirror: { root: ./web, state: ./web/state }', at: 'mirror.state', by: 'resolve' },
  { name: "the index's /simple/ endpoint as url", yaml: 'upstream: { url: "https://pypi.org/simple/" }', at: 'upstream.url', by: 'resolve' },
];

describe('checks only the loader makes (documented in docs/configuration.md)', () => {
  test.each(LOADER_ONLY)('$name ($by)', async ({ yaml, at, by }) => {
    const raw: unknown = parse(yaml);
    expect(bySchema(raw)).toEqual({ ok: true });
    const zod = byZod(raw);
    expect(zod.ok ? zod : { ok: false, at: zod.at }).toEqual(by === 'zod' ? { ok: false, at } : { ok: true });
    const loader = await byLoader(yaml);
    expect(loader.ok ? loader : { ok: false, at: loader.at }).toEqual({ ok: false, at });
  });
});

/**
 * The duration and size patterns were added to the zod schema so editors catch the
 * format; they must never reject what the unit parsers accept, or the loader would
 * change behaviour. Checked on generated strings, as the JSON Schema applies them.
 */
describe('the published patterns never reject what the loader accepts', () => {
  const patternAt = (...keys: string[]): RegExp => {
    let node: JsonSchema | undefined = committed;
    for (const k of keys) node = node?.properties?.[k];
    const branches = [node, ...(node?.anyOf ?? []), ...(node?.anyOf ?? []).flatMap((b) => b.anyOf ?? [])];
    const pattern = branches.find((b) => b?.pattern !== undefined)?.pattern;
    if (pattern === undefined) throw new Error(`no pattern at ${keys.join('.')}`);
    // JSON Schema patterns are ECMA-262 in unicode mode, as ajv and yaml-language-server compile them.
    return new RegExp(pattern, 'u');
  };

  // Strings built as <space><number><space><unit><space> from parts both valid and not,
  // with the whitespace trim() in units.ts removes (tab, NBSP, line separator, BOM), drawn
  // by a small deterministic generator.
  const spaces = ['', '', ' ', '  ', '\t', '\n', '\u00a0', '\u2028', '\ufeff', 'x'];
  const numbers = ['0', '1', '12', '007', '1.5', '0.0004', '.5', '1.', '99999999999999999999', '-1', '1e3', ''];
  const units = ['ms', 's', 'm', 'h', 'd', 'S', 'sec', 'k', 'KB', 'kb', 'KiB', 'kib', 'MB', 'GiB', 'gIb', 'TB', 'B', 'b', 'PB', 'iB', ''];
  let seed = 20240601;
  const pick = <T>(list: readonly T[]): T => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return list[seed % list.length] as T;
  };
  const samples = Array.from({ length: 20_000 }, () => pick(spaces) + pick(numbers) + pick(spaces) + pick(units) + pick(spaces));

  test('durations', () => {
    const pattern = patternAt('upstream', 'timeout');
    const accepted = samples.filter((s) => parseDuration(s) !== null);
    expect(accepted.length).toBeGreaterThan(200);
    expect(accepted.filter((s) => !pattern.test(s))).toEqual([]);
  });

  test('sizes', () => {
    const pattern = patternAt('filters', 'max_file_size');
    const accepted = samples.filter((s) => parseSize(s) !== null);
    expect(accepted.length).toBeGreaterThan(200);
    expect(accepted.filter((s) => !pattern.test(s))).toEqual([]);
  });
});
