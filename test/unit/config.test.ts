/** mirror.yaml: units, defaults and path resolution. */
import { parseDuration, parseSize } from '../../src/config/units.js';
import { VERSION } from '../../src/version.js';
import { loadConfig } from '../../src/config/load.js';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { yamlFile, load } from './config-helpers.js';

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
      pythonVersions: [],
      minAgeMs: null,
      dependencies: false,
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

