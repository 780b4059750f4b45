/**
 * Reads mirror.yaml and reports the first problem as one line that names the key path
 * and the line: `filters.latest: expected an integer ≥ 0, got "two" (mirror.yaml:14)`.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { isMap, isNode, LineCounter, parseDocument, type Document } from 'yaml';
import type { z } from 'zod';
import { ConfigError } from '../errors.js';
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
  const doc = parseDocument(text, { lineCounter: counter, prettyErrors: false, uniqueKeys: true });
  const yamlError = doc.errors[0];
  if (yamlError) {
    const line = counter.linePos(yamlError.pos[0]).line;
    throw new ConfigError(`${shown}:${line}: invalid YAML: ${yamlError.message.split('\n')[0]}`);
  }
  let data: unknown;
  try {
    data = emptySectionsToDefaults(doc.toJS({ maxAliasCount: 100 }));
  } catch (err) {
    throw new ConfigError(`${shown}: invalid YAML: ${(err as Error).message}`);
  }
  const parsed = configSchema.safeParse(data);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    if (!first) throw new ConfigError(`${shown}: invalid configuration`);
    const { keys, text: msg, unknownKey } = issueLine(first, data);
    throw new ConfigError(`${msg} (${shown}:${lineOf(doc, counter, keys, unknownKey)})`);
  }
  try {
    return resolveConfig(parsed.data, absFile);
  } catch (err) {
    if (!(err instanceof KeyError)) throw err;
    throw new ConfigError(`${formatPath(err.keyPath)}: ${err.message} (${shown}:${lineOf(doc, counter, err.keyPath)})`);
  }
}
