/**
 * Bad configuration, table-driven, through the real CLI: every malformed mirror.yaml or
 * filter file gives exit 2 and one line naming the file, the key and the line, with no
 * stack trace, from `check-config` and, for a subset, from `sync`, which must stop before
 * touching the network or the disk. `upstream.url` points at the discard port, so a
 * sync that got past the configuration would fail differently (exit 1, ECONNREFUSED).
 */
import { chmod, mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { runJubjub } from './harness.js';

const URL_LINE = '  url: http://127.0.0.1:9';

interface Case {
  name: string;
  /** mirror.yaml, one string a line. */
  yaml: string[];
  /** Other files, relative to the case folder; a value of null makes a folder. */
  files?: Record<string, string | null>;
  /** Files to chmod 000 after writing. */
  unreadable?: string[];
  /** The key path the line starts with; null for YAML syntax errors, which have none. */
  key: string | null;
  /** The file the line points into (relative to the case folder), and its line. */
  at: { file: string; line: number } | null;
  /** For filter files: the line of mirror.yaml that names the file. */
  yamlLine?: number;
  /** What the message must also say, so a failure for another reason does not pass. */
  says: RegExp;
  /** Also run `sync` (the runtime path: loadConfig, then filters, then the lock). */
  sync?: boolean;
  /** `-c` target instead of mirror.yaml (relative to the case folder). */
  configArg?: string;
  skip?: boolean;
}

// Root reads a chmod-000 file anyway, so that case only means something for other users;
// a folder given as a filter file (EISDIR) covers "cannot read" for root.
const isRoot = process.getuid?.() === 0;

const M = (line: number) => ({ file: 'mirror.yaml', line });

const cases: Case[] = [
  // --- YAML syntax: the line is where the parser stopped; there is no key yet.
  { name: 'tab indentation', yaml: ['upstream:', URL_LINE, 'filters:', '\tlatest: 2'], key: null, at: M(4), says: /invalid YAML: Tabs/, sync: true },
  { name: 'unclosed quote', yaml: ['upstream:', '  url: "http://127.0.0.1:9'], key: null, at: M(2), says: /invalid YAML: Missing closing "quote/, sync: true },
  { name: 'unclosed flow list', yaml: ['upstream:', URL_LINE, 'filters:', '  allow: [requests, idna'], key: null, at: M(4), says: /invalid YAML: .*end with a \]/ },
  { name: 'duplicate key', yaml: ['upstream:', URL_LINE, '  retries: 1', '  retries: 2'], key: null, at: M(4), says: /invalid YAML: Map keys must be unique/, sync: true },
  { name: 'duplicate section', yaml: ['filters:', '  latest: 1', 'upstream:', URL_LINE, 'filters:', '  latest: 2'], key: null, at: M(5), says: /invalid YAML: Map keys must be unique/ },
  { name: 'nested mapping on one line', yaml: ['upstream:', URL_LINE, 'mirror:', '  root: web: public'], key: null, at: M(4), says: /invalid YAML: Nested mappings/ },
  { name: 'two documents', yaml: ['upstream:', URL_LINE, '---', 'mirror: {}'], key: null, at: M(3), says: /invalid YAML: .*multiple documents$/ },
  { name: 'alias without anchor', yaml: ['upstream:', URL_LINE, 'filters:', '  allow: *lists'], key: null, at: M(4), says: /invalid YAML: alias \*lists names no anchor/ },
  { name: 'a list as a key', yaml: ['upstream:', URL_LINE, '  ? [retries]', '  : 3'], key: null, at: M(3), says: /invalid YAML: a key must be a plain name/, sync: true },

  // --- The document's shape.
  { name: 'a list at top level', yaml: ['- upstream', '- mirror'], key: '(top level)', at: M(1), says: /expected a mapping of sections .*, got \["upstream","mirror"\]/ },
  { name: 'a bare word', yaml: ['upstream'], key: '(top level)', at: M(1), says: /expected a mapping of sections .*, got "upstream"/ },
  { name: 'a section given a value', yaml: ['filters:', '  latest: 1', 'upstream: http://127.0.0.1:9'], key: 'upstream', at: M(3), says: /expected a mapping of upstream keys, got "http:\/\/127\.0\.0\.1:9"/, sync: true },
  { name: 'platforms given a keyword', yaml: ['upstream:', URL_LINE, 'filters:', '  platforms: linux'], key: 'filters.platforms', at: M(4), says: /expected a mapping with include and exclude lists, got "linux"/ },

  // --- Unknown keys, at the key's own line.
  { name: 'unknown section', yaml: ['upstream:', URL_LINE, '', 'mirrors:', '  root: ./web'], key: 'mirrors', at: M(4), says: /: unknown key/ },
  { name: 'near-miss key', yaml: ['upstream:', URL_LINE, 'filters:', '  latest: 3', '  max_file_szie: 10MB'], key: 'filters.max_file_szie', at: M(5), says: /: unknown key/, sync: true },
  { name: 'unknown key two levels down', yaml: ['upstream:', URL_LINE, 'filters:', '  platforms:', '    include: [linux]', '    exclud: [win32]'], key: 'filters.platforms.exclud', at: M(6), says: /: unknown key/ },
  { name: 'misspelt upstream key', yaml: ['upstream:', URL_LINE, '  retrys: 3'], key: 'upstream.retrys', at: M(3), says: /: unknown key/ },

  // --- Wrong types.
  { name: 'string for an integer', yaml: ['upstream:', URL_LINE, '  retries: "3"'], key: 'upstream.retries', at: M(3), says: /expected an integer ≥ 0, got "3"/, sync: true },
  { name: 'list for a string', yaml: ['upstream:', URL_LINE, '  user_agent: [a, b]'], key: 'upstream.user_agent', at: M(3), says: /expected a string, got \["a","b"\]/ },
  { name: 'number for a boolean', yaml: ['upstream:', URL_LINE, 'mirror:', '  json_api: 1'], key: 'mirror.json_api', at: M(4), says: /expected true or false, got 1/ },
  { name: 'yes for a boolean', yaml: ['upstream:', URL_LINE, 'filters:', '  prereleases: yes'], key: 'filters.prereleases', at: M(4), says: /expected true or false, got "yes"/ },
  { name: 'string for a list', yaml: ['upstream:', URL_LINE, 'filters:', '  allow: requests'], key: 'filters.allow', at: M(4), says: /expected a list of requirements, got "requests"/, sync: true },
  { name: 'number in a list', yaml: ['upstream:', URL_LINE, 'filters:', '  allow:', '    - requests', '    - 5'], key: 'filters.allow[1]', at: M(6), says: /expected requirement, got 5/ },
  { name: 'boolean for a path', yaml: ['upstream:', URL_LINE, 'mirror:', '  root: true'], key: 'mirror.root', at: M(4), says: /expected a path, got true/ },
  { name: 'fractional latest', yaml: ['upstream:', URL_LINE, 'filters:', '  latest: 1.5'], key: 'filters.latest', at: M(4), says: /expected an integer ≥ 0, got 1\.5/ },
  { name: 'binary for a URL', yaml: ['upstream:', '  url: !!binary aGVsbG8='], key: 'upstream.url', at: M(2), says: /expected an http\(s\) URL, got binary data/ },

  // --- Enumerations.
  { name: 'unknown format', yaml: ['upstream:', URL_LINE, 'mirror:', '  formats: [html, xml]'], key: 'mirror.formats[1]', at: M(4), says: /expected html or json, got "xml"/, sync: true },
  { name: 'no format', yaml: ['upstream:', URL_LINE, 'mirror:', '  formats: []'], key: 'mirror.formats', at: M(4), says: /expected at least one of html, json, got \[\]/ },
  { name: 'upstream_deletions maybe', yaml: ['upstream:', URL_LINE, 'mirror:', '  upstream_deletions: maybe'], key: 'mirror.upstream_deletions', at: M(4), says: /expected one of delete, keep, got "maybe"/ },
  { name: 'log level loud', yaml: ['upstream:', URL_LINE, 'log:', '  level: loud'], key: 'log.level', at: M(4), says: /expected one of trace, debug, info, warn, error, got "loud"/, sync: true },
  { name: 'unknown package type', yaml: ['upstream:', URL_LINE, 'filters:', '  packagetypes:', '    - sdist', '    - wheel'], key: 'filters.packagetypes[1]', at: M(6), says: /expected one of sdist, bdist_wheel, .*got "wheel"/ },
  { name: 'unknown change feed', yaml: ['upstream:', URL_LINE, '  changes: rss'], key: 'upstream.changes', at: M(3), says: /expected one of xmlrpc, simple, got "rss"/ },

  // --- Sizes.
  { name: 'size in parsecs', yaml: ['upstream:', URL_LINE, 'filters:', '  max_file_size: 10 parsecs'], key: 'filters.max_file_size', at: M(4), says: /expected a size like 500MB, 2GiB or a byte count, got "10 parsecs"/, sync: true },
  { name: 'negative size', yaml: ['upstream:', URL_LINE, 'filters:', '  max_file_size: -5MB'], key: 'filters.max_file_size', at: M(4), says: /expected a size .*, got "-5MB"/ },
  { name: 'size with two dots', yaml: ['upstream:', URL_LINE, 'filters:', '  max_project_size: 1.5.3GB'], key: 'filters.max_project_size', at: M(4), says: /expected a size .*, got "1\.5\.3GB"/ },
  { name: 'negative byte count', yaml: ['upstream:', URL_LINE, 'filters:', '  max_file_size: -5'], key: 'filters.max_file_size', at: M(4), says: /expected a size .*, got -5 \(/ },
  { name: 'size past 2^53 bytes', yaml: ['upstream:', URL_LINE, 'filters:', '  max_project_size: 99999999999TB'], key: 'filters.max_project_size', at: M(4), says: /expected a size .*, got "99999999999TB"/ },

  // --- Durations.
  { name: 'duration in words', yaml: ['upstream:', URL_LINE, '  timeout: 5 minutes'], key: 'upstream.timeout', at: M(3), says: /expected a duration like 30s, 5m, 2h or 3d, got "5 minutes"/, sync: true },
  { name: 'zero duration', yaml: ['upstream:', URL_LINE, '  timeout: 0s'], key: 'upstream.timeout', at: M(3), says: /expected a duration .*, got "0s"/ },
  { name: 'negative duration', yaml: ['upstream:', URL_LINE, '  timeout: -1s'], key: 'upstream.timeout', at: M(3), says: /expected a duration .*, got "-1s"/ },
  { name: 'duration without unit', yaml: ['upstream:', URL_LINE, '  timeout: 30'], key: 'upstream.timeout', at: M(3), says: /expected a duration .*, got 30 \(/ },
  // Past 2^31-1 ms Node's timers fire after 1 ms: every request would time out at once.
  { name: 'duration longer than a timer', yaml: ['upstream:', URL_LINE, '  timeout: 30d'], key: 'upstream.timeout', at: M(3), says: /expected a duration of at most 24d, got "30d"/, sync: true },

  // --- Cron.
  { name: 'cron with three fields', yaml: ['upstream:', URL_LINE, 'schedule: "* * *"'], key: 'schedule', at: M(3), says: /expected a cron expression, got "\* \* \*"/, sync: true },
  { name: 'cron minute 61', yaml: ['upstream:', URL_LINE, 'schedule: "61 * * * *"'], key: 'schedule', at: M(3), says: /expected a cron expression, got "61 \* \* \* \*"/ },
  { name: 'empty schedule', yaml: ['upstream:', URL_LINE, 'schedule:'], key: 'schedule', at: M(3), says: /expected a cron expression, got null/ },

  // --- URLs and hosts.
  { name: 'ftp upstream', yaml: ['upstream:', '  url: ftp://127.0.0.1:9'], key: 'upstream.url', at: M(2), says: /expected an http\(s\) URL, got "ftp:\/\/127\.0\.0\.1:9"/, sync: true },
  { name: 'upstream naming /simple', yaml: ['upstream:', '  url: http://127.0.0.1:9/simple/'], key: 'upstream.url', at: M(2), says: /expected the index root .*, not its \/simple\/ endpoint/, sync: true },
  { name: 'upstream port out of range', yaml: ['upstream:', '  url: http://127.0.0.1:99999'], key: 'upstream.url', at: M(2), says: /expected an http\(s\) URL/ },
  { name: 'files_url on s3', yaml: ['upstream:', URL_LINE, '  files_url: s3://bucket/x'], key: 'upstream.files_url', at: M(3), says: /expected an http\(s\) URL, got "s3:\/\/bucket\/x"/ },
  { name: 'relative base_url', yaml: ['upstream:', URL_LINE, 'mirror:', '  base_url: /simple/'], key: 'mirror.base_url', at: M(4), says: /expected an http\(s\) URL, got "\/simple\/"/ },
  { name: 'URL in file_hosts', yaml: ['upstream:', URL_LINE, '  file_hosts:', '    - cdn.example', '    - https://files.example/'], key: 'upstream.file_hosts[1]', at: M(5), says: /expected a host name like files\.example\.com/ },
  // Node refuses such a header on every request: found now, not as exit 1 mid-run.
  { name: 'user_agent with a newline', yaml: ['upstream:', URL_LINE, '  user_agent: "mirror\\nX-Evil: 1"'], key: 'upstream.user_agent', at: M(3), says: /expected one line of printable text, got "mirror\\nX-Evil: 1"/, sync: true },

  // --- Numbers out of range.
  { name: 'retries 1000', yaml: ['upstream:', URL_LINE, '  retries: 1000'], key: 'upstream.retries', at: M(3), says: /expected an integer from 0 to 100, got 1000/ },
  { name: 'negative concurrency', yaml: ['upstream:', URL_LINE, '  download_concurrency: -1'], key: 'upstream.download_concurrency', at: M(3), says: /expected an integer ≥ 1, got -1/, sync: true },
  { name: 'zero metadata concurrency', yaml: ['upstream:', URL_LINE, '  metadata_concurrency: 0'], key: 'upstream.metadata_concurrency', at: M(3), says: /expected an integer ≥ 1, got 0/ },
  { name: 'negative latest', yaml: ['upstream:', URL_LINE, 'filters:', '  latest: -1'], key: 'filters.latest', at: M(4), says: /expected an integer ≥ 0, got -1/ },

  // --- Requirements, patterns and platforms written inline.
  { name: 'specifier without version', yaml: ['upstream:', URL_LINE, 'filters:', '  allow:', '    - idna', '    - requests>='], key: 'filters.allow[1]', at: M(6), says: /invalid requirement "requests>=": .*missing version/, sync: true },
  { name: 'two words', yaml: ['upstream:', URL_LINE, 'filters:', '  allow: ["foo bar"]'], key: 'filters.allow[0]', at: M(4), says: /invalid requirement "foo bar": unexpected text 'bar'/ },
  { name: 'unclosed extras', yaml: ['upstream:', URL_LINE, 'filters:', '  deny: ["requests["]'], key: 'filters.deny[0]', at: M(4), says: /invalid requirement "requests\[": unclosed '\['/ },
  { name: 'empty requirement', yaml: ['upstream:', URL_LINE, 'filters:', '  deny: [six, ""]'], key: 'filters.deny[1]', at: M(4), says: /invalid requirement "": empty requirement/ },
  { name: 'invalid regular expression', yaml: ['upstream:', URL_LINE, 'filters:', '  deny_patterns:', '    - "-nightly$"', '    - "^(tf-"'], key: 'filters.deny_patterns[1]', at: M(6), says: /invalid regular expression "\^\(tf-"/, sync: true },
  { name: 'empty platform entry', yaml: ['upstream:', URL_LINE, 'filters:', '  platforms:', '    exclude: [windows, ""]'], key: 'filters.platforms.exclude[1]', at: M(5), says: /expected a platform keyword or tag glob, got ""/, sync: true },

  // --- Folders.
  { name: 'root inside state', yaml: ['upstream:', URL_LINE, 'mirror:', '  state: ./data', '  root: ./data/web'], key: 'mirror.root', at: M(5), says: /must not be inside mirror\.state/, sync: true },
  { name: 'state inside root', yaml: ['upstream:', URL_LINE, 'mirror:', '  root: ./web', '  state: ./web/.state'], key: 'mirror.state', at: M(5), says: /must not be inside mirror\.root/, sync: true },
  { name: 'root and state the same', yaml: ['upstream:', URL_LINE, 'mirror:', '  root: ./data', '  state: data/'], key: 'mirror.state', at: M(5), says: /must not be inside mirror\.root/ },
  { name: 'empty state path', yaml: ['upstream:', URL_LINE, 'mirror:', '  state: ""'], key: 'mirror.state', at: M(4), says: /expected a path, got ""/ },
  { name: 'metrics textfile inside the served tree', yaml: ['upstream:', URL_LINE, 'mirror:', '  root: ./web', 'metrics:', '  textfile: web/jubjub.prom'], key: 'metrics.textfile', at: M(6), says: /must not be inside mirror\.root/ },
  { name: 'empty metrics path', yaml: ['upstream:', URL_LINE, 'metrics:', '  textfile: " "'], key: 'metrics.textfile', at: M(4), says: /expected a path, got " "/ },

  // --- Filter files: the line is the filter file's; the key and mirror.yaml's line say
  // which entry named it.
  {
    name: 'missing allow file',
    yaml: ['upstream:', URL_LINE, 'filters:', '  allow_files:', '    - lists/missing.txt'],
    key: 'filters.allow_files[0]',
    at: M(5),
    says: /lists\/missing\.txt: cannot read file \(ENOENT\)/,
    sync: true,
  },
  {
    name: 'allow file that is a folder',
    yaml: ['upstream:', URL_LINE, 'filters:', '  allow_files: [lists]'],
    files: { lists: null },
    key: 'filters.allow_files[0]',
    at: M(4),
    says: /lists: cannot read file \(EISDIR\)/,
    sync: true,
  },
  {
    name: 'unreadable allow file',
    yaml: ['upstream:', URL_LINE, 'filters:', '  allow_files: [allow.txt]'],
    files: { 'allow.txt': 'requests\n' },
    unreadable: ['allow.txt'],
    key: 'filters.allow_files[0]',
    at: M(4),
    says: /allow\.txt: cannot read file \(EACCES\)/,
    skip: isRoot,
  },
  {
    name: 'empty path in allow_files',
    yaml: ['upstream:', URL_LINE, 'filters:', '  allow_files: [ok.txt, ""]'],
    files: { 'ok.txt': 'six\n' },
    key: 'filters.allow_files[1]',
    at: M(4),
    says: /expected a path, got ""/,
  },
  {
    name: 'bad line in the second deny file',
    yaml: ['upstream:', URL_LINE, 'filters:', '  deny_files:', '    - lists/ok.txt', '    - lists/deny.txt'],
    files: { 'lists/ok.txt': 'six\n', 'lists/deny.txt': '# known bad\nrequests<2\n\nidna>=\n' },
    key: 'filters.deny_files[1]',
    at: { file: 'lists/deny.txt', line: 4 },
    yamlLine: 6,
    says: /invalid version specifier '>=': missing version/,
    sync: true,
  },
  {
    name: 'bad line after a continued line',
    yaml: ['upstream:', URL_LINE, 'filters:', '  allow_files: [allow.txt]'],
    files: { 'allow.txt': 'requests \\\n  >=2\nfoo bar\n' },
    key: 'filters.allow_files[0]',
    at: { file: 'allow.txt', line: 3 },
    yamlLine: 4,
    says: /unexpected text 'bar' after 'foo'/,
  },
  {
    name: 'missing -r include',
    yaml: ['upstream:', URL_LINE, 'filters:', '  allow_files: [allow.txt]'],
    files: { 'allow.txt': 'six\n-r more.txt\n' },
    key: 'filters.allow_files[0]',
    at: { file: 'allow.txt', line: 2 },
    yamlLine: 4,
    says: /cannot read file \S*more\.txt \(ENOENT\)/,
    sync: true,
  },
  {
    name: 'bad line in an included file',
    yaml: ['upstream:', URL_LINE, 'filters:', '  allow_files: [allow.txt]'],
    files: { 'allow.txt': 'six\n-r sub/more.txt\n', 'sub/more.txt': 'idna\n\nrequests[\n' },
    key: 'filters.allow_files[0]',
    at: { file: 'sub/more.txt', line: 3 },
    yamlLine: 4,
    says: /unclosed '\['/,
  },
  {
    name: 'include cycle',
    yaml: ['upstream:', URL_LINE, 'filters:', '  allow_files: [a.txt]'],
    files: { 'a.txt': 'six\n-r b.txt\n', 'b.txt': '-r a.txt\n' },
    key: 'filters.allow_files[0]',
    at: { file: 'b.txt', line: 1 },
    yamlLine: 4,
    says: /include cycle: /,
  },
  {
    name: 'remote include',
    yaml: ['upstream:', URL_LINE, 'filters:', '  deny_files: [deny.txt]'],
    files: { 'deny.txt': '-r https://example.com/deny.txt\n' },
    key: 'filters.deny_files[0]',
    at: { file: 'deny.txt', line: 1 },
    yamlLine: 4,
    says: /remote requirement files are not supported/,
  },
  {
    name: '-r without a file name',
    yaml: ['upstream:', URL_LINE, 'filters:', '  allow_files: [allow.txt]'],
    files: { 'allow.txt': 'six\n\n-r\n' },
    key: 'filters.allow_files[0]',
    at: { file: 'allow.txt', line: 3 },
    yamlLine: 4,
    says: /missing file name after -r/,
  },

  // --- The configuration file itself: no key or line applies, the file is named.
  { name: 'configuration file missing', yaml: [], configArg: 'nope.yaml', key: null, at: null, says: /nope\.yaml: cannot read configuration \(ENOENT\)$/, sync: true },
  { name: 'configuration file is a folder', yaml: [], files: { 'conf.d': null }, configArg: 'conf.d', key: null, at: null, says: /conf\.d: cannot read configuration \(EISDIR\)$/ },
];

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

let base: string;
beforeAll(async () => {
  base = await mkdtemp(path.join(tmpdir(), 'jubjub-badcfg-'));
});
afterAll(async () => {
  // chmod 000 folders or files do not stop rm as root; as another user the files were
  // made unreadable, not their folders, so rm can still unlink them.
  await rm(base, { recursive: true, force: true });
});

async function setUp(c: Case, index: number): Promise<{ dir: string; config: string }> {
  const dir = path.join(base, `case-${index}`);
  await mkdir(dir, { recursive: true });
  if (c.configArg === undefined) await writeFile(path.join(dir, 'mirror.yaml'), `${c.yaml.join('\n')}\n`);
  for (const [rel, body] of Object.entries(c.files ?? {})) {
    const p = path.join(dir, rel);
    if (body === null) {
      await mkdir(p, { recursive: true });
    } else {
      await mkdir(path.dirname(p), { recursive: true });
      await writeFile(p, body);
    }
  }
  for (const rel of c.unreadable ?? []) await chmod(path.join(dir, rel), 0o000);
  return { dir, config: path.join(dir, c.configArg ?? 'mirror.yaml') };
}

/** The one line a command printed, checked against everything the case promises. */
function checkOutcome(c: Case, dir: string, r: { code: number; stdout: string; stderr: string }, what: string, ex: typeof expect): void {
  const shown = `${what}: ${r.stderr.trim()}`;
  ex(r.code, shown).toBe(2);
  ex(r.stdout, what).toBe('');
  ex(r.stderr, `${what}: no stack trace`).not.toMatch(/^\s+at /m);
  const lines = r.stderr.trim().split('\n');
  ex(lines, shown).toHaveLength(1);
  const line = lines[0] ?? '';
  ex(line, what).toMatch(/^jubjub: /);
  const msg = line.slice('jubjub: '.length);
  ex(msg, what).toMatch(c.says);
  if (c.at === null) {
    ex(msg, what).toContain(path.join(dir, c.configArg ?? 'mirror.yaml'));
    return;
  }
  const fileLine = `${escape(path.join(dir, c.at.file))}:${c.at.line}`;
  if (c.key === null) {
    // YAML syntax: `FILE:LINE: invalid YAML: ...`.
    ex(msg, what).toMatch(new RegExp(`^${fileLine}: invalid YAML: `));
    return;
  }
  ex(msg.startsWith(`${c.key}: `), `${what}: starts with the key ${c.key}: ${msg}`).toBe(true);
  if (c.yamlLine === undefined) {
    // A key of mirror.yaml: `KEY: ... (FILE:LINE)`.
    ex(msg, what).toMatch(new RegExp(` \\(${fileLine}\\)$`));
  } else {
    // A line of a filter file: `KEY: FILTERFILE:LINE: ... (mirror.yaml:LINE)`.
    ex(msg, what).toMatch(new RegExp(`^${escape(c.key)}: ${fileLine}: `));
    ex(msg, what).toMatch(new RegExp(` \\(${escape(path.join(dir, 'mirror.yaml'))}:${c.yamlLine}\\)$`));
  }
}

describe('bad configuration: exit 2, one line naming file, key and line', () => {
  test('the table is as broad as promised', () => {
    expect(cases.length).toBeGreaterThanOrEqual(40);
    expect(cases.filter((c) => c.sync).length).toBeGreaterThanOrEqual(15);
    expect(new Set(cases.map((c) => c.name)).size).toBe(cases.length);
  });

  // vitest runs at most maxConcurrency (5) of these at once: enough to keep two cores busy.
  test.concurrent.for(cases.map((c, i) => ({ ...c, index: i })))('$name', async (c, { expect: ex, skip }) => {
    if (c.skip) skip('root reads chmod 000 files');
    const { dir, config } = await setUp(c, c.index);
    const before = (await readdir(dir)).sort();

    const check = await runJubjub(['check-config', '-c', config]);
    checkOutcome(c, dir, check, 'check-config', ex);

    if (c.sync) {
      const sync = await runJubjub(['sync', '-c', config]);
      checkOutcome(c, dir, sync, 'sync', ex);
      // Stopped before anything: no state folder, no tree, no lock.
      ex((await readdir(dir)).sort(), 'sync created nothing').toEqual(before);
    }
  });
});
