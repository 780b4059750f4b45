/**
 * Reads mirror.yaml and reports the first problem as one line that names the key path
 * and the line: `filters.latest: expected an integer ≥ 0, got "two" (mirror.yaml:14)`.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { isMap, isNode, isScalar, LineCounter, parseDocument, visit, type Document, type Node } from 'yaml';
import type { z } from 'zod';
import { ConfigError } from '../errors.js';
import { setFilterFileLines } from '../planner/filters/settings.js';
import { configSchema } from './schema.js';
import { KeyError, resolveConfig } from './resolve.js';
import type { Config } from './types.js';

type KeyPath = Array<string | number>;

function formatPath(keys: readonly PropertyKey[]): string {
  return keys
    .map((k, i) => (typeof k === 'number' ? `[${k}]` : i === 0 ? String(k) : `.${String(k)}`))
    .join('');
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  // `!!binary` values: JSON.stringify would print a Buffer's bytes one by one.
  if (value instanceof Uint8Array) return 'binary data';
  const text = JSON.stringify(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

function valueAt(data: unknown, keys: readonly PropertyKey[]): unknown {
  let cur = data;
  for (const k of keys) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<PropertyKey, unknown>)[k];
  }
  return cur;
}

/** The 1-based line of the node at `keys`, or of its nearest ancestor that exists. */
function lineOf(doc: Document, counter: LineCounter, keys: readonly PropertyKey[], unknownKey?: string): number {
  if (unknownKey !== undefined) {
    const parent = keys.length === 0 ? doc.contents : doc.getIn(keys as KeyPath, true);
    if (isMap(parent)) {
      const pair = parent.items.find((p) => isNode(p.key) && String((p.key as { value?: unknown }).value) === unknownKey);
      const start = isNode(pair?.key) ? pair.key.range?.[0] : undefined;
      if (start !== undefined) return counter.linePos(start).line;
    }
  }
  for (let n = keys.length; n >= 0; n--) {
    const node = n === 0 ? doc.contents : doc.getIn(keys.slice(0, n) as KeyPath, true);
    const start = isNode(node) ? node.range?.[0] : undefined;
    if (start !== undefined) return counter.linePos(start).line;
  }
  return 1;
}

/** The line a YAML error points at. An error found at the end of the file (an unclosed
 * quote or bracket) points past the last line; the last line with text is nearer. */
function yamlErrorLine(text: string, counter: LineCounter, pos: number): number {
  const line = counter.linePos(pos).line;
  const lines = text.split(/\r?\n/);
  let last = lines.length;
  while (last > 1 && (lines[last - 1] ?? '').trim() === '') last--;
  return Math.min(line, last);
}

/** The first problem the YAML parser lets through but the loader cannot use: a key that
 * is empty, a list or a mapping (the library would turn it into a string and warn on
 * stderr), or an alias whose anchor is missing (toJS would throw without a line). */
function structuralProblem(doc: Document, counter: LineCounter): { line: number; message: string } | null {
  let found: { line: number; message: string } | null = null;
  const lineAt = (node: Node | null): number => counter.linePos(node?.range?.[0] ?? 0).line;
  visit(doc, {
    Pair(_, pair, ancestors) {
      const key = pair.key;
      if (isScalar(key) && key.value !== null && typeof key.value !== 'object') return undefined;
      // An empty key has no node of its own: its value's, or its mapping's, line is next to it.
      const parent = ancestors[ancestors.length - 1];
      const where = isNode(key) ? key : isNode(pair.value) ? pair.value : isNode(parent) ? parent : null;
      found = { line: lineAt(where), message: 'a key must be a plain name, not empty, a list or a mapping' };
      return visit.BREAK;
    },
    Alias(_, alias) {
      if (alias.resolve(doc) !== undefined) return undefined;
      found = { line: lineAt(alias), message: `alias *${alias.source} names no anchor set before it` };
      return visit.BREAK;
    },
  });
  return found;
}

/** The YAML library's message, without advice meant for programmers using it. */
function yamlMessage(message: string): string {
  return (message.split('\n')[0] ?? '').replace(/;\s*please use .*$/i, '');
}

function issueLine(issue: z.core.$ZodIssue, data: unknown): { keys: PropertyKey[]; text: string; unknownKey?: string } {
  const keys = [...issue.path];
  if (issue.code === 'unrecognized_keys') {
    const key = issue.keys[0] ?? '?';
    return { keys, unknownKey: key, text: `${formatPath([...keys, key])}: unknown key` };
  }
  const where = formatPath(keys) || '(top level)';
  return { keys, text: `${where}: ${issue.message}, got ${describe(valueAt(data, keys))}` };
}

/** An empty section (`filters:` with nothing under it) means its defaults, as in most YAML tools. */
function emptySectionsToDefaults(data: unknown): unknown {
  if (data === null || data === undefined) return {};
  if (typeof data !== 'object' || Array.isArray(data)) return data;
  const out: Record<string, unknown> = { ...(data as Record<string, unknown>) };
  for (const [k, v] of Object.entries(out)) if (v === null && k !== 'schedule') out[k] = {};
  return out;
}

export async function loadConfig(file: string): Promise<Config> {
  const absFile = path.resolve(file);
  const shown = path.relative(process.cwd(), absFile).startsWith('..') ? absFile : path.relative(process.cwd(), absFile) || absFile;
  let text: string;
  try {
    text = await readFile(absFile, 'utf8');
  } catch (err) {
    throw new ConfigError(`${shown}: cannot read configuration (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  const counter = new LineCounter();
  // logLevel 'error': the library's warnings would go to stderr as extra lines; what
  // matters of them is checked below and reported as the one line.
  const doc = parseDocument(text, { lineCounter: counter, prettyErrors: false, uniqueKeys: true, logLevel: 'error' });
  const yamlError = doc.errors[0];
  if (yamlError) {
    throw new ConfigError(`${shown}:${yamlErrorLine(text, counter, yamlError.pos[0])}: invalid YAML: ${yamlMessage(yamlError.message)}`);
  }
  const problem = structuralProblem(doc, counter);
  if (problem) throw new ConfigError(`${shown}:${problem.line}: invalid YAML: ${problem.message}`);
  let data: unknown;
  try {
    data = emptySectionsToDefaults(doc.toJS({ maxAliasCount: 100 }));
  } catch (err) {
    // Past the checks above only alias expansion fails here (an alias bomb, over
    // maxAliasCount): name the line of the first alias.
    let line = 1;
    visit(doc, {
      Alias(_, alias) {
        line = counter.linePos(alias.range?.[0] ?? 0).line;
        return visit.BREAK;
      },
    });
    throw new ConfigError(`${shown}:${line}: invalid YAML: ${yamlMessage((err as Error).message)}`);
  }
  const parsed = configSchema.safeParse(data);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    if (!first) throw new ConfigError(`${shown}: invalid configuration`);
    const { keys, text: msg, unknownKey } = issueLine(first, data);
    throw new ConfigError(`${msg} (${shown}:${lineOf(doc, counter, keys, unknownKey)})`);
  }
  let config: Config;
  try {
    config = resolveConfig(parsed.data, absFile);
  } catch (err) {
    if (!(err instanceof KeyError)) throw err;
    throw new ConfigError(`${formatPath(err.keyPath)}: ${err.message} (${shown}:${lineOf(doc, counter, err.keyPath)})`);
  }
  // Filter files are read later (loadFilters); an error there can then still say which
  // line of this file named the file.
  const named = (key: string, list: readonly string[]) => list.map((_, i) => `${shown}:${lineOf(doc, counter, ['filters', key, i])}`);
  setFilterFileLines(config.filters, {
    allowFiles: named('allow_files', parsed.data.filters.allow_files),
    denyFiles: named('deny_files', parsed.data.filters.deny_files),
  });
  return config;
}
