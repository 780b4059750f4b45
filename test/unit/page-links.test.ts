import { describe, expect, test } from 'vitest';
import { htmlLinks, jsonLinks, resolveLink, rootListingNames } from '../../src/verify/page-links.js';
import { mayAcceptMore, type ProjectRules } from '../../src/planner/filters/rules-key.js';

describe('page links', () => {
  test('HTML: hrefs without fragments, entities decoded, .metadata only where advertised', () => {
    const html = [
      '<a href="../../packages/aa/bb/cc/a-1.0-py3-none-any.whl#sha256=00" data-core-metadata="sha256=11">a</a>',
      '<a href="../../packages/dd/ee/ff/a%201.0.tar.gz#sha256=22" data-requires-python="&gt;=3.8">b</a>',
      '<a data-yanked="" href="../../packages/x&amp;y.zip">c</a>',
    ].join('\n');
    expect(htmlLinks(html)).toEqual([
      '../../packages/aa/bb/cc/a-1.0-py3-none-any.whl',
      '../../packages/aa/bb/cc/a-1.0-py3-none-any.whl.metadata',
      '../../packages/dd/ee/ff/a%201.0.tar.gz',
      '../../packages/x&y.zip',
    ]);
  });

  test('JSON: PEP 691 files and the JSON API releases/urls, with core metadata', () => {
    const simple = JSON.stringify({ files: [{ url: 'u1#sha256=0', 'core-metadata': { sha256: '1' } }, { url: 'u2', 'core-metadata': false }] });
    expect(jsonLinks(simple)).toEqual(['u1', 'u1.metadata', 'u2']);
    const api = JSON.stringify({ releases: { '1.0': [{ url: 'u3' }] }, urls: [{ url: 'u3' }] });
    expect(jsonLinks(api)).toEqual(['u3']);
    expect(() => jsonLinks('{')).toThrow();
  });

  test('resolving: relative to the page, base_url stripped, anything outside the mirror is null', () => {
    expect(resolveLink('simple/a/index.html', '../../packages/x/a%201.whl', null)).toBe('packages/x/a 1.whl');
    expect(resolveLink('pypi/a/json', '../../packages/x/a.whl', null)).toBe('packages/x/a.whl');
    expect(resolveLink('simple/a/index.html', 'https://m.example/packages/x/a.whl', 'https://m.example/')).toBe('packages/x/a.whl');
    expect(resolveLink('simple/a/index.html', 'https://elsewhere.example/a.whl', 'https://m.example/')).toBeNull();
    expect(resolveLink('simple/a/index.html', '../../../etc/passwd', null)).toBeNull();
    expect(resolveLink('simple/a/index.html', '/packages/a.whl', null)).toBeNull();
  });

  test('root listing names from either format', () => {
    expect(rootListingNames('<a href="a-b/">A_B</a><br />\n<a href="c/">c</a>', 'html')).toEqual(['a-b', 'c']);
    expect(rootListingNames('{"meta":{},"projects":[{"name":"A_B"},{"name":"c"}]}', 'json')).toEqual(['A_B', 'c']);
  });
});

describe('project rules: does a rebuild need the upstream listing', () => {
  const allowAll = (denied: string[], patterns: string[] = []): ProjectRules => ({ allowAll: true, allowed: [], denied, patterns });
  test('never recorded, or an allowlist before: yes', () => {
    expect(mayAcceptMore(null, allowAll([]))).toBe(true);
    expect(mayAcceptMore({ allowAll: false, allowed: ['a'], denied: [], patterns: [] }, allowAll([]))).toBe(true);
  });
  test('deny entries or patterns dropped: yes; only added: no', () => {
    expect(mayAcceptMore(allowAll(['a', 'b']), allowAll(['a']))).toBe(true);
    expect(mayAcceptMore(allowAll([], ['^x']), allowAll([]))).toBe(true);
    expect(mayAcceptMore(allowAll(['a']), allowAll(['a', 'b'], ['^x']))).toBe(false);
    expect(mayAcceptMore(allowAll(['a'], ['^x']), allowAll(['a'], ['^x']))).toBe(false);
  });
});
