/**
 * requirements.txt-style files for `allow_files` / `deny_files`: the only I/O in the
 * filters. The syntax follows pip's where it matters for a list of projects; options
 * pip would act on (`-e`, `-i`, `--hash`, ...) are skipped, except `-r`/`-c`, which
 * include another file. A line that does not parse stops the load: a typo in a deny
 * list must not silently widen the mirror.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { ConfigError } from '../../errors.js';
import { parseRequirement, type Requirement } from './requirement.js';
import { RequirementSyntaxError } from './syntax-error.js';

export interface RequirementEntry {
  requirement: Requirement;
  /** `path:line` where it was read. */
  source: string;
}

interface LogicalLine {
  /** 1-based number of the line it starts on. */
  line: number;
  text: string;
}

const COMMENT = /(^|\s)#.*$/;

/** Joins `\`-continued lines and drops comments and blank lines, as pip does. */
export function logicalLines(text: string): LogicalLine[] {
  const out: LogicalLine[] = [];
  let pending: string[] = [];
  let start = 0;
  const flush = (): void => {
    const joined = pending.join('').replace(COMMENT, '').trim();
    if (joined !== '') out.push({ line: start, text: joined });
    pending = [];
  };
  text
    .replace(/^\uFEFF/, '')
    .split(/\r?\n/)
    .forEach((raw, i) => {
      if (pending.length === 0) start = i + 1;
      // A line holding a comment never continues, even if the comment ends in `\`.
      if (raw.endsWith('\\') && !COMMENT.test(raw)) {
        pending.push(raw.slice(0, -1));
      } else {
        pending.push(raw);
        flush();
      }
    });
  if (pending.length > 0) flush();
  return out;
}

/** `-r FILE`, `-rFILE`, `--requirement FILE`, `--requirement=FILE`, and the same for `-c`. */
export function includeTarget(option: string): string | null {
  const m = /^(--requirement|--constraint|-r|-c)(.*)$/s.exec(option);
  if (m === null) return null;
  const long = m[1]?.startsWith('--') ?? false;
  let rest = m[2] ?? '';
  if (long) {
    if (rest !== '' && !/^[=\s]/.test(rest)) return null; // another option, e.g. `--constraints-x`
    rest = rest.replace(/^=/, '');
  }
  return rest.trim().replace(/^(["'])(.*)\1$/, '$2');
}

/** Drops the per-requirement options pip allows after a requirement (`--hash=...`). */
function stripOptions(line: string): string {
  let quote: string | null = null;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (quote !== null) {
      if (ch === quote) quote = null;
    } else if (ch === '"' || ch === "'") {
      quote = ch;
    } else if (/\s/.test(ch ?? '') && /^\s+--/.test(line.slice(i))) {
      return line.slice(0, i);
    }
  }
  return line;
}

async function readText(file: string, where: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'EIO';
    throw new ConfigError(`${where}: cannot read file${where === file ? '' : ` ${file}`} (${code})`);
  }
}

async function loadInto(file: string, text: string, stack: string[], out: RequirementEntry[]): Promise<void> {
  for (const { line, text: content } of logicalLines(text)) {
    const where = `${file}:${line}`;
    if (content.startsWith('-')) {
      const target = includeTarget(content);
      if (target === null) continue;
      if (target === '') throw new ConfigError(`${where}: missing file name after ${content}`);
      if (/^[a-z][a-z0-9+.-]*:\/\//i.test(target)) {
        throw new ConfigError(`${where}: remote requirement files are not supported (${target})`);
      }
      const included = path.resolve(path.dirname(file), target);
      if (stack.includes(included)) {
        throw new ConfigError(`${where}: include cycle: ${[...stack, included].join(' -> ')}`);
      }
      const body = await readText(included, where);
      await loadInto(included, body, [...stack, included], out);
      continue;
    }
    try {
      out.push({ requirement: parseRequirement(stripOptions(content)), source: where });
    } catch (err) {
      if (err instanceof RequirementSyntaxError) throw new ConfigError(`${where}: ${err.message}`);
      throw err;
    }
  }
}

/**
 * Reads the files in order (relative includes resolve against the including file)
 * and returns every requirement with the `path:line` it came from. Throws ConfigError.
 */
export async function loadRequirementFiles(paths: string[]): Promise<RequirementEntry[]> {
  const out: RequirementEntry[] = [];
  for (const file of paths) {
    const text = await readText(file, file);
    await loadInto(file, text, [path.resolve(file)], out);
  }
  return out;
}
