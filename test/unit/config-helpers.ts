/** Shared by the configuration tests: YAML files in a fresh folder, and the error they give. */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { ConfigError } from '../../src/errors.js';

export let dir: string;
let counter = 0;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'jubjub-config-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Writes `text` as `<fresh folder>/mirror.yaml` and returns its path. */
export async function yamlFile(text: string): Promise<string> {
  const sub = path.join(dir, `case-${counter++}`);
  await mkdir(sub, { recursive: true });
  const file = path.join(sub, 'mirror.yaml');
  await writeFile(file, text);
  return file;
}

export async function load(text: string) {
  return loadConfig(await yamlFile(text));
}

/** Loads `text`, expects a ConfigError, returns its message (checked to be one line). */
export async function failure(text: string): Promise<string> {
  const file = await yamlFile(text);
  let caught: unknown;
  try {
    await loadConfig(file);
  } catch (err) {
    caught = err;
  }
  expect(caught).toBeInstanceOf(ConfigError);
  const err = caught as ConfigError;
  expect(err.code).toBe('E_CONFIG');
  expect(err.message).not.toContain('\n');
  return err.message;
}

/** The `(…mirror.yaml:N)` suffix every key error carries. */
export function lineSuffix(n: number): RegExp {
  return new RegExp(`\\(\\S*mirror\\.yaml:${n}\\)$`);
}
