/**
 * Runs the real `jubjub` CLI (the built bin, as an operator would) against the fake
 * PyPI, each test in its own temporary folder.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const BIN = path.join(REPO, 'bin/jubjub.js');

export interface Mirror {
  dir: string;
  config: string;
  root: string;
  state: string;
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

export async function makeMirror(upstreamUrl: string, overrides: Record<string, unknown> = {}): Promise<Mirror> {
  const dir = await mkdtemp(path.join(tmpdir(), 'jubjub-it-'));
  const mirror = { dir, config: path.join(dir, 'mirror.yaml'), root: path.join(dir, 'web'), state: path.join(dir, 'state') };
  await writeConfig(mirror, upstreamUrl, overrides);
  return mirror;
}

export async function writeConfig(m: Mirror, upstreamUrl: string, overrides: Record<string, unknown> = {}): Promise<void> {
  const { upstream, mirror, ...rest } = overrides as { upstream?: object; mirror?: object };
  const doc = {
    upstream: { url: upstreamUrl, timeout: '5s', retries: 2, ...upstream },
    mirror: { root: './web', state: './state', ...mirror },
    log: { level: 'info', format: 'json' },
    ...rest,
  };
  await writeFile(m.config, stringify(doc));
}

export function runJubjub(args: string[], opts: { env?: Record<string, string> } = {}): Promise<RunResult> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [BIN, ...args],
      { env: { ...process.env, JUBJUB_BACKOFF_BASE_MS: '10', ...opts.env }, maxBuffer: 64 * 1024 * 1024 },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

export function spawnJubjub(args: string[], env: Record<string, string> = {}): ChildProcess {
  return spawn(process.execPath, [BIN, ...args], { env: { ...process.env, JUBJUB_BACKOFF_BASE_MS: '10', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Every regular file under `dir`, as POSIX paths relative to it. */
export async function listTree(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries
    .filter((e) => e.isFile())
    .map((e) => path.relative(dir, path.join(e.parentPath ?? (e as unknown as { path: string }).path, e.name)).split(path.sep).join('/'))
    .sort();
}

/** The distribution files published under `packages/`, by filename, with their sha256. */
export async function publishedFiles(root: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const rel of await listTree(path.join(root, 'packages'))) {
    if (rel.endsWith('.metadata')) continue;
    const buf = await readFile(path.join(root, 'packages', rel));
    out.set(path.basename(rel), createHash('sha256').update(buf).digest('hex'));
  }
  return out;
}

export async function readJson<T = unknown>(file: string): Promise<T> {
  return JSON.parse(await readFile(file, 'utf8')) as T;
}

export async function cleanup(m: Mirror): Promise<void> {
  await rm(m.dir, { recursive: true, force: true });
}
