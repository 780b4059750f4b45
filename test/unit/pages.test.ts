import { execFileSync } from 'node:child_process';
import { describe, expect, test } from 'vitest';
import type { PublishedFile } from '../../src/model.js';
import { API_VERSION, escapeHtml, filePath, lastModifiedStamp, linkFromProject, projectDir } from '../../src/publish/links.js';
import { renderJsonApi, renderProjectHtml, renderProjectJson, type ProjectPageInput } from '../../src/publish/project-pages.js';
import { renderRootHtml, renderRootJson, sortedEntries } from '../../src/publish/root-pages.js';
import { pagesKey } from '../../src/publish/writer.js';
import type { ListingEntry } from '../../src/state/types.js';

const SHA_A = 'a1'.repeat(32);
const SHA_B = 'b2'.repeat(32);
const SHA_C = 'c3'.repeat(32);
const META_B = 'ee'.repeat(32);

function published(filename: string, sha256: string, opts: Partial<PublishedFile> = {}): PublishedFile {
  const f: PublishedFile = {
    filename,
    url: `https://files.example/${filename}`,
    sha256,
    size: 1234,
    packagetype: filename.endsWith('.whl') ? 'bdist_wheel' : 'sdist',
    pythonVersion: filename.endsWith('.whl') ? 'py3' : 'source',
    requiresPython: null,
    yanked: false,
    yankedReason: null,
    uploadTime: '2024-03-01T12:34:56.123456Z',
    coreMetadataSha256: null,
    version: '1.0',
    path: '',
    metadataSha256: null,
    ...opts,
  };
  return { ...f, path: opts.path ?? filePath(f) };
}

function input(files: PublishedFile[], opts: Partial<ProjectPageInput> = {}): ProjectPageInput {
  return { name: 'foo-bar', displayName: 'Foo_Bar', serial: 4242, files, info: { name: 'Foo_Bar', version: '2.0' }, baseUrl: null, ...opts };
}

const FILES = [
  published('foo_bar-1.0.tar.gz', SHA_A, { version: '1.0', requiresPython: '>=3.8,<4 & "x"', size: 100 }),
  published('foo_bar-1.0-py3-none-any.whl', SHA_B, { version: '1.0', metadataSha256: META_B, coreMetadataSha256: META_B, size: 200 }),
  published('foo_bar-2.0.tar.gz', SHA_C, {
    version: '2.0',
    yanked: true,
    yankedReason: 'broken <script>alert("x")</script> & more',
    uploadTime: null,
    size: 300,
  }),
];

interface ParsedHtml {
  errors: string[];
  meta: Record<string, string | null>[];
  links: Array<{ attrs: Record<string, string | null>; text: string }>;
  title: string;
}

/** Parses with Python's html.parser, checking that every non-void tag is closed in order. */
function parseHtml(html: string): ParsedHtml {
  const script = `
import json, sys
from html.parser import HTMLParser
VOID = {"meta", "br", "link", "img", "hr", "input"}
class P(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack, self.errors, self.meta, self.links, self.cur, self.title, self.in_title = [], [], [], [], None, "", False
    def handle_starttag(self, tag, attrs):
        if tag == "meta": self.meta.append(dict(attrs))
        if tag == "a":
            self.cur = {"attrs": dict(attrs), "text": ""}
        if tag == "title": self.in_title = True
        if tag not in VOID: self.stack.append(tag)
    def handle_startendtag(self, tag, attrs):
        if tag == "meta": self.meta.append(dict(attrs))
    def handle_endtag(self, tag):
        if tag in VOID: return
        if not self.stack or self.stack[-1] != tag:
            self.errors.append("unexpected </%s> with open %r" % (tag, self.stack))
        else:
            self.stack.pop()
        if tag == "a" and self.cur is not None:
            self.links.append(self.cur); self.cur = None
        if tag == "title": self.in_title = False
    def handle_data(self, data):
        if self.cur is not None: self.cur["text"] += data
        if self.in_title: self.title += data
p = P()
p.feed(sys.stdin.read()); p.close()
if p.stack: p.errors.append("unclosed %r" % p.stack)
print(json.dumps({"errors": p.errors, "meta": p.meta, "links": p.links, "title": p.title}))
`;
  return JSON.parse(execFileSync('python3', ['-c', script], { input: html, encoding: 'utf8' })) as ParsedHtml;
}

describe('links', () => {
  test('filePath is content-addressed under packages/', () => {
    expect(filePath({ sha256: SHA_A, filename: 'x-1.0.tar.gz' })).toBe(`packages/a1/a1/${SHA_A.slice(4)}/x-1.0.tar.gz`);
    expect(filePath({ sha256: '0123456789' + 'f'.repeat(54), filename: 'y.whl' })).toBe(`packages/01/23/456789${'f'.repeat(54)}/y.whl`);
    expect(projectDir('foo-bar')).toBe('simple/foo-bar');
  });

  test('links are relative by default and absolute with base_url, segments percent-encoded', () => {
    expect(linkFromProject('packages/ab/cd/ef/x-1.0.tar.gz', null)).toBe('../../packages/ab/cd/ef/x-1.0.tar.gz');
    expect(linkFromProject('packages/ab/cd/ef/x+y 1.0.tar.gz', null)).toBe('../../packages/ab/cd/ef/x%2By%201.0.tar.gz');
    expect(linkFromProject('packages/ab/cd/ef/x-1.0.tar.gz', 'https://m.example/pypi/')).toBe('https://m.example/pypi/packages/ab/cd/ef/x-1.0.tar.gz');
  });

  test('the shortcut for plain paths encodes exactly as encodeURIComponent per segment', () => {
    const slow = (p: string) => `../../${p.split('/').map(encodeURIComponent).join('/')}`;
    for (let c = 0; c < 0x800; c++) {
      const p = `packages/ab/cd/ef/x${String.fromCharCode(c)}y-1.0.tar.gz`;
      expect(linkFromProject(p, null)).toBe(slow(p));
    }
  });

  test('escapeHtml', () => {
    expect(escapeHtml(`<a href="x">&'`)).toBe('&lt;a href=&quot;x&quot;&gt;&amp;&#39;');
    expect(escapeHtml('&amp;')).toBe('&amp;amp;');
    // Names without anything to escape come back as they are (the shortcut), others never do.
    expect(escapeHtml('plain-name_1.0')).toBe('plain-name_1.0');
    for (const c of ['&', '<', '>', '"', "'"]) expect(escapeHtml(`a${c}b`)).not.toContain(c === '&' ? '&b' : c);
  });

  test('lastModifiedStamp is PEP 381 UTC', () => {
    expect(lastModifiedStamp(new Date('2024-02-03T04:05:06.789Z'))).toBe('20240203T04:05:06');
  });

  test('the API version is 1.4', () => {
    expect(API_VERSION).toBe('1.4');
  });
});

describe('project HTML page', () => {
  const html = renderProjectHtml(input(FILES));
  const parsed = parseHtml(html);

  test('is well formed, with the repository-version meta and a title', () => {
    expect(parsed.errors).toEqual([]);
    expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
    expect(parsed.meta).toContainEqual({ name: 'pypi:repository-version', content: '1.4' });
    expect(parsed.title).toBe('Links for Foo_Bar');
  });

  test('one link per file, text = filename, href with #sha256', () => {
    expect(parsed.links.map((l) => l.text)).toEqual(FILES.map((f) => f.filename));
    parsed.links.forEach((l, i) => {
      const f = FILES[i]!;
      expect(l.attrs.href).toBe(`../../${f.path}#sha256=${f.sha256}`);
    });
  });

  test('requires-python is escaped and round-trips', () => {
    expect(parsed.links[0]!.attrs['data-requires-python']).toBe('>=3.8,<4 & "x"');
    expect(html).toContain('data-requires-python="&gt;=3.8,&lt;4 &amp; &quot;x&quot;"');
    expect(parsed.links[1]!.attrs).not.toHaveProperty('data-requires-python');
  });

  test('a yank reason with HTML in it is escaped and round-trips', () => {
    expect(parsed.links[2]!.attrs['data-yanked']).toBe('broken <script>alert("x")</script> & more');
    expect(html).not.toContain('<script>');
    expect(parsed.links[0]!.attrs).not.toHaveProperty('data-yanked');
    expect(parsed.links[1]!.attrs).not.toHaveProperty('data-yanked');
  });

  test('core metadata attributes only where the .metadata is served', () => {
    expect(parsed.links[1]!.attrs['data-core-metadata']).toBe(`sha256=${META_B}`);
    expect(parsed.links[1]!.attrs['data-dist-info-metadata']).toBe(`sha256=${META_B}`);
    for (const i of [0, 2]) {
      expect(parsed.links[i]!.attrs).not.toHaveProperty('data-core-metadata');
      expect(parsed.links[i]!.attrs).not.toHaveProperty('data-dist-info-metadata');
    }
  });

  test('coreMetadataSha256 alone (upstream has it, mirror does not serve it) adds nothing', () => {
    const f = published('x-1.0-py3-none-any.whl', SHA_A, { coreMetadataSha256: META_B, metadataSha256: null });
    const out = renderProjectHtml(input([f]));
    expect(out).not.toContain('data-core-metadata');
    expect(out).not.toContain('data-dist-info-metadata');
  });

  test.each([null, ''])('a reasonless yank (%j) is data-yanked="", never bare', (reason) => {
    const f = published('x-1.0.tar.gz', SHA_A, { yanked: true, yankedReason: reason });
    const out = renderProjectHtml(input([f]));
    expect(out).toContain(' data-yanked=""');
    expect(out).not.toMatch(/data-yanked(?!=)/);
    expect(parseHtml(out).links[0]!.attrs['data-yanked']).toBe('');
  });

  test('names and filenames with markup are escaped', () => {
    const f = published(`we'ird&name-1.0.tar.gz`, SHA_A);
    const out = renderProjectHtml(input([f], { displayName: 'A<B>&"C"' }));
    const p = parseHtml(out);
    expect(p.errors).toEqual([]);
    expect(p.title).toBe('Links for A<B>&"C"');
    expect(p.links[0]!.text).toBe(`we'ird&name-1.0.tar.gz`);
    expect(p.links[0]!.attrs.href).toBe(`../../${f.path.replace(`we'ird&name`, encodeURIComponent(`we'ird&name`))}#sha256=${SHA_A}`);
  });

  test('base_url gives absolute links', () => {
    const p = parseHtml(renderProjectHtml(input(FILES, { baseUrl: 'https://mirror.example/root/' })));
    expect(p.links[0]!.attrs.href).toBe(`https://mirror.example/root/${FILES[0]!.path}#sha256=${SHA_A}`);
  });

  test('no files gives a valid empty page', () => {
    const p = parseHtml(renderProjectHtml(input([])));
    expect(p.errors).toEqual([]);
    expect(p.links).toEqual([]);
  });

  test('is deterministic', () => {
    expect(renderProjectHtml(input(FILES))).toBe(html);
  });
});

describe('project JSON page', () => {
  const doc = JSON.parse(renderProjectJson(input(FILES))) as Record<string, unknown> & { files: Array<Record<string, unknown>> };

  test('top-level keys', () => {
    expect(doc.meta).toEqual({ 'api-version': '1.4', '_last-serial': 4242 });
    expect(doc.name).toBe('foo-bar');
    expect(doc['project-status']).toEqual({ status: 'active' });
    expect(doc.versions).toEqual(['1.0', '2.0']);
  });

  test('required per-file keys', () => {
    expect(doc.files).toHaveLength(3);
    doc.files.forEach((f, i) => {
      const src = FILES[i]!;
      expect(f.filename).toBe(src.filename);
      expect(f.url).toBe(`../../${src.path}`);
      expect(f.hashes).toEqual({ sha256: src.sha256 });
      expect(f.size).toBe(src.size);
    });
  });

  test('upload-time is omitted when unknown, never ""', () => {
    expect(doc.files[0]!['upload-time']).toBe('2024-03-01T12:34:56.123456Z');
    expect(doc.files[2]).not.toHaveProperty('upload-time');
  });

  test('requires-python kept as is, omitted when null', () => {
    expect(doc.files[0]!['requires-python']).toBe('>=3.8,<4 & "x"');
    expect(doc.files[1]!['requires-python'] ?? null).toBeNull();
  });

  test('yanked: false, or the reason', () => {
    expect(doc.files[0]!.yanked).toBe(false);
    expect(doc.files[2]!.yanked).toBe('broken <script>alert("x")</script> & more');
  });

  test('yanked without a reason is true', () => {
    const f = published('x-1.0.tar.gz', SHA_A, { yanked: true, yankedReason: null });
    const out = JSON.parse(renderProjectJson(input([f]))) as { files: Array<Record<string, unknown>> };
    expect(out.files[0]!.yanked).toBe(true);
  });

  // PEP 691: yanked is a boolean or a *non-empty* string. pip's Link.from_json maps a
  // falsy "yanked" to "not yanked", so `"yanked": ""` serves a yanked file unmarked.
  // project-pages.ts renders `f.yankedReason ?? true`, which keeps "" (the JSON API
  // schema accepts `yanked_reason: ""` and convert.ts passes it through).
  test('yanked with an empty reason string is true, not ""', () => {
    const f = published('x-1.0.tar.gz', SHA_A, { yanked: true, yankedReason: '' });
    const out = JSON.parse(renderProjectJson(input([f]))) as { files: Array<Record<string, unknown>> };
    expect(out.files[0]!.yanked).toBe(true);
  });

  test('core-metadata: false or {sha256}', () => {
    expect(doc.files[0]!['core-metadata']).toBe(false);
    expect(doc.files[1]!['core-metadata']).toEqual({ sha256: META_B });
    expect(doc.files[2]!['core-metadata']).toBe(false);
  });

  test('never a dist-info-metadata key, anywhere', () => {
    const text = renderProjectJson(input(FILES));
    expect(text).not.toContain('dist-info-metadata');
    expect(text).not.toContain('data-dist-info');
  });

  test('versions are unique, in file order', () => {
    const files = [
      published('a-1.0.tar.gz', SHA_A, { version: '1.0' }),
      published('a-1.0-py3-none-any.whl', SHA_B, { version: '1.0' }),
      published('a-1.1.tar.gz', SHA_C, { version: '1.1' }),
      published('a-2.0.tar.gz', META_B, { version: '2.0' }),
    ];
    const out = JSON.parse(renderProjectJson(input(files))) as { versions: string[] };
    expect(out.versions).toEqual(['1.0', '1.1', '2.0']);
  });

  test('base_url gives absolute URLs', () => {
    const out = JSON.parse(renderProjectJson(input(FILES, { baseUrl: 'https://mirror.example/' }))) as { files: Array<{ url: string }> };
    expect(out.files[1]!.url).toBe(`https://mirror.example/${FILES[1]!.path}`);
  });

  test('is deterministic', () => {
    expect(renderProjectJson(input(FILES))).toBe(renderProjectJson(input(FILES)));
  });
});

describe('JSON API document', () => {
  const doc = JSON.parse(renderJsonApi(input(FILES))) as {
    info: Record<string, unknown>;
    last_serial: number;
    releases: Record<string, Array<Record<string, unknown>>>;
    urls: Array<Record<string, unknown>>;
    vulnerabilities: unknown[];
  };

  test('info, serial, releases grouped by version', () => {
    expect(doc.info).toEqual({ name: 'Foo_Bar', version: '2.0' });
    expect(doc.last_serial).toBe(4242);
    expect(Object.keys(doc.releases).sort()).toEqual(['1.0', '2.0']);
    expect(doc.releases['1.0']!.map((f) => f.filename)).toEqual(['foo_bar-1.0.tar.gz', 'foo_bar-1.0-py3-none-any.whl']);
    expect(doc.vulnerabilities).toEqual([]);
  });

  test('urls are the files of info.version', () => {
    expect(doc.urls.map((f) => f.filename)).toEqual(['foo_bar-2.0.tar.gz']);
  });

  test('urls is empty when info.version is not mirrored or missing', () => {
    const gone = JSON.parse(renderJsonApi(input(FILES, { info: { version: '9.9' } }))) as { urls: unknown[] };
    expect(gone.urls).toEqual([]);
    const none = JSON.parse(renderJsonApi(input(FILES, { info: {} }))) as { urls: unknown[] };
    expect(none.urls).toEqual([]);
  });

  test('file fields', () => {
    const sdist = doc.releases['1.0']![0]!;
    expect(sdist).toMatchObject({
      url: `../../${FILES[0]!.path}`,
      digests: { sha256: SHA_A },
      size: 100,
      packagetype: 'sdist',
      python_version: 'source',
      requires_python: '>=3.8,<4 & "x"',
      yanked: false,
      yanked_reason: null,
      upload_time: '2024-03-01T12:34:56',
      upload_time_iso_8601: '2024-03-01T12:34:56.123456Z',
      'core-metadata': false,
    });
    const wheel = doc.releases['1.0']![1]!;
    expect(wheel['core-metadata']).toEqual({ sha256: META_B });
    const yanked = doc.releases['2.0']![0]!;
    expect(yanked).toMatchObject({ yanked: true, yanked_reason: 'broken <script>alert("x")</script> & more', upload_time: null });
  });

  test('base_url gives absolute URLs', () => {
    const out = JSON.parse(renderJsonApi(input(FILES, { baseUrl: 'https://m.example/x/' }))) as typeof doc;
    expect(out.releases['2.0']![0]!.url).toBe(`https://m.example/x/${FILES[2]!.path}`);
  });
});

describe('root pages', () => {
  const listing = new Map<string, ListingEntry>([
    ['zope-interface', { display: 'zope.interface', serial: 30, files: 2, bytes: 10 }],
    ['a-b', { display: 'A_B<&>', serial: 10, files: 1, bytes: 5 }],
    ['django', { display: 'Django', serial: 20, files: 3, bytes: 7 }],
  ]);
  const entries = sortedEntries(listing);

  test('entries are sorted by normalized name', () => {
    expect(entries.map(([n]) => n)).toEqual(['a-b', 'django', 'zope-interface']);
  });

  test('HTML: one link per project, escaped, well formed', () => {
    const html = renderRootHtml(entries);
    const p = parseHtml(html);
    expect(p.errors).toEqual([]);
    expect(p.meta).toContainEqual({ name: 'pypi:repository-version', content: '1.4' });
    expect(p.links).toEqual([
      { attrs: { href: 'a-b/' }, text: 'A_B<&>' },
      { attrs: { href: 'django/' }, text: 'Django' },
      { attrs: { href: 'zope-interface/' }, text: 'zope.interface' },
    ]);
  });

  test('JSON: meta with _last-serial, projects with their serials', () => {
    const doc = JSON.parse(renderRootJson(entries, 99)) as { meta: unknown; projects: unknown };
    expect(doc.meta).toEqual({ 'api-version': '1.4', '_last-serial': 99 });
    expect(doc.projects).toEqual([
      { name: 'A_B<&>', '_last-serial': 10 },
      { name: 'Django', '_last-serial': 20 },
      { name: 'zope.interface', '_last-serial': 30 },
    ]);
  });

  test('empty listing', () => {
    expect(parseHtml(renderRootHtml([])).links).toEqual([]);
    expect(JSON.parse(renderRootJson([], 0))).toEqual({ meta: { 'api-version': '1.4', '_last-serial': 0 }, projects: [] });
  });
});

describe('pagesKey', () => {
  const base = { formats: ['html', 'json'] as Array<'html' | 'json'>, jsonApi: true, baseUrl: null as string | null };
  const key = (over: Partial<typeof base>) => pagesKey({ ...base, ...over } as unknown as Parameters<typeof pagesKey>[0]);

  test('is stable for one configuration, and differs when formats, json_api or base_url differ', () => {
    const k = key({});
    expect(k).toMatch(/^[0-9a-f]{32}$/);
    expect(key({})).toBe(k);
    const others = [key({ formats: ['html'] }), key({ formats: ['json'] }), key({ jsonApi: false }), key({ baseUrl: 'https://m.example/' })];
    expect(new Set([k, ...others]).size).toBe(5);
  });
});
