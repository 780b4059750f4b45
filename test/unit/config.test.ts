import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { parseDuration, parseSize } from '../../src/config/units.js';
import { ConfigError } from '../../src/errors.js';
import { VERSION } from '../../src/version.js';

let dir: string;
let counter = 0;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'jubjub-config-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Writes `text` as `<fresh folder>/mirror.yaml` and returns its path. */
async function yamlFile(text: string): Promise<string> {
  const sub = path.join(dir, `case-${counter++}`);
  await mkdir(sub, { recursive: true });
  const file = path.join(sub, 'mirror.yaml');
  await writeFile(file, text);
  return file;
}

async function load(text: string) {
  return loadConfig(await yamlFile(text));
}

/** Loads `text`, expects a ConfigError, returns its message (checked to be one line). */
async function failure(text: string): Promise<string> {
  const file = await yamlFile(text);
  let caught: unknown;
  try {
    await loadConfig(file);
  } catch (err) {
    caught = err;
  }
  expect(caught).toBeInstanceOf(ConfigError);
  const err = caught as ConfigError;
  expect(err.code).toBe('E_CONFIG');
  expect(err.message).not.toContain('\n');
  return err.message;
}

/** The `(…mirror.yaml:N)` suffix every key error carries. */
function lineSuffix(n: number): RegExp {
  return new RegExp(`\\(\\S*mirror\\.yaml:${n}\\)$`);
}

describe('units', () => {
  test('durations', () => {
    expect(parseDuration('30s')).toBe(30_000);
    expect(parseDuration('5m')).toBe(300_000);
    expect(parseDuration('2h')).toBe(7_200_000);
    expect(parseDuration('3d')).toBe(3 * 86_400_000);
    expect(parseDuration('250ms')).toBe(250);
    expect(parseDuration('1.5h')).toBe(5_400_000);
    expect(parseDuration('30')).toBeNull();
    expect(parseDuration('5 minutes')).toBeNull();
    expect(parseDuration('0s')).toBeNull();
    expect(parseDuration('-5s')).toBeNull();
    expect(parseDuration('')).toBeNull();
  });

  test('sizes', () => {
    expect(parseSize('500MB')).toBe(500e6);
    expect(parseSize('2GiB')).toBe(2 * 1024 ** 3);
    expect(parseSize('2KiB')).toBe(2048);
    expect(parseSize('1KB')).toBe(1000);
    expect(parseSize('3TB')).toBe(3e12);
    expect(parseSize('1TiB')).toBe(1024 ** 4);
    expect(parseSize('1.5GB')).toBe(1.5e9);
    expect(parseSize('1234')).toBe(1234);
    expect(parseSize(1234)).toBe(1234);
    expect(parseSize(0)).toBe(0);
    expect(parseSize('12B')).toBe(12);
    expect(parseSize(-1)).toBeNull();
    expect(parseSize(1.5)).toBeNull();
    expect(parseSize('1.5')).toBeNull();
    expect(parseSize('lots')).toBeNull();
    expect(parseSize('5PB')).toBeNull();
    expect(parseSize('')).toBeNull();
  });
});

describe('loadConfig: defaults and resolution', () => {
  test('an empty mapping gives every default, paths resolved against the file folder', async () => {
    const file = await yamlFile('{}\n');
    const folder = path.dirname(file);
    const c = await loadConfig(file);
    expect(c.file).toBe(file);
    expect(c.upstream).toEqual({
      url: 'https://pypi.org',
      changes: 'xmlrpc',
      filesUrl: null,
      fileHosts: expect.arrayContaining(['pypi.org', 'files.pythonhosted.org']) as unknown as string[],
      timeoutMs: 30_000,
      retries: 5,
      metadataConcurrency: 8,
      downloadConcurrency: 16,
      userAgent: `jubjub/${VERSION}`,
    });
    expect(c.upstream.fileHosts).toHaveLength(2);
    expect(c.mirror).toEqual({
      root: path.join(folder, 'web'),
      state: path.join(folder, 'state'),
      formats: ['html', 'json'],
      jsonApi: true,
      coreMetadata: true,
      baseUrl: null,
      upstreamDeletions: 'delete',
    });
    expect(c.schedule).toBe('*/10 * * * *');
    expect(c.log).toEqual({ level: 'info', format: 'auto' });
    expect(c.metrics).toEqual({ textfile: null });
    expect(c.filters).toEqual({
      allow: [],
      allowFiles: [],
      deny: [],
      denyFiles: [],
      denyPatterns: [],
      prereleases: true,
      yanked: true,
      latest: 0,
      packagetypes: [],
      platforms: { include: [], exclude: [] },
      maxFileSize: null,
      maxProjectSize: null,
    });
  });

  test('an empty file and empty sections mean defaults too', async () => {
    const empty = await load('');
    expect(empty.upstream.retries).toBe(5);
    const sections = await load('upstream:\nfilters:\n');
    expect(sections.upstream.url).toBe('https://pypi.org');
    expect(sections.filters.latest).toBe(0);
  });

  test('relative paths resolve against the file folder, not the cwd', async () => {
    const file = await yamlFile(
      [
        'mirror:',
        '  root: ./public/web',
        '  state: ../state-elsewhere',
        'filters:',
        '  allow_files: [lists/allow.txt]',
        '  deny_files: [/abs/deny.txt]',
        'metrics:',
        '  textfile: metrics/jubjub.prom',
        '',
      ].join('\n'),
    );
    const folder = path.dirname(file);
    const c = await loadConfig(file);
    expect(c.mirror.root).toBe(path.join(folder, 'public', 'web'));
    expect(c.mirror.state).toBe(path.join(path.dirname(folder), 'state-elsewhere'));
    expect(c.filters.allowFiles).toEqual([path.join(folder, 'lists', 'allow.txt')]);
    expect(c.filters.denyFiles).toEqual(['/abs/deny.txt']);
    expect(c.metrics.textfile).toBe(path.join(folder, 'metrics', 'jubjub.prom'));
  });

  test('units, lists and other values are converted', async () => {
    const c = await load(
      [
        'upstream:',
        '  url: https://index.example/',
        '  timeout: 5m',
        '  retries: 0',
        '  user_agent: my-agent/1',
        'mirror:',
        '  formats: [json, json]',
        '  base_url: https://mirror.example/pypi',
        'filters:',
        '  max_file_size: 500MB',
        '  max_project_size: 2GiB',
        '  latest: 3',
        'schedule: "0 3 * * *"',
        '',
      ].join('\n'),
    );
    expect(c.upstream.url).toBe('https://index.example');
    expect(c.upstream.timeoutMs).toBe(300_000);
    expect(c.upstream.retries).toBe(0);
    expect(c.upstream.userAgent).toBe('my-agent/1');
    expect(c.mirror.formats).toEqual(['json']);
    expect(c.mirror.baseUrl).toBe('https://mirror.example/pypi/');
    expect(c.filters.maxFileSize).toBe(500_000_000);
    expect(c.filters.maxProjectSize).toBe(2 * 1024 ** 3);
    expect(c.filters.latest).toBe(3);
    expect(c.schedule).toBe('0 3 * * *');
  });

  test('a bare integer size is bytes', async () => {
    const c = await load('filters:\n  max_file_size: 123456\n  max_project_size: "2048"\n');
    expect(c.filters.maxFileSize).toBe(123456);
    expect(c.filters.maxProjectSize).toBe(2048);
  });

  test('fileHosts: pypi.org adds files.pythonhosted.org; files_url and file_hosts are added', async () => {
    const pypi = await load('upstream:\n  url: https://pypi.org\n  files_url: https://cache.example:8443/files\n');
    expect(new Set(pypi.upstream.fileHosts)).toEqual(new Set(['pypi.org', 'files.pythonhosted.org', 'cache.example:8443']));
    expect(pypi.upstream.filesUrl).toBe('https://cache.example:8443/files');

    const other = await load('upstream:\n  url: http://Index.Example:8080/\n  file_hosts: [CDN.example]\n');
    expect(new Set(other.upstream.fileHosts)).toEqual(new Set(['index.example:8080', 'cdn.example']));
    expect(other.upstream.fileHosts).not.toContain('files.pythonhosted.org');
  });
});

describe('loadConfig: errors name the key and the line', () => {
  test('a missing file', async () => {
    const missing = path.join(dir, 'nope', 'mirror.yaml');
    await expect(loadConfig(missing)).rejects.toBeInstanceOf(ConfigError);
    await expect(loadConfig(missing)).rejects.toThrow(/mirror\.yaml: cannot read configuration \(ENOENT\)/);
  });

  test('invalid YAML reports its line', async () => {
    const msg = await failure(['upstream:', '  url: https://pypi.org', 'mirror:', '  root: web: public', '  state: x', ''].join('\n'));
    expect(msg).toMatch(/mirror\.yaml:4: invalid YAML: Nested mappings/);
  });

  test('a tab used as indentation is invalid YAML at its line', async () => {
    const msg = await failure('upstream:\n  retries: 1\nfilters:\n\tlatest: 2\n');
    expect(msg).toMatch(/mirror\.yaml:4: invalid YAML: Tabs/);
  });

  test('a duplicate key is invalid YAML at its line', async () => {
    const msg = await failure(['upstream:', '  retries: 1', '  retries: 2', ''].join('\n'));
    expect(msg).toMatch(/mirror\.yaml:3: invalid YAML/);
  });

  test('a YAML alias bomb is refused, not expanded', async () => {
    const lines = ['a: &a ["x", "x", "x", "x", "x", "x", "x", "x", "x", "x"]'];
    for (let i = 0; i < 8; i++) {
      const prev = String.fromCharCode(97 + i);
      const next = String.fromCharCode(98 + i);
      lines.push(`${next}: &${next} [${Array(10).fill(`*${prev}`).join(', ')}]`);
    }
    const started = performance.now();
    const msg = await failure(`${lines.join('\n')}\n`);
    expect(msg).toMatch(/invalid YAML/);
    expect(performance.now() - started).toBeLessThan(2000);
  });

  test('an unknown top-level key, at the line of the key', async () => {
    const msg = await failure(['upstream:', '  url: https://pypi.org', '', 'mirrors:', '  root: ./web', ''].join('\n'));
    expect(msg).toMatch(/^mirrors: unknown key /);
    expect(msg).toMatch(lineSuffix(4));
  });

  test('an unknown nested key, at the line of the key', async () => {
    const msg = await failure(['upstream:', '  url: https://pypi.org', '  retries: 3', '  retry_delay: 5s', ''].join('\n'));
    expect(msg).toMatch(/^upstream\.retry_delay: unknown key /);
    expect(msg).toMatch(lineSuffix(4));
  });

  test('an unknown key two levels down', async () => {
    const msg = await failure(['filters:', '  latest: 1', '  platforms:', '    include: [linux]', '    exclud: [win32]', ''].join('\n'));
    expect(msg).toMatch(/^filters\.platforms\.exclud: unknown key /);
    expect(msg).toMatch(lineSuffix(5));
  });

  test('a wrong type names the value', async () => {
    const text = ['# mirror', 'upstream:', '  url: https://pypi.org', 'filters:', '  prereleases: false', '  latest: two', ''].join('\n');
    const msg = await failure(text);
    expect(msg).toMatch(/^filters\.latest: expected an integer ≥ 0, got "two" /);
    expect(msg).toMatch(lineSuffix(6));
  });

  test('a boolean given as a string', async () => {
    const msg = await failure('mirror:\n  json_api: "yes"\n');
    expect(msg).toMatch(/^mirror\.json_api: expected true or false, got "yes" /);
    expect(msg).toMatch(lineSuffix(2));
  });

  test('a negative latest', async () => {
    const msg = await failure('filters:\n  latest: -1\n');
    expect(msg).toMatch(/^filters\.latest: expected an integer ≥ 0, got -1 /);
    expect(msg).toMatch(lineSuffix(2));
  });

  test.each([
    ['0', 'download_concurrency', 0],
    ['-4', 'metadata_concurrency', -4],
    ['2.5', 'download_concurrency', 2.5],
  ])('concurrency %s is refused', async (value, key, shown) => {
    const msg = await failure(`upstream:\n  url: https://pypi.org\n  ${key}: ${value}\n`);
    expect(msg).toMatch(new RegExp(`^upstream\\.${key}: expected an integer ≥ 1, got ${String(shown).replace('.', '\\.')} `));
    expect(msg).toMatch(lineSuffix(3));
  });

  test('an enum value out of range', async () => {
    const msg = await failure('mirror:\n  upstream_deletions: archive\n');
    expect(msg).toMatch(/^mirror\.upstream_deletions: expected one of delete, keep, got "archive" /);
    expect(msg).toMatch(lineSuffix(2));
  });

  test('a bad duration', async () => {
    const msg = await failure('upstream:\n\n  timeout: 30 seconds\n');
    expect(msg).toMatch(/^upstream\.timeout: expected a duration like 30s, 5m, 2h or 3d, got "30 seconds" /);
    expect(msg).toMatch(lineSuffix(3));
  });

  test('a bad size', async () => {
    const msg = await failure('filters:\n  max_file_size: 1.5\n  max_project_size: huge\n');
    // The first issue found is reported, whichever of the two it is.
    expect(msg).toMatch(/^filters\.max_(file|project)_size: expected a size like 500MB, 2GiB or a byte count, got /);
    const line = msg.startsWith('filters.max_file_size') ? 2 : 3;
    expect(msg).toMatch(lineSuffix(line));
  });

  test('a bad size alone', async () => {
    const msg = await failure('filters:\n  latest: 2\n  max_project_size: 10 megabytes\n');
    expect(msg).toMatch(/^filters\.max_project_size: expected a size like 500MB, 2GiB or a byte count, got "10 megabytes" /);
    expect(msg).toMatch(lineSuffix(3));
  });

  test('a bad cron schedule', async () => {
    const msg = await failure('upstream:\n  retries: 2\nschedule: "every ten minutes"\n');
    expect(msg).toMatch(/^schedule: expected a cron expression, got "every ten minutes" /);
    expect(msg).toMatch(lineSuffix(3));
  });

  test('a bad requirement at the line of its list item', async () => {
    const msg = await failure(
      ['filters:', '  allow:', '    - requests>=2', '    - "numpy>=>1"', '    - flask', ''].join('\n'),
    );
    expect(msg).toMatch(/^filters\.allow\[1\]: invalid requirement "numpy>=>1"/);
    expect(msg).toMatch(lineSuffix(4));
  });

  test('a bad requirement in deny, flow style', async () => {
    const msg = await failure('filters:\n  deny: [ok, "bad name!"]\n');
    expect(msg).toMatch(/^filters\.deny\[1\]: invalid requirement "bad name!"/);
    expect(msg).toMatch(lineSuffix(2));
  });

  test('a bad regular expression in deny_patterns', async () => {
    const msg = await failure(['filters:', '  deny_patterns:', '    - "-nightly$"', '    - "^(tf-"', ''].join('\n'));
    expect(msg).toMatch(/^filters\.deny_patterns\[1\]: invalid regular expression "\^\(tf-"/);
    expect(msg).toMatch(lineSuffix(4));
  });

  test('mirror.state inside mirror.root', async () => {
    const msg = await failure('mirror:\n  root: ./web\n  state: ./web/state\n');
    expect(msg).toMatch(/^mirror\.state: must not be inside mirror\.root/);
    expect(msg).toMatch(lineSuffix(3));
  });

  test('mirror.state equal to mirror.root', async () => {
    const msg = await failure('mirror:\n  root: ./data\n  state: data/\n');
    expect(msg).toMatch(/^mirror\.state: must not be inside mirror\.root/);
  });

  test('mirror.root inside mirror.state', async () => {
    const msg = await failure('mirror:\n  state: ./data\n  root: ./data/web\n');
    expect(msg).toMatch(/^mirror\.root: must not be inside mirror\.state/);
    expect(msg).toMatch(lineSuffix(3));
  });

  test('a sibling folder whose name starts like the root is not inside it', async () => {
    const c = await load('mirror:\n  root: ./web\n  state: ./web-state\n');
    expect(path.basename(c.mirror.state)).toBe('web-state');
  });

  test.each(['ftp://pypi.org', 'pypi.org', 'file:///srv/pypi', 'https://'])('upstream.url %s is refused', async (url) => {
    const msg = await failure(`upstream:\n  url: "${url}"\n`);
    expect(msg).toMatch(/^upstream\.url: expected an http\(s\) URL, got /);
    expect(msg).toContain(JSON.stringify(url));
    expect(msg).toMatch(lineSuffix(2));
  });

  test('a non-http files_url and base_url are refused', async () => {
    expect(await failure('upstream:\n  files_url: s3://bucket/x\n')).toMatch(/^upstream\.files_url: expected an http\(s\) URL/);
    expect(await failure('mirror:\n  base_url: /relative/\n')).toMatch(/^mirror\.base_url: expected an http\(s\) URL/);
  });

  test('a section of the wrong kind', async () => {
    const msg = await failure('upstream: https://pypi.org\n');
    expect(msg).toMatch(/^upstream: /);
    expect(msg).toMatch(lineSuffix(1));
  });

  test('an unknown package type', async () => {
    const msg = await failure('filters:\n  packagetypes:\n    - sdist\n    - bdist_zip\n');
    expect(msg).toMatch(/^filters\.packagetypes\[1\]: expected one of sdist, /);
    expect(msg).toMatch(lineSuffix(4));
  });
});

describe('upstream.file_hosts', () => {
  test('a URL instead of a host name is refused with its list index and line', async () => {
    const msg = await failure('upstream:\n  file_hosts:\n    - files.example.com\n    - https://cdn.example.com/\n');
    expect(msg).toMatch(/^upstream\.file_hosts\[1\]: expected a host name/);
    expect(msg).toMatch(lineSuffix(4));
  });

  test('host names and host:port are accepted, lowercased', async () => {
    const cfg = await load('upstream:\n  url: http://127.0.0.1:3141\n  file_hosts: [CDN.example.com, "10.0.0.1:8080"]\n');
    expect(cfg.upstream.fileHosts).toEqual(expect.arrayContaining(['cdn.example.com', '10.0.0.1:8080', '127.0.0.1:3141']));
  });
});
