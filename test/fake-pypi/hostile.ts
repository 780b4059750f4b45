/**
 * A hostile upstream (issue 5): projects whose metadata plays every trick an index
 * could play on a mirror, beside an honest project that must mirror as usual. The files
 * are real catalog files and only their JSON API entries are rewritten on the way out,
 * so an entry a mirror failed to refuse would really download (from the upstream or
 * from an "outside" server serving the same bytes) and show up in its tree.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { HostileHooks } from './routes.js';
import type { FakePypi } from './server.js';
import type { XmlRpcValue } from './xmlrpc.js';

/** What a mirror must do with one hostile entry, named by the log line that proves it. */
export type HostileExpectation =
  /** Dropped while reading the metadata: `rejected upstream file` with this reason. */
  | { kind: 'rejected'; reason: RegExp }
  /** Planned, but its download is refused or fails verification: `file failed`. */
  | { kind: 'file-failed'; code: string; err: RegExp };

export interface HostileFileCase {
  case: string;
  project: string;
  filename: string;
  expect: HostileExpectation;
}

export interface HostileProjectCase {
  case: string;
  project: string;
  /** `project failed` with this code and message. */
  code: string;
  err: RegExp;
}

/** Strings that must come out of every page escaped (HTML) or intact (JSON). */
export const MARKUP_REQUIRES_PYTHON = `"><script>alert(1)</script><a x='`;
export const MARKUP_YANK_REASON = `</a><script>alert(2)</script> & "double" 'single' <!-- &amp;`;

/** Marks every name that tries to leave the mirror's folders, for a test to look for. */
export const ESCAPE_MARK = 'jubjub-hostile-escape';

/**
 * Names list_packages_with_serial adds that no mirror may ask about. (A NUL cannot be
 * sent at all: XML 1.0 has no way to carry it, so it makes the whole response invalid.)
 */
export const INVALID_LISTED_NAMES = ['../../../etc/passwd', '<script>alert(1)</script>', '-leading', 'trailing-', 'two words', 'tab\tname', '', `long-${'n'.repeat(250)}`];
/** Names changelog_since_serial adds to a non-empty page (at its last serial). */
export const INVALID_CHANGELOG_NAMES = ['../../etc/shadow', '<img src=x onerror=alert(1)>'];
/**
 * Other spellings of `hostile-dup` the listing adds, and the changelog beside each
 * `hostile-dup` row (same serial: a later one would promise a serial the project's
 * document doesn't have, which a mirror rightly retries as stale): one project on a mirror.
 */
export const DUPLICATE_SPELLINGS = ['Hostile.Dup', 'HOSTILE_dup'];

export interface HostileUpstream {
  hooks: HostileHooks;
  files: HostileFileCase[];
  projects: HostileProjectCase[];
  /** Projects whose every file is refused: no page, no failure. */
  emptied: string[];
  /** Filename → sha256 of every file the mirror must end up with. */
  mirrored: Map<string, string>;
  /** Bytes the outside servers answer `path` with, if the mirror ever asked. */
  outsideBody(path: string): Buffer | null;
}

type FileObject = Record<string, unknown>;
type Doc = Record<string, unknown>;

const BIG = 10_000_000_000; // 10 GB declared for a file of a few hundred bytes

function releases(doc: Doc): Record<string, FileObject[]> {
  return doc.releases as Record<string, FileObject[]>;
}

/**
 * Seeds the hostile projects on `up` and returns the hooks that make it hostile.
 * `outside` are base URLs (`http://host:port`) of servers outside the mirror's allowlist.
 */
export function seedHostile(up: FakePypi, outside: readonly [string, string]): HostileUpstream {
  const [outA, outB] = outside;
  const files: HostileFileCase[] = [];
  const projects: HostileProjectCase[] = [];
  const mirrored = new Map<string, string>();
  const keep = (filename: string): void => void mirrored.set(filename, up.sha256(filename));
  /** entry rewrites per project: applied to the bait release, whose own file is never listed. */
  const baits = new Map<string, { version: string; entries: Array<(bait: FileObject) => FileObject> }>();
  const upstreamPath = (bait: FileObject): string => new URL(String(bait.url)).pathname;

  // The honest neighbour, with every legacy file kind the filename checks must let through.
  up.addProject('Good.Project');
  up.addRelease('Good.Project', '1.0');
  for (const spec of [{ kind: 'wheel' as const }, { kind: 'sdist' as const }, { kind: 'egg' as const, tags: 'py2.7-linux-x86_64' }, { kind: 'exe' as const }]) {
    keep(up.addFile('Good.Project', '1.0', spec));
  }

  /** A project with a bait 0.1 sdist whose entry is replaced by the hostile ones, and a good 1.0 wheel. */
  function baited(name: string, good = true): string {
    up.addProject(name);
    if (good) {
      up.addRelease(name, '1.0');
      keep(up.addFile(name, '1.0', { kind: 'wheel' }));
    }
    up.addRelease(name, '0.1');
    up.addFile(name, '0.1', { kind: 'sdist' });
    baits.set(name, { version: '0.1', entries: [] });
    return name;
  }
  /** One hostile entry: the bait's file object, `change`d and renamed `filename`. */
  function entry(project: string, filename: string, expect: HostileExpectation, o: { case?: string; change?: (bait: FileObject) => FileObject } = {}): void {
    const change = o.change ?? ((b: FileObject) => b);
    baits.get(project)?.entries.push((bait) => ({ ...change(bait), filename }));
    files.push({ case: o.case ?? filename, project, filename, expect });
  }
  const rejected = (reason: RegExp): HostileExpectation => ({ kind: 'rejected', reason });

  // Filenames that would leave the file's folder, or break a page or a log line.
  const pf = baited('hostile-files');
  const sep = rejected(/^unsafe filename: contains a path separator$/);
  entry(pf, `../../../../../../${ESCAPE_MARK}-0.1.tar.gz`, sep, { case: 'relative traversal' });
  entry(pf, `/tmp/${ESCAPE_MARK}-0.1.tar.gz`, sep, { case: 'absolute path' });
  entry(pf, `..\\..\\..\\${ESCAPE_MARK}-0.1.tar.gz`, sep, { case: 'backslashes' });
  entry(pf, 'hostile_files-0.1.tar.gz\u0000.whl', rejected(/^unsafe filename: contains NUL$/), { case: 'NUL' });
  entry(pf, `.${ESCAPE_MARK}-0.1.tar.gz`, rejected(/^unsafe filename: starts with a dot$/), { case: 'leading dot' });
  entry(pf, '..', rejected(/^unsafe filename: starts with a dot$/), { case: 'dot-dot alone' });
  entry(pf, 'hostile_files-0.1"><img src=x onerror=alert(1)>.tar.gz', rejected(/^unsafe filename: contains a control or markup character$/), { case: 'markup' });
  entry(pf, 'hostile_files-0.1\n.tar.gz', rejected(/^unsafe filename: contains a control or markup character$/), { case: 'newline' });
  entry(pf, `hostile_files-0.1.${'x'.repeat(300)}.tar.gz`, rejected(/^unsafe filename: empty or too long$/), { case: 'too long' });
  // Short in characters, too long in bytes: 3 UTF-8 bytes each, past any filesystem's 255.
  entry(pf, `hostile_files-0.1.${'\u65e5'.repeat(90)}.tar.gz`, rejected(/^unsafe filename: empty or too long$/), { case: 'too long in bytes' });
  // Files of other projects.
  const foreign = (named: string): HostileExpectation => rejected(new RegExp(`^filename of another project: ${named}`));
  entry(pf, 'requests-99.0.tar.gz', foreign('names project requests, not hostile-files$'));
  entry(pf, 'requests-99.0-py3-none-any.whl', foreign('names project requests, not hostile-files$'));
  entry(pf, 'requests-99.0-py2.7.egg', foreign('names project requests, not hostile-files$'));
  entry(pf, 'requests-99.0.win32.exe', foreign('does not start with the name of project hostile-files$'));
  entry(pf, 'hostile_files_extra-0.1.tar.gz', foreign('names project hostile-files-extra, not hostile-files$'), { case: 'prefix of another project' });

  // URLs with other schemes, or on hosts outside the allowlist (host means host:port).
  const pu = baited('hostile-urls');
  let post = 0;
  const url = (make: (bait: FileObject) => string, expect: HostileExpectation, c: string): void => {
    entry(pu, `hostile_urls-0.1.post${++post}.tar.gz`, expect, { case: c, change: (b) => ({ ...b, url: make(b) }) });
  };
  const scheme = (s: string): HostileExpectation => rejected(new RegExp(`^unsafe URL: scheme ${s} is not http\\(s\\)$`));
  const host = (h: string): HostileExpectation => rejected(new RegExp(`^unsafe URL: host ${escapeRe(h)} is not an allowed file host$`));
  const hostOf = (u: string): string => new URL(u).host;
  url(() => 'file:///etc/passwd', scheme('file:'), 'file: URL');
  url(() => 'javascript:alert(1)', scheme('javascript:'), 'javascript: URL');
  url((b) => `ftp://${hostOf(String(b.url))}${upstreamPath(b)}`, scheme('ftp:'), 'ftp: URL on the upstream host');
  url(() => 'data:application/octet-stream;base64,AAAA', scheme('data:'), 'data: URL');
  url((b) => `${outA}${upstreamPath(b)}`, host(hostOf(outA)), 'outside host');
  url((b) => `${outB}${upstreamPath(b)}`, host(hostOf(outB)), 'upstream address, other port');
  url((b) => `//${hostOf(outA)}${upstreamPath(b)}`, host(hostOf(outA)), 'scheme-relative URL');
  url((b) => `http://${hostOf(String(b.url))}@${hostOf(outA)}${upstreamPath(b)}`, host(hostOf(outA)), 'upstream host as userinfo');

  // Every file refused: the project ends with nothing, which is not a failure.
  const pe = baited('hostile-emptied', false);
  entry(pe, `../${ESCAPE_MARK}-0.1.tar.gz`, sep, { case: 'emptied: traversal' });
  entry(pe, 'requests-99.0.tar.gz', foreign('names project requests, not hostile-emptied$'), { case: 'emptied: foreign' });
  entry(pe, 'hostile_emptied-0.2.tar.gz', host(hostOf(outA)), { case: 'emptied: outside host', change: (b) => ({ ...b, url: `${outA}${upstreamPath(b)}` }) });

  // Declared sizes and digests that the bytes do not match; and a redirect off the allowlist.
  const pb = baited('hostile-bytes');
  entry(pb, 'hostile_bytes-0.1.post1.tar.gz', { kind: 'file-failed', code: 'E_HASH_MISMATCH', err: new RegExp(`expected ${BIG} bytes`) }, {
    case: 'size far beyond the real one',
    change: (b) => ({ ...b, size: BIG }),
  });
  entry(pb, 'hostile_bytes-0.1.post2.tar.gz', { kind: 'file-failed', code: 'E_TOO_LARGE', err: /longer than the declared 10 bytes/ }, {
    case: 'size below the real one',
    change: (b) => ({ ...b, size: 10 }),
  });
  const wrongSha = (b: FileObject): FileObject => {
    const d = b.digests as Record<string, string>;
    return { ...b, digests: { ...d, sha256: [...(d.sha256 ?? '')].reverse().join('') } };
  };
  entry(pb, 'hostile_bytes-0.1.post3.tar.gz', { kind: 'file-failed', code: 'E_HASH_MISMATCH', err: /with sha256/ }, { case: 'wrong sha256', change: wrongSha });
  const pr = baited('hostile-redirect');
  entry(pr, 'hostile_redirect-0.1.post1.tar.gz', { kind: 'file-failed', code: 'E_UNSAFE', err: new RegExp(`refusing redirect to host ${escapeRe(hostOf(outA))}`) }, {
    case: 'redirect to an outside host',
    change: (b) => ({ ...b, url: `${new URL(String(b.url)).origin}/hostile/redirect${upstreamPath(b)}` }),
  });

  // Project documents that are not the project asked for, or that redirect off the allowlist.
  const claimedNames = new Map([
    ['hostile-name', 'requests'],
    ['hostile-badname', 'hostile-badname"><script>alert(1)</script>'],
  ]);
  for (const [name, claimed] of claimedNames) {
    up.addProject(name);
    up.addRelease(name, '1.0');
    up.addFile(name, '1.0', { kind: 'wheel' });
    projects.push({ case: `info.name ${JSON.stringify(claimed)}`, project: name, code: 'E_INVALID_UPSTREAM', err: new RegExp(`document is for project ${escapeRe(JSON.stringify(claimed))}, not ${name}$`) });
  }
  up.addProject('hostile-meta-redirect');
  up.addRelease('hostile-meta-redirect', '1.0');
  up.addFile('hostile-meta-redirect', '1.0', { kind: 'wheel' });
  projects.push({ case: 'JSON API redirect to an outside host', project: 'hostile-meta-redirect', code: 'E_UNSAFE', err: new RegExp(`refusing redirect to host ${escapeRe(hostOf(outA))}`) });

  // Listed under several spellings: one project on the mirror, fetched once.
  up.addProject('hostile-dup');
  up.addRelease('hostile-dup', '1.0');
  keep(up.addFile('hostile-dup', '1.0', { kind: 'wheel' }));

  // Markup in requires-python and the yank reason: escaped in HTML, intact in JSON.
  up.addProject('hostile-markup');
  up.addRelease('hostile-markup', '1.0', { requiresPython: MARKUP_REQUIRES_PYTHON });
  keep(up.addFile('hostile-markup', '1.0', { kind: 'wheel' }));
  keep(up.addFile('hostile-markup', '1.0', { kind: 'sdist' }));
  up.yank('hostile-markup', '1.0', MARKUP_YANK_REASON);

  const json = (project: string, doc: Doc): Doc => {
    const claimed = claimedNames.get(project);
    if (claimed) return { ...doc, info: { ...(doc.info as Doc), name: claimed } };
    const bait = baits.get(project);
    if (!bait) return doc;
    const rel = releases(doc);
    const original = rel[bait.version]?.[0];
    if (!original) return doc;
    return { ...doc, releases: { ...rel, [bait.version]: bait.entries.map((make) => make(original)) } };
  };

  const rpc = (method: string, result: XmlRpcValue): XmlRpcValue => {
    if (method === 'list_packages_with_serial' && result && typeof result === 'object' && 'struct' in result) {
      const serial = result.struct.find(([n]) => n === 'hostile-dup')?.[1] ?? 1;
      const extra: Array<[string, XmlRpcValue]> = [...INVALID_LISTED_NAMES, ...DUPLICATE_SPELLINGS].map((n) => [n, serial]);
      return { struct: [...result.struct, ...extra] };
    }
    if (method === 'changelog_since_serial' && Array.isArray(result) && result.length > 0) {
      const rows = result.filter((r): r is XmlRpcValue[] => Array.isArray(r));
      const like = (r: XmlRpcValue[] | undefined) => (name: string): XmlRpcValue => [name, null, r?.[2] ?? 0, 'create', r?.[4] ?? 0];
      const dup = rows.filter((r) => r[0] === 'hostile-dup').pop();
      return [...result, ...INVALID_CHANGELOG_NAMES.map(like(rows[rows.length - 1])), ...(dup ? DUPLICATE_SPELLINGS.map(like(dup)) : [])];
    }
    return result;
  };

  const route = (_req: IncomingMessage, res: ServerResponse, path: string): boolean => {
    let to: string | null = null;
    if (path.startsWith('/hostile/redirect/')) to = `${outA}${path.slice('/hostile/redirect'.length)}`;
    else if (path === '/pypi/hostile-meta-redirect/json') to = `${outA}${path}`;
    if (to === null) return false;
    res.writeHead(302, { Location: to, 'Content-Length': 0 }).end();
    return true;
  };

  return {
    hooks: { json, rpc, route },
    files,
    projects,
    emptied: ['hostile-emptied'],
    mirrored,
    outsideBody(path) {
      const name = decodeURIComponent(path.slice(path.lastIndexOf('/') + 1));
      try {
        return up.fileBytes(name);
      } catch {
        return null;
      }
    },
  };
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * XML-RPC bodies made into an entity bomb (a billion laughs: 10^9 "lol"s, some 3 GB
 * expanded) or an external entity fetched from `fetchUrl`. Either must fail the call.
 */
export function xmlEntityAttack(kind: 'billion-laughs' | 'external', fetchUrl = ''): (body: string) => string {
  const levels = ['<!ENTITY lol0 "lol">'];
  for (let i = 1; i <= 9; i++) levels.push(`<!ENTITY lol${i} "${`&lol${i - 1};`.repeat(10)}">`);
  const doctype = kind === 'billion-laughs' ? `<!DOCTYPE methodResponse [${levels.join('')}]>` : `<!DOCTYPE methodResponse [<!ENTITY ext SYSTEM "${fetchUrl}">]>`;
  const ref = kind === 'billion-laughs' ? '&lol9;' : '&ext;';
  return (body) =>
    body.replace(/^<\?xml[^>]*\?>\n?/, (decl) => `${decl}${doctype}\n`).replace(/<value><int>\d+<\/int><\/value>/, `<value><string>${ref}</string></value>`);
}
