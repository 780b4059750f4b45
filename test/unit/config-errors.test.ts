/** mirror.yaml mistakes: one line naming the key path and the line. */
import { loadConfig } from '../../src/config/load.js';
import { ConfigError } from '../../src/errors.js';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { dir, load, failure, lineSuffix } from './config-helpers.js';

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

describe('upstream.url', () => {
  test.each(['https://pypi.org/simple/', 'https://pypi.org/simple', 'http://mirror.example/pypi/'])('%s is refused with a hint to give the root', async (url) => {
    const msg = await failure(`upstream:\n  url: ${url}\n`);
    expect(msg).toMatch(/^upstream\.url: expected the index root \(e\.g\. https:\/\/pypi\.org\), not its \/(simple|pypi)\/ endpoint/);
    expect(msg).toMatch(lineSuffix(2));
  });

  test('a root under a path prefix is fine', async () => {
    expect((await load('upstream:\n  url: https://mirror.example/python/\n')).upstream.url).toBe('https://mirror.example/python');
  });
});
