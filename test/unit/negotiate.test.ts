import { describe, expect, test } from 'vitest';
import { negotiate, SIMPLE_HTML, SIMPLE_JSON } from '../../src/serve/negotiate.js';

const TEXT_HTML = 'text/html; charset=utf-8';
const html = { format: 'html', contentType: TEXT_HTML };
const v1html = { format: 'html', contentType: SIMPLE_HTML };
const json = { format: 'json', contentType: SIMPLE_JSON };

describe('negotiate', () => {
  test('the media types are the PEP 691 ones', () => {
    expect(SIMPLE_JSON).toBe('application/vnd.pypi.simple.v1+json');
    expect(SIMPLE_HTML).toBe('application/vnd.pypi.simple.v1+html');
  });

  test.each<[string, string | undefined, object | null]>([
    ['no Accept', undefined, html],
    ['empty Accept', '', html],
    ['blank Accept', '   ', html],
    ['text/html (old pip, pex)', 'text/html', html],
    ['text/*', 'text/*', html],
    ['a browser', 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8', html],
    [
      'pip',
      'application/vnd.pypi.simple.v1+json, application/vnd.pypi.simple.v1+html; q=0.1, text/html; q=0.01',
      json,
    ],
    ['pip without spaces', 'application/vnd.pypi.simple.v1+json,application/vnd.pypi.simple.v1+html;q=0.1,text/html;q=0.01', json],
    ['poetry', 'application/vnd.pypi.simple.v1+json, */*;q=0.1', json],
    ['uv-like, json only', 'application/vnd.pypi.simple.v1+json', json],
    ['upper case', 'Application/VND.PyPI.Simple.V1+JSON', json],
    ['v1 html only', 'application/vnd.pypi.simple.v1+html', v1html],
    ['v1 html preferred to text/html', 'application/vnd.pypi.simple.v1+html, text/html;q=0.5', v1html],
    ['text/html preferred to v1 html', 'application/vnd.pypi.simple.v1+html;q=0.2, text/html', html],
    ['json with lower q than html', 'application/vnd.pypi.simple.v1+json;q=0.5, text/html', html],
    ['json with lower q than v1 html', 'application/vnd.pypi.simple.v1+json;q=0.2, application/vnd.pypi.simple.v1+html;q=0.9', v1html],
    ['json tied with html: html', 'application/vnd.pypi.simple.v1+json, text/html', html],
    ['application/* covers both: v1 html', 'application/*', v1html],
    ['specific q=0 overrides */*', 'text/html;q=0, application/vnd.pypi.simple.v1+html;q=0, */*', json],
    ['application/json only (406)', 'application/json', null],
    ['image/png only (406)', 'image/png', null],
    ['everything q=0 (406)', 'text/html;q=0, application/vnd.pypi.simple.v1+json;q=0, application/vnd.pypi.simple.v1+html;q=0', null],
    ['*/*;q=0 (406)', '*/*;q=0', null],
  ])('%s', (_label, accept, expected) => {
    const got = negotiate(accept);
    if (expected === null) expect(got).toBeNull();
    else expect(got && { format: got.format, contentType: got.contentType }).toEqual(expected);
  });

  // Warehouse (api/simple.py `_select_content_type`) offers text/html first, so a tie
  // among the HTML types, as with `*/*`, is served as `text/html`; so is a missing
  // Accept here, and RFC 9110 makes a missing Accept mean `*/*`. negotiate() answers
  // `application/vnd.pypi.simple.v1+html` instead (v1html >= text picks v1 html on a tie).
  test.each<[string, string]>([
    ['*/*', '*/*'],
    ['json plus */* at full q', 'application/vnd.pypi.simple.v1+json, */*'],
    ['json refused with q=0, */* ok', 'application/vnd.pypi.simple.v1+json;q=0, */*;q=0.5'],
    ['all three at q=1', 'text/html, application/vnd.pypi.simple.v1+html, application/vnd.pypi.simple.v1+json'],
  ])('a tie among the HTML types is text/html, like Warehouse: %s', (_label, accept) => {
    expect(negotiate(accept)).toMatchObject(html);
  });

  test.each<[string, string]>([
    ['*/*', '*/*'],
    ['json plus */* at full q', 'application/vnd.pypi.simple.v1+json, */*'],
    ['json refused with q=0, */* ok', 'application/vnd.pypi.simple.v1+json;q=0, */*;q=0.5'],
  ])('%s is HTML of some kind, not JSON', (_label, accept) => {
    expect(negotiate(accept)?.format).toBe('html');
  });

  test.each<[string, string | undefined, string | null]>([
    ['no Accept', undefined, null],
    ['text/html only', 'text/html', null],
    ['json only', 'application/vnd.pypi.simple.v1+json', null],
    ['pip: json, html as the alternative', 'application/vnd.pypi.simple.v1+json, application/vnd.pypi.simple.v1+html; q=0.1, text/html; q=0.01', SIMPLE_HTML],
    ['json and text/html', 'application/vnd.pypi.simple.v1+json, text/html;q=0.5', TEXT_HTML],
    ['*/* also takes json', '*/*', SIMPLE_JSON],
    ['html preferred, json accepted', 'text/html, application/vnd.pypi.simple.v1+json;q=0.5', SIMPLE_JSON],
    ['json refused', 'text/html, application/vnd.pypi.simple.v1+json;q=0', null],
  ])('alternative: %s', (_label, accept, alternative) => {
    expect(negotiate(accept)?.alternative).toBe(alternative);
  });
});
