/** Mirror folders for the bench: configuration, and what the last run recorded. */
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { stringify } from 'yaml';
import type { RunSummary } from '../src/state/types.js';

export interface Mirror {
  dir: string;
  config: string;
  root: string;
  state: string;
  log: string;
}

export interface UpstreamUrls {
  url: string;
  filesUrl: string | null;
}

/** The operator's configuration: defaults everywhere except where the upstream is. */
export async function writeConfig(m: Mirror, up: UpstreamUrls, filters: Record<string, unknown> = {}, file = m.config): Promise<void> {
  const doc = {
    upstream: { url: up.url, ...(up.filesUrl ? { files_url: up.filesUrl } : {}) },
    mirror: { root: './web', state: './state' },
    filters,
    log: { level: 'info', format: 'json' },
  };
  await writeFile(file, stringify(doc));
}

export async function makeMirror(dir: string, up: UpstreamUrls, filters: Record<string, unknown> = {}): Promise<Mirror> {
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  const m: Mirror = { dir, config: path.join(dir, 'mirror.yaml'), root: path.join(dir, 'web'), state: path.join(dir, 'state'), log: path.join(dir, 'jubjub.log') };
  await writeConfig(m, up, filters);
  return m;
}

/** Empties the mirror's tree and state (the configuration stays). */
export async function wipe(m: Mirror): Promise<void> {
  await rm(m.root, { recursive: true, force: true });
  await rm(m.state, { recursive: true, force: true });
}

/** The `lastRun` jubjub records in `state/mirror.json` (read back, as an operator would). */
export type LastRun = RunSummary;

export async function lastRun(m: Mirror): Promise<LastRun> {
  const s = JSON.parse(await readFile(path.join(m.state, 'mirror.json'), 'utf8')) as { lastRun: LastRun | null };
  if (!s.lastRun) throw new Error(`${m.state}/mirror.json has no lastRun`);
  return s.lastRun;
}
