/**
 * PEP 508 environment markers: "could this dependency apply to one of the environments
 * the mirror serves?". Those environments are only partly known (a target names 3.11,
 * not 3.11.4; a platform_release never), so evaluation is three-valued and a
 * dependency is skipped only when its marker is false in every one of them.
 */
import { normalizeName } from './names.js';
import { parseVersion } from './pep440.js';
import { parseClause, specifierMatches } from './specifier.js';
import { RequirementSyntaxError } from './syntax-error.js';

const VARIABLE_NAMES = [
  'python_version', 'python_full_version', 'os_name', 'sys_platform', 'platform_release', 'platform_system',
  'platform_version', 'platform_machine', 'platform_python_implementation', 'implementation_name',
  'implementation_version', 'extra',
] as const;
export type MarkerVariable = (typeof VARIABLE_NAMES)[number];

export type MarkerOp = '<' | '<=' | '!=' | '==' | '>=' | '>' | '~=' | '===' | 'in' | 'not in';

export type MarkerValue = { readonly variable: MarkerVariable } | { readonly literal: string };

export type Marker =
  | { readonly kind: 'and' | 'or'; readonly left: Marker; readonly right: Marker }
  | { readonly kind: 'compare'; readonly left: MarkerValue; readonly op: MarkerOp; readonly right: MarkerValue };

/** What is known about one target; undefined means unknown. */
export interface TargetEnvironment {
  python_version?: string;
  sys_platform?: string;
  platform_system?: string;
  os_name?: string;
  platform_machine?: string;
  implementation_name?: string;
  platform_python_implementation?: string;
}

/** One evaluation context: a target plus the single extra being installed ('' for none). */
export type MarkerEnvironment = TargetEnvironment & { extra?: string };

/** Kleene logic: undefined is "unknown". */
export type Truth = boolean | undefined;

const VARIABLES: Readonly<Record<string, MarkerVariable>> = {
  ...Object.fromEntries(VARIABLE_NAMES.map((n) => [n, n])),
  // Legacy spellings from PEP 345 and old setuptools, still found in old metadata.
  'os.name': 'os_name', 'sys.platform': 'sys_platform', 'platform.version': 'platform_version',
  'platform.machine': 'platform_machine', 'platform.python_implementation': 'platform_python_implementation',
  python_implementation: 'platform_python_implementation',
};

interface Token { readonly kind: 'paren' | 'str' | 'op' | 'word'; readonly text: string; readonly pos: number }

// PEP 508 strings have no escapes. The last group takes whatever no token matches.
const TOKEN = /\s*(?:([()])|'([^']*)'|"([^"]*)"|(===|==|!=|~=|<=|>=|<|>)|([A-Za-z_][A-Za-z0-9_.]*)|(\S[^]*))/y;
const KEYWORDS = new Set(['and', 'or', 'not', 'in']);

function tokenize(text: string, fail: (why: string) => never): Token[] {
  const out: Token[] = [];
  TOKEN.lastIndex = 0;
  for (let m = TOKEN.exec(text); m !== null; m = TOKEN.exec(text)) {
    const bad = m[6];
    if (bad !== undefined) fail(/^['"]/.test(bad) ? `unterminated string ${bad}` : `unexpected '${bad}'`);
    const kind = m[1] !== undefined ? 'paren' : m[4] !== undefined ? 'op' : m[5] !== undefined ? 'word' : 'str';
    const pos = m.index + m[0].length - m[0].trimStart().length;
    out.push({ kind, text: m[1] ?? m[2] ?? m[3] ?? m[4] ?? m[5] ?? '', pos });
  }
  return out;
}

/** Throws RequirementSyntaxError naming the marker and what was expected where. */
export function parseMarker(text: string): Marker {
  function fail(why: string): never {
    throw new RequirementSyntaxError(`invalid environment marker '${text.trim()}': ${why}`);
  }
  const tokens = tokenize(text, fail);
  if (tokens.length === 0) fail('empty marker');
  let i = 0;
  const is = (kind: Token['kind'], t: string, at = i): boolean => tokens[at]?.kind === kind && tokens[at]?.text === t;
  const near = (t = tokens[i]): string => (t === undefined ? 'at the end' : `at '${text.slice(t.pos)}'`);

  function value(): MarkerValue {
    const t = tokens[i];
    if (t?.kind === 'word' && !KEYWORDS.has(t.text)) {
      const variable = VARIABLES[t.text];
      if (variable === undefined) fail(`unknown variable '${t.text}'`);
      i++;
      return { variable };
    }
    if (t?.kind !== 'str') fail(`expected a marker variable or a quoted string ${near()}`);
    i++;
    return { literal: t.text };
  }
  function operator(): MarkerOp {
    const negated = is('word', 'not') && is('word', 'in', i + 1);
    if (negated) i++;
    if (tokens[i]?.kind !== 'op' && !is('word', 'in')) {
      fail(`expected a comparison operator (<, <=, !=, ==, >=, >, ~=, ===, in, not in) ${near()}`);
    }
    const op = tokens[i++]?.text as MarkerOp;
    return negated ? 'not in' : op;
  }
  function expr(): Marker {
    if (!is('paren', '(')) {
      const left = value();
      const op = operator();
      return { kind: 'compare', left, op, right: value() };
    }
    i++;
    const inner = or();
    if (!is('paren', ')')) fail(`expected ')' ${near()}`);
    i++;
    return inner;
  }
  function chain(kind: 'and' | 'or', operand: () => Marker): Marker {
    let left = operand();
    while (is('word', kind)) {
      i++;
      left = { kind, left, right: operand() };
    }
    return left;
  }
  const and = (): Marker => chain('and', expr);
  const or = (): Marker => chain('or', and);

  const marker = or();
  if (i < tokens.length) fail(`expected 'and', 'or' or the end ${near()}`);
  return marker;
}

// A patch level above any real one, standing for "late in the X.Y series".
const LATE_PATCH = 999999;

/**
 * The values a full version may take when only X.Y is known: X.Y.0, a late patch, and
 * the literal compared with when it lies in X.Y, so every boundary a single
 * comparison can draw inside the series is tried from both sides.
 */
function patchCandidates(majorMinor: string, other: MarkerValue): string[] {
  const own = 'literal' in other ? other.literal.replace(/\.\*$/, '') : '';
  const inSeries = parseVersion(own)?.release.slice(0, 2).join('.') === majorMinor;
  return [`${majorMinor}.0`, `${majorMinor}.${LATE_PATCH}`, ...(inSeries ? [own] : [])];
}

/** Every value the side may take; undefined when nothing is known. */
function possibleValues(side: MarkerValue, other: MarkerValue, env: MarkerEnvironment): string[] | undefined {
  if ('literal' in side) return [side.literal];
  switch (side.variable) {
    case 'python_full_version':
      return env.python_version === undefined ? undefined : patchCandidates(env.python_version, other);
    case 'implementation_version': // only CPython's is its Python version
      if (env.implementation_name !== 'cpython') return undefined;
      return env.python_version === undefined ? undefined : patchCandidates(env.python_version, other);
    case 'platform_release':
    case 'platform_version':
      return undefined;
    default: {
      const v = env[side.variable];
      return v === undefined ? undefined : [v];
    }
  }
}

/**
 * Like packaging: a version comparison when the right side makes a valid specifier and
 * the left a valid version, else strings. Where packaging would raise or compare
 * arbitrary strings by code point (`<` on `"linux"`), the answer is unknown.
 */
function compare(l: string, op: MarkerOp, r: string): Truth {
  if (op === '===') return l.toLowerCase() === r.toLowerCase();
  if (op !== 'in' && op !== 'not in') {
    let clause = null;
    try {
      clause = parseClause(op + r);
    } catch {
      // Not a specifier: fall through to the string comparison.
    }
    const lv = parseVersion(l);
    if (clause !== null && lv !== null) return specifierMatches([clause], lv);
  }
  if (op === '==') return l === r;
  if (op === '!=') return l !== r;
  if (op === 'in') return r.includes(l);
  if (op === 'not in') return !r.includes(l);
  return undefined;
}

export function evaluateMarker(marker: Marker, env: MarkerEnvironment): Truth {
  if (marker.kind !== 'compare') {
    const l = evaluateMarker(marker.left, env);
    const dominant = marker.kind === 'or';
    if (l === dominant) return dominant;
    const r = evaluateMarker(marker.right, env);
    if (r === dominant) return dominant;
    return l === undefined || r === undefined ? undefined : !dominant;
  }
  const { left, op, right } = marker;
  const ls = possibleValues(left, right, env);
  const rs = possibleValues(right, left, env);
  if (ls === undefined || rs === undefined) return undefined;
  // Extras compare as PEP 685 names, on both sides.
  const isExtra = [left, right].some((side) => 'variable' in side && side.variable === 'extra');
  const norm = isExtra ? normalizeName : (s: string) => s;
  // Several candidate values (a full version known only to X.Y): agreed, or unknown.
  const results = new Set(ls.flatMap((l) => rs.map((r) => compare(norm(l), op, norm(r)))));
  return results.size === 1 ? [...results][0] : undefined;
}

/**
 * True when the marker is true or unknown in some target. Like pip, a requirement is
 * judged once with no extra ('') and once per requested extra, so `extra == "x"` holds
 * only when x was requested and `extra != "x"` always has the '' context to hold in.
 */
export function markerMayApply(marker: Marker, envs: readonly TargetEnvironment[], extras: ReadonlySet<string>): boolean {
  const contexts = [...new Set(['', ...[...extras].map(normalizeName)])];
  return envs.some((env) => contexts.some((extra) => evaluateMarker(marker, { ...env, extra }) !== false));
}

// The same few markers recur across thousands of Requires-Dist lines; bounded so a
// long-lived process does not grow without end.
const markerCache = new Map<string, Marker>();
const MARKER_CACHE_MAX = 1000;

/** Throws RequirementSyntaxError on a malformed marker. */
export function markerTextMayApply(text: string, envs: readonly TargetEnvironment[], extras: ReadonlySet<string>): boolean {
  let marker = markerCache.get(text);
  if (marker === undefined) {
    marker = parseMarker(text);
    if (markerCache.size >= MARKER_CACHE_MAX) markerCache.clear();
    markerCache.set(text, marker);
  }
  return markerMayApply(marker, envs, extras);
}
